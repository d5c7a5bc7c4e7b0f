import Foundation
import ArgumentParser
import InquestCore

enum RCAOutput: String, ExpressibleByArgument, CaseIterable { case text, json }

extension Inquest {
    /// Ranked root-cause candidates for the failed requests.
    struct RCA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rca",
            abstract: "Rank the likely root causes of an incident from spans, logs and metrics, with evidence.",
            discussion: """
                Reads every kind of input among PATH...: span dumps, logs and metric dumps, any \
                subset of them. The incident window is --since/--until when given; otherwise it \
                is found where request latency, request size, entry errors (else one busy \
                operation's self time; without spans, the share of error log lines, or else a \
                metric series) departed from normal (the stretch whose ranks differ most from \
                the rest), and the output says so. The baseline is --baseline when given, else \
                the data outside the window.
                Spans: errors are blamed where they were first raised on the chain that reached \
                the entry (not on callers that passed them on, nor on errors a healthy caller \
                swallowed), and past that on the callee whose answer was far out of the ordinary \
                (slower than any baseline call, or cut short: a caller that fails on a wrong \
                answer raises the error itself). Latency is judged from distributions: each \
                (service, operation)'s self time in the window against the baseline (quantile \
                shift, judged by ranks), the time a call added put on the side whose other calls \
                grew too (the callee when its other callers' calls grew, the caller when its other \
                calls or its own work did), the waits of a span whose calls failed on the failing \
                callee. Requests cut short (fewer of a span's usual calls) blame the deepest \
                callee that answered out of the ordinary or logged an error. Spans without a \
                status work. Logs: per service, warning and error patterns new or grown against \
                the baseline, placed on spans through their trace IDs and credited where the \
                trace's errors began; lines of requests that succeeded all the same (a healthy \
                caller absorbed the error) are not counted. Metrics: per entity, series whose \
                median in the window lies 6 robust sigma from the window before. Each signal's \
                evidence becomes shares; a candidate's score is their weighted mean (metrics \
                weigh half; a signal that explains little of the incident weighs less). \
                Uninstrumented dependencies named by client spans are candidates of their own \
                ("dependency": true).
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Healthy traffic to compare with (span dumps and logs); default: the inputs before the incident window.", valueName: "path"))
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
            let traces = loaded.traces
            // Logs and metrics among the same inputs.
            let (units, _) = input.discover()
            let logs = LogSignal.read(units, format: input.format)
            let metrics = MetricLoad.load(units, format: input.format)
            var newest = traces.map(\.end).max()
            if let l = logs.last { newest = max(newest ?? Timestamp(nanos: l), Timestamp(nanos: l)) }
            var baselineTraces: [InquestCore.Trace]?
            var baselineLogs: LogSignal.Read?
            var baselineStats: [InputStats] = []
            if !baseline.isEmpty {
                // The baseline is read with the same options (format, limits) as the inputs.
                let b = LoadedTraces.load(input, paths: baseline, detail: .summary)
                let (bUnits, bProblems) = input.discover(paths: baseline)
                let bLogs = LogSignal.read(bUnits, format: input.format)
                baselineStats = b.load.stats + b.load.unreadable + bLogs.stats
                reportProblems(baselineStats, b.problems + bProblems)
                if !b.load.stats.isEmpty { baselineTraces = b.traces }
                if !bLogs.stats.isEmpty { baselineLogs = bLogs }
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
                var inputs = RootCauseRanking.Inputs()
                inputs.traces = traces
                inputs.baselineTraces = baselineTraces
                inputs.logs = logs
                inputs.baselineLogs = baselineLogs
                inputs.metrics = metrics.series
                inputs.since = range.sinceBound?.resolve(newest: newest)
                inputs.until = range.untilBound?.resolve(newest: newest)
                inputs.hasSpans = !loaded.load.stats.isEmpty
                inputs.hasLogs = logs.records > 0
                inputs.hasMetrics = !metrics.stats.isEmpty
                result = RootCauseRanking.analyze(inputs)
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
            if loaded.load.stats.isEmpty && !(logs.stats.isEmpty && metrics.stats.isEmpty) {
                // Logs or metrics alone: a run of its own, not a span run without spans.
                reportProblems(loaded.load.unreadable + logs.stats + metrics.stats + metrics.unreadable, loaded.problems)
                Output.stdout.flush()
                Output.stderr.flush()
                Foundation.exit(Exit.ok)
            }
            reportProblems(logs.stats + metrics.stats + metrics.unreadable, [])
            loaded.finish()
        }
    }
}
