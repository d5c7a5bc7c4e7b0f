import ArgumentParser
import Foundation
import InquestCore

extension Inquest {
    /// Combines partial results written by `--partial`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine partial results (written with --partial) into the result one run over all their inputs gives.",
            discussion: """
                For archives larger than one machine: run `inquest deps INPUTS --partial part-N.json` \
                as tasks on an engine (each task's inputs holding whole traces), then merge the parts. \
                Today deps writes partials. Give - to read one partial from standard input.
                """
        )

        @Argument(help: "Partial result files (JSON, from --partial), or - for standard input.")
        var partials: [String] = []

        @OptionGroup var outputOptions: OutputOptions

        @Option(help: "Output for deps partials: text, json, dot (Graphviz) or mermaid.")
        var output: DepsOutput = .text

        func validate() throws {
            if partials.isEmpty { throw ValidationError("Give at least one partial result file (written with --partial).") }
        }

        func run() throws {
            var parts: [PartialResult] = []
            for path in partials {
                let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
                guard let data else {
                    Output.stderr.write("inquest: \(path): cannot read\n")
                    Output.stderr.flush()
                    throw ExitCode(Exit.noInput)
                }
                do {
                    parts.append(try PartialResult.read([UInt8](data), path: path))
                } catch {
                    Output.stderr.write("inquest: \(error.description)\n")
                    Output.stderr.flush()
                    throw ExitCode(Exit.usage)
                }
            }
            guard let merged = try PartialResult.merge(parts) else { throw ExitCode(Exit.noInput) }
            let out = try Output.open(outputOptions.outFile)
            switch merged {
            case .deps(let partial):
                let graph = partial.graph()
                switch output {
                case .text:
                    let tty = outputOptions.writesToTerminal
                    DependencyRenderer.text(graph, style: outputOptions.style(toTerminal: tty), width: tty ? Terminal.width : 80, to: &out.buffered)
                case .json: DependencyRenderer.json(graph, to: &out.buffered)
                case .dot: DependencyRenderer.dot(graph, to: &out.buffered)
                case .mermaid: DependencyRenderer.mermaid(graph, to: &out.buffered)
                }
            }
            out.close()
        }
    }
}
