import ArgumentParser
import Foundation
import InquestCore

extension Inquest {
    /// Combines partial results written by `--partial`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Combine partial results (written with --partial) into the result one run over all their inputs gives.",
            discussion: """
                For archives larger than one machine: run `inquest deps INPUTS --partial part-N.json` \
                (or inquest patterns ... --partial) as tasks on an engine (for deps, each task's inputs holding \
                whole traces), then merge the parts, given in input order. \
                deps and patterns write partials. Give - to read one partial from standard input.
                """
        )

        @Argument(help: "Partial result files (JSON, from --partial), or - for standard input.")
        var partials: [String] = []

        @OptionGroup var outputOptions: OutputOptions

        @Option(help: "Output: text or json; for deps also dot or mermaid, for patterns also csv or ndjson.")
        var output: String = "text"

        @Option(help: ArgumentHelp("Patterns: show at most this many in text output (0: all).", valueName: "n"))
        var limit: Int = 40

        func validate() throws {
            if partials.isEmpty { throw ValidationError("Give at least one partial result file (written with --partial).") }
            if partials.count > PartialResult.maxParts {
                throw ValidationError("\(partials.count) partial results; merge takes at most \(PartialResult.maxParts) at a time.")
            }
            if !["text", "json", "dot", "mermaid", "csv", "ndjson", "markdown", "html", "openmetrics"].contains(output) {
                throw ValidationError("--output takes text or json; dot or mermaid (deps); csv or ndjson (patterns); markdown, html or openmetrics (report); got '\(output)'.")
            }
            if limit < 0 { throw ValidationError("--limit must not be negative.") }
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
            // Reports merge through an aggregator (patterns are mined once, after merging).
            let reports = parts.compactMap { if case .report(let r) = $0 { return r } else { return nil } }
            if !reports.isEmpty {
                guard reports.count == parts.count else {
                    Output.stderr.write("inquest: report partials cannot be merged with other kinds\n")
                    Output.stderr.flush()
                    throw ExitCode(Exit.usage)
                }
                guard let format = ReportOutput(rawValue: output) else {
                    Output.stderr.write("inquest: --output \(output) does not apply to report partials\n")
                    Output.stderr.flush()
                    throw ExitCode(Exit.usage)
                }
                let m: (aggregate: TrendAggregate, baseline: Bool, skipped: Int, inputs: Int, metrics: [MetricSeries])
                do { m = try PartialResult.mergeReports(reports) } catch {
                    Output.stderr.write("inquest: \(error.message)\n")
                    Output.stderr.flush()
                    throw ExitCode(Exit.usage)
                }
                try Report.render(m.aggregate, baseline: m.baseline, skipped: m.skipped, inputs: m.inputs, filtered: false,
                                  output: format, outputOptions: outputOptions, metrics: m.metrics)
                return
            }
            let merged: PartialResult
            do {
                guard let m = try PartialResult.merge(parts) else { throw ExitCode(Exit.noInput) }
                merged = m
            } catch let e as PartialError {
                Output.stderr.write("inquest: \(e.message)\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            let wrongOutput: Bool
            switch merged {
            case .deps: wrongOutput = !["text", "json", "dot", "mermaid"].contains(output)
            case .patterns: wrongOutput = !["text", "json", "csv", "ndjson"].contains(output)
            case .report: wrongOutput = true
            }
            if wrongOutput {
                Output.stderr.write("inquest: --output \(output) does not apply to \(merged.kind) partials\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            let out = try Output.open(outputOptions.outFile)
            switch merged {
            case .deps(let partial):
                let graph = partial.graph()
                switch output {
                case "json": DependencyRenderer.json(graph, to: &out.buffered)
                case "dot": DependencyRenderer.dot(graph, to: &out.buffered)
                case "mermaid": DependencyRenderer.mermaid(graph, to: &out.buffered)
                default:
                    let tty = outputOptions.writesToTerminal
                    DependencyRenderer.text(graph, style: outputOptions.style(toTerminal: tty), width: tty ? Terminal.width : 80, to: &out.buffered)
                }
            case .report: break
            case .patterns(let miner):
                let table = miner.finish()
                let tty = outputOptions.writesToTerminal
                let renderer = PatternRenderer(style: outputOptions.style(toTerminal: tty), width: tty ? Terminal.width : 80,
                                               time: outputOptions.timeDisplay, compare: table.baselineLines > 0)
                switch output {
                case "json": renderer.json(table, skipped: 0, to: &out.buffered)
                case "csv": renderer.csv(table, to: &out.buffered)
                case "ndjson": renderer.ndjson(table, to: &out.buffered)
                default: renderer.text(table, limit: limit, to: &out.buffered)
                }
            }
            out.close()
        }
    }
}
