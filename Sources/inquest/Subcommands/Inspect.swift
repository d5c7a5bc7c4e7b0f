import ArgumentParser
import InquestCore

/// Output forms of `inspect`.
enum InspectOutput: String, ExpressibleByArgument, CaseIterable { case text, json }

extension Inquest {
    /// Describes each input: kind, format, compression, counts, damage, time range.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Describe each input: kind, format, compression, records, skipped records, time range, services.",
            discussion: """
                One entry per file; a tar member is its own entry (archive.tar.gz:member). \
                For span dumps a record is a span, for metric dumps a sample. Tables (CSV/TSV) show the column chosen for each role. For every input, records = parsed + skipped.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(name: .long, help: "Output: text or json.")
        var output: InspectOutput = .text

        func run() throws {
            let (units, problems) = input.discover()
            let summaries = Inspector.inspect(units, format: input.format)
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .json:
                InspectRenderer.json(summaries, problems: problems, to: &out.buffered)
            case .text:
                let style = outputOptions.style(toTerminal: outputOptions.writesToTerminal)
                InspectRenderer.text(summaries, problems: problems, style: style, time: outputOptions.timeDisplay,
                                     width: outputOptions.writesToTerminal ? Terminal.width : 80, to: &out.buffered)
            }
            out.close()
            for p in problems { Output.stderr.write("inquest: \(p.path): \(p.reason)\n") }
            Output.stderr.flush()
            if nothingRead(summaries.map(\.stats), problems) { throw ExitCode(Exit.noInput) }
        }
    }
}
