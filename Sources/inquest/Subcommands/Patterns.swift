import ArgumentParser
import InquestCore

enum PatternsOutput: String, ExpressibleByArgument, CaseIterable { case text, json, csv, ndjson }

extension Inquest {
    /// Log template mining.
    struct Patterns: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "patterns",
            abstract: "Group log messages into templates: counts, share, first and last seen, an example, and common variable values.",
            discussion: """
                Works on the message of every record, whatever the format (only its first line: a \
                stack trace does not make a template of its own). Numbers, hex, IPs, UUIDs, host \
                names, mail addresses, paths, durations, dates and quoted values are masked; positions where many \
                different words appear among otherwise equal messages become variables too, and so do \
                lists whose length varies ([a, b] and [c], or words between the same words). The shares \
                of variable values are estimated from a sample of the records. \
                With --baseline (other inputs) or --split (a time), patterns that are new, vanished, \
                or whose share changed by more than --factor are listed first. \
                --assign --output ndjson writes {"line": N, "pattern": ID} for every record in input order.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Inputs to compare with: their patterns are the baseline.", valueName: "path"))
        var baseline: [String] = []

        @Option(help: ArgumentHelp("Compare records before this time (the baseline) with those after it: RFC 3339, a date, or a duration back from the newest record.", valueName: "time"))
        var split: String?

        @Option(help: ArgumentHelp("A pattern whose share grew or shrank by more than this factor counts as changed.", valueName: "x"))
        var factor: Double = 2

        @Option(help: ArgumentHelp("Minimum level of the records to mine: trace … fatal.", valueName: "level"))
        var level: String?

        @Option(help: ArgumentHelp("Only records of this service (repeatable).", valueName: "name"))
        var service: [String] = []

        @Option(help: ArgumentHelp("Show at most this many patterns in text output (0: all).", valueName: "n"))
        var limit: Int = 40

        @Flag(help: "With --output ndjson: write the pattern of every record instead of the patterns.")
        var assign = false

        @Option(help: "Output: text, json, csv, or ndjson (one pattern, or with --assign one record, a line).")
        var output: PatternsOutput = .text

        @Option(help: ArgumentHelp("Write the mergeable partial result for these inputs to this file (- for standard output) instead of the patterns; combine partials with inquest merge.", valueName: "file"))
        var partial: String?

        func validate() throws {
            if let level, Level(name: level) == nil { throw ValidationError("--level: unknown level '\(level)'; use trace, debug, info, notice, warn, error or fatal.") }
            if let split, TimeBound.parse(split) == nil { throw ValidationError(TimeRangeOptions.unreadableTime("--split", split)) }
            if split != nil && !baseline.isEmpty { throw ValidationError("--split and --baseline both name a baseline; give one.") }
            if !(factor > 1) { throw ValidationError("--factor must be greater than 1; got \(factor).") }
            if limit < 0 { throw ValidationError("--limit must not be negative.") }
            if assign && output != .ndjson { throw ValidationError("--assign writes one line per record: use it with --output ndjson.") }
            if assign && partial != nil { throw ValidationError("--assign and --partial do not go together: a partial result holds patterns, not records.") }
        }

        func run() throws {
            let (units, problems) = input.discover()
            var baselineUnits: [InputUnit] = []
            var baselineProblems: [InputDiscovery.Problem] = []
            if !baseline.isEmpty {
                (baselineUnits, baselineProblems) = input.discover(paths: baseline)
            }
            var mining = PatternMining()
            mining.format = input.format
            mining.assign = assign
            mining.filter.minLevel = level.flatMap { Level(name: $0) }
            mining.filter.services = service
            let needsNewest = range.needsNewest || split.map { if case .beforeNewest = TimeBound.parse($0) { return true }; return false } ?? false
            let newest = needsNewest ? Inspector.newest(units, format: input.format) : nil
            mining.filter.since = range.sinceBound?.resolve(newest: newest)
            mining.filter.until = range.untilBound?.resolve(newest: newest)
            mining.split = split.flatMap { TimeBound.parse($0)?.resolve(newest: newest) }
            if let partial {
                let (miner, stats, _) = mining.mine(units, baseline: baselineUnits)
                let out = try Output.open(partial == "-" ? nil : partial)
                PartialResult.patterns(miner).write(to: &out.buffered)
                out.close()
                reportProblems(stats, problems + baselineProblems)
                if nothingRead(stats, problems + baselineProblems) { throw ExitCode(Exit.noInput) }
                return
            }
            let result = mining.run(units, baseline: baselineUnits)

            let out = try Output.open(outputOptions.outFile)
            let tty = outputOptions.writesToTerminal
            let renderer = PatternRenderer(style: outputOptions.style(toTerminal: tty), width: tty ? Terminal.width : 80,
                                           time: outputOptions.timeDisplay,
                                           compare: !baselineUnits.isEmpty || mining.split != nil, factor: factor)
            let skipped = result.stats.reduce(0) { $0 + $1.skipped }
            switch output {
            case .text: renderer.text(result.table, limit: limit, to: &out.buffered)
            case .json: renderer.json(result.table, skipped: skipped, to: &out.buffered)
            case .csv: renderer.csv(result.table, to: &out.buffered)
            case .ndjson:
                if assign {
                    PatternRenderer.assignments(result, paths: units.count > 1 ? units.map(\.path) : nil, to: &out.buffered)
                } else {
                    renderer.ndjson(result.table, to: &out.buffered)
                }
            }
            out.close()
            reportProblems(result.stats, problems + baselineProblems)
            if nothingRead(result.stats, problems + baselineProblems) { throw ExitCode(Exit.noInput) }
        }
    }
}
