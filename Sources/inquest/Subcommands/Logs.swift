import ArgumentParser
import InquestCore

extension LogRenderer.Format: ExpressibleByArgument {}

extension Inquest {
    /// One time-ordered stream merged across all inputs, filtered.
    struct Logs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "logs",
            abstract: "Show log records from all inputs as one time-ordered stream, filtered.",
            discussion: """
                Inputs are merged by time (k-way merge; each input is read in file order). \
                Span dumps among the inputs are passed over. Records that cannot be parsed are \
                counted and reported on standard error with file:line.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(help: ArgumentHelp("Minimum level: trace, debug, info, notice, warn, error, fatal.", valueName: "level"))
        var level: String?

        @Option(help: ArgumentHelp("Only records of this service (repeatable).", valueName: "name"))
        var service: [String] = []

        @Option(help: ArgumentHelp("Only records of this trace ID or ID prefix (repeatable; an X-Ray ID 1-… is read as OpenTelemetry's 32 hex digits).", valueName: "id"))
        var trace: [String] = []

        @Option(help: ArgumentHelp("Only records whose message or a field matches this extended regular expression.", valueName: "regex"))
        var grep: String?

        @Flag(name: [.customShort("i"), .long], help: "Match --grep without regard to case.")
        var ignoreCase = false

        @Option(name: .long, help: ArgumentHelp("Only records where this field equals this value (repeatable): key=value.", valueName: "key=value"))
        var `where`: [String] = []

        @Flag(help: "Print only the number of matching records (a large plain file is read on every core).")
        var count = false

        @Option(help: ArgumentHelp("Stop after this many records.", valueName: "n"))
        var limit: Int?

        @Option(help: "Output: text, ndjson, csv or json.")
        var output: LogRenderer.Format = .text

        func validate() throws {
            if let level, Level(name: level) == nil { throw ValidationError("--level: unknown level '\(level)'; use trace, debug, info, notice, warn, error or fatal.") }
            for w in self.where where keyValue(w) == nil { throw ValidationError("--where takes key=value; got '\(w)'.") }
            if let grep { do { _ = try Pattern(grep) } catch { throw ValidationError("--grep: \(error.description)") } }
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        }

        func run() throws {
            let (units, problems) = input.discover()
            var filter = LogFilter()
            filter.minLevel = level.flatMap { Level(name: $0) }
            filter.services = service
            filter.traces = trace.map(traceIDQuery)
            if let grep { filter.grep = try Pattern(grep, caseInsensitive: ignoreCase) }
            filter.conditions = self.where.compactMap(keyValue)
            if range.needsNewest {
                let newest = Inspector.newest(units, format: input.format)
                filter.since = range.sinceBound?.resolve(newest: newest)
                filter.until = range.untilBound?.resolve(newest: newest)
            } else {
                filter.since = range.sinceBound?.resolve(newest: nil)
                filter.until = range.untilBound?.resolve(newest: nil)
            }

            let out = try Output.open(outputOptions.outFile)
            if count {
                let stream = LogStream(units: units, filter: filter, needs: [], format: input.format)
                let n = limit.map { min($0, stream.count()) } ?? stream.count()
                let stats = stream.stats
                if output == .json {
                    out.write("{\"count\":\(n),\"skipped\":\(stats.reduce(0) { $0 + $1.skipped })}\n")
                } else {
                    out.write("\(n)\n")
                }
                out.close()
                reportProblems(stats, problems)
                if nothingRead(stats, problems) { throw ExitCode(Exit.noInput) }
                return
            }

            let needs: RecordNeeds = output == .text || output == .csv ? [.message, .service, .trace] : .all
            let stream = LogStream(units: units, filter: filter, needs: needs, format: input.format)
            let toTerminal = outputOptions.writesToTerminal
            var renderer = LogRenderer(format: output, style: outputOptions.style(toTerminal: toTerminal),
                                       time: outputOptions.timeDisplay, width: toTerminal ? Terminal.width : nil)
            renderer.begin(to: &out.buffered)
            var written = 0
            stream.forEach { record in
                if let limit, written >= limit { return false }
                renderer.write(record, to: &out.buffered)
                written += 1
                return !out.failed
            }
            let stats = stream.stats
            renderer.end(skipped: stats.reduce(0) { $0 + $1.skipped }, to: &out.buffered)
            out.close()
            reportProblems(stats, problems)
            if nothingRead(stats, problems) { throw ExitCode(Exit.noInput) }
        }
    }
}
