import ArgumentParser
import InquestCore

enum TracesOutput: String, ExpressibleByArgument, CaseIterable { case text, json, csv }
extension TraceQuery.Sort: ExpressibleByArgument {}

extension Inquest {
    /// One row per trace, filtered and sorted.
    struct Traces: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "traces",
            abstract: "List traces from span dumps: one row per trace, filtered and sorted.",
            discussion: """
                Spans from any mix of Jaeger, Zipkin and OTLP files are grouped into traces. \
                --service, --operation and --tag match any span of a trace. Durations take units: \
                250ms, 1.5s, 2m.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(help: ArgumentHelp("Only traces with a span of this service (repeatable).", valueName: "name"))
        var service: [String] = []

        @Option(help: ArgumentHelp("Only traces with a span of this operation (repeatable).", valueName: "name"))
        var operation: [String] = []

        @Option(help: ArgumentHelp("Only traces at least this long (e.g. 500ms, 2s).", valueName: "duration"))
        var minDuration: String?

        @Option(help: ArgumentHelp("Only traces at most this long.", valueName: "duration"))
        var maxDuration: String?

        @Flag(help: "Only traces with at least one error span.")
        var errors = false

        @Option(help: ArgumentHelp("Only traces with a span tagged key=value (repeatable).", valueName: "key=value"))
        var tag: [String] = []

        @Option(help: "Order: duration (longest first), start, spans (most first), errors (most first).")
        var sort: TraceQuery.Sort = .start

        @Option(help: ArgumentHelp("Show at most this many traces.", valueName: "n"))
        var limit: Int?

        @Option(help: "Output: text, json or csv.")
        var output: TracesOutput = .text

        @Flag(help: "Print only the number of matching traces.")
        var count = false

        func validate() throws {
            if let d = minDuration, Duration.parseNanos(d) == nil { throw ValidationError("--min-duration: cannot read '\(d)' as a duration (e.g. 500ms, 2s).") }
            if let d = maxDuration, Duration.parseNanos(d) == nil { throw ValidationError("--max-duration: cannot read '\(d)' as a duration.") }
            for t in tag where keyValue(t) == nil { throw ValidationError("--tag takes key=value; got '\(t)'.") }
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        }

        func run() throws {
            var q = TraceQuery()
            q.services = service
            q.operations = operation
            q.minDurationNanos = minDuration.flatMap(Duration.parseNanos)
            q.maxDurationNanos = maxDuration.flatMap(Duration.parseNanos)
            q.errorsOnly = errors
            q.tags = tag.compactMap(keyValue)
            // A count without filters is the number of distinct trace IDs: span tables are
            // counted without making spans or assembling traces (the same answer).
            if count, q.spanSetFilter == nil, q.minDurationNanos == nil, q.maxDurationNanos == nil,
               range.sinceBound == nil, range.untilBound == nil {
                let (units, problems) = input.discover()
                let c = TraceCounter.count(units, format: input.format, maxSpansPerTrace: input.maxSpansPerTrace)
                if !c.overLimit {
                    let loaded = LoadedTraces(traces: [], load: c.load, problems: problems)
                    let out = try Output.open(outputOptions.outFile)
                    out.write(output == .json ? "{\"count\":\(c.traces),\"skipped\":\(loaded.skipped)}\n" : "\(c.traces)\n")
                    out.close()
                    loaded.finish()
                }
            }
            // Arbitrary --tag filters need every tag; listing alone needs each span's kind and status.
            // Filters on the set of spans run before assembly, unless a relative --since needs
            // the newest trace of all.
            var options = TraceAssembler.Options()
            options.analyzeTiming = false
            let loaded = LoadedTraces.load(input, detail: tag.isEmpty ? .minimal : .full, options: options,
                                           include: range.needsNewest ? nil : q.spanSetFilter)
            let newest = loaded.traces.map(\.end).max()
            q.since = range.sinceBound?.resolve(newest: newest)
            q.until = range.untilBound?.resolve(newest: newest)
            q.sort = sort
            q.limit = limit
            if count {
                let n = TraceQuery.countMatching(q, loaded.traces)
                let out = try Output.open(outputOptions.outFile)
                out.write(output == .json ? "{\"count\":\(n),\"skipped\":\(loaded.skipped)}\n" : "\(n)\n")
                out.close()
                loaded.finish()
            }
            let rows = q.run(loaded.traces)
            let total = limit == nil ? rows.count : TraceQuery.countMatching(q, loaded.traces)
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .text:
                let tty = outputOptions.writesToTerminal
                TraceTableRenderer.text(rows, total: total, style: outputOptions.style(toTerminal: tty), time: outputOptions.timeDisplay,
                                        width: tty ? Terminal.width : 80, to: &out.buffered)
            case .json: TraceTableRenderer.json(rows, skipped: loaded.skipped, to: &out.buffered)
            case .csv: TraceTableRenderer.csv(rows, to: &out.buffered)
            }
            out.close()
            loaded.finish()
        }
    }
}
