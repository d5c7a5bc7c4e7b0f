import ArgumentParser
import InquestCore

enum TraceOutput: String, ExpressibleByArgument, CaseIterable { case text, json, html }

extension Inquest {
    /// One transaction rebuilt: waterfall, logs under spans, critical path, failing step.
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace",
            abstract: "Rebuild one request: a waterfall of its spans with their log lines, the critical path, and where it failed.",
            discussion: """
                ID is a full trace ID or a unique prefix. Log inputs among the PATHs are joined to \
                the trace by the span or trace ID their lines carry (trace_id=, traceId=, trace=, \
                traceparent, Sleuth [app,trace,span], SkyWalking, X-Ray Root=, JSON and logfmt \
                fields); a line naming another trace is never joined. Lines with no ID at all, of \
                a service that logs none, are joined by service within the span's own time \
                (marked ≈; --no-time-join leaves them out). --output html -o FILE writes one \
                self-contained page.
                """
        )

        @Argument(help: "The trace ID, or a unique prefix of it.")
        var id: String

        @OptionGroup var input: InputOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(help: "Output: text (a terminal waterfall), json (the tree), html (a self-contained page; use with -o).")
        var output: TraceOutput = .text

        @Option(help: ArgumentHelp("Most log lines shown under one span in text output.", valueName: "n"))
        var logsPerSpan: Int = 8

        @Flag(help: "Do not read log inputs for the trace's log lines.")
        var noLogs = false

        @Flag(help: "Join only log lines carrying this trace's IDs; leave out lines matched by service and time (≈).")
        var noTimeJoin = false

        @Flag(help: "Show span times as recorded, without clock-skew adjustment.")
        var noSkewAdjustment = false

        func validate() throws {
            if id.isEmpty { throw ValidationError("Give a trace ID or a prefix of one.") }
            if logsPerSpan < 0 { throw ValidationError("--logs-per-span must not be negative.") }
        }

        func run() throws {
            var options = TraceAssembler.Options()
            options.adjustClockSkew = !noSkewAdjustment
            let loaded = LoadedTraces.load(input, options: options)
            let trace: InquestCore.Trace
            switch loaded.traces.find(id: traceIDQuery(id)) {
            case .success(let t): trace = t
            case .failure(let e):
                Output.stderr.write("inquest: \(e.description)\n")
                loaded.finish(status: Exit.usage)
            }
            let (logs, logStats) = noLogs ? ([], []) : LogCorrelation.correlate(trace, logUnits: loaded.load.logUnits, timeJoin: !noTimeJoin)
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .text:
                let tty = outputOptions.writesToTerminal
                let r = WaterfallRenderer(style: outputOptions.style(toTerminal: tty), time: outputOptions.timeDisplay,
                                          width: tty ? Terminal.width : 80, logsPerSpan: logsPerSpan)
                r.render(trace, logs: logs, to: &out.buffered)
            case .json:
                TraceJSONRenderer.render(trace, logs: logs, to: &out.buffered)
            case .html:
                WaterfallHTMLRenderer.render(trace, logs: logs, time: outputOptions.timeDisplay, to: &out.buffered)
            }
            out.close()
            reportProblems(logStats.filter { $0.skipped > 0 }, [])
            loaded.finish()
        }
    }
}
