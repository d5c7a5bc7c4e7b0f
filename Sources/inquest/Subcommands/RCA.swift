import ArgumentParser
import InquestCore

enum RCAOutput: String, ExpressibleByArgument, CaseIterable { case text, json }

extension Inquest {
    /// Ranked root-cause candidates for the failed requests.
    struct RCA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rca",
            abstract: "Rank the likely root causes of the failed requests, with evidence.",
            discussion: """
                Failed traces are those whose entry span failed or took far longer than the \
                healthy traffic of the same entry operation. Blame goes where an error was first \
                raised (not to the callers that passed it on), to the callee a timeout waited \
                for, or to the span whose own time grew most; errors that healthy traffic shows \
                too are discounted. Uninstrumented dependencies named by client spans are \
                candidates of their own ("dependency": true).
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Healthy traffic to compare with (span dumps); default: the healthy traces of the input.", valueName: "path"))
        var baseline: [String] = []

        @Option(help: ArgumentHelp("Explain this one trace (ID or unique prefix).", valueName: "id"))
        var trace: String?

        @Option(help: ArgumentHelp("Show at most this many candidates.", valueName: "n"))
        var limit: Int = 5

        @Option(help: "Output: text or json.")
        var output: RCAOutput = .text

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        }

        func run() throws {
            let loaded = LoadedTraces.load(input, detail: .summary)
            var traces = loaded.traces
            let newest = traces.map(\.end).max()
            if let s = range.sinceBound?.resolve(newest: newest) { traces = traces.filter { $0.start >= s } }
            if let u = range.untilBound?.resolve(newest: newest) { traces = traces.filter { $0.start <= u } }
            var baselineTraces: [InquestCore.Trace]?
            if !baseline.isEmpty {
                // The baseline is read with the same options (format, limits) as the inputs.
                let b = LoadedTraces.load(input, paths: baseline, detail: .summary)
                reportProblems(b.load.stats + b.load.unreadable, b.problems)
                baselineTraces = b.traces
            }
            var result: RootCause.Result
            if let id = trace {
                switch traces.find(id: id) {
                case .success(let t):
                    let others = baselineTraces ?? traces.filter { $0.traceID != t.traceID }
                    if t.errorCount == 0 {
                        Output.stderr.write("inquest: trace \(t.traceID) has no error; ranking by latency against the baseline\n")
                    }
                    result = RootCause.analyze([t], baseline: others)
                    if result.failed == 0 { result = RootCause.analyzeAsFailed(t, baseline: others) }
                case .failure(let e):
                    Output.stderr.write("inquest: \(e.description)\n")
                    loaded.finish(status: Exit.usage)
                }
            } else {
                result = RootCause.analyze(traces, baseline: baselineTraces)
            }
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .json: RootCauseRenderer.json(result, limit: limit, to: &out.buffered)
            case .text:
                let tty = outputOptions.writesToTerminal
                RootCauseRenderer.text(result, limit: limit, style: outputOptions.style(toTerminal: tty), time: outputOptions.timeDisplay,
                                       width: tty ? Terminal.width : 80, to: &out.buffered)
            }
            out.close()
            loaded.finish()
        }
    }
}
