import ArgumentParser
import InquestCore

/// Output forms of `metrics`.
enum MetricsOutput: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

extension Inquest {
    /// Lists the series of metric dumps with their range and a sparkline.
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "List the series in metric dumps: name, labels, points, min/median/max, a sparkline.",
            discussion: """
                Reads Prometheus text exposition and OpenMetrics (several scrapes a file; what \
                report --output openmetrics writes), Prometheus HTTP API results (query_range \
                matrix, query vector, as curl saves them), and wide CSV/TSV tables (a time \
                column, entity columns such as PodName or ServiceName — or the entity in the \
                file name — and one metric per numeric column; NaN and empty cells are missing, \
                never 0). Log and span inputs are passed over.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(help: ArgumentHelp("Only series whose name matches this regular expression (whole name; a plain name matches itself).", valueName: "regex"))
        var name: String?

        @Option(help: ArgumentHelp("Only series whose labels match: k=v, k!=v, k=~regex, k!~regex (repeatable; pod and service are labels of table rows).", valueName: "matcher"))
        var label: [String] = []

        @Flag(help: "With json or csv output, every point too.")
        var points = false

        @Option(help: ArgumentHelp("Show at most this many series.", valueName: "n"))
        var limit: Int?

        @Option(help: "Output: text, json or csv.")
        var output: MetricsOutput = .text

        func validate() throws {
            for l in label where MetricQuery.Matcher.parse(l) == nil {
                throw ValidationError("--label takes k=v, k!=v, k=~regex or k!~regex; got '\(l)'.")
            }
            if let name, (try? Regex(name)) == nil { throw ValidationError("--name: '\(name)' is not a regular expression.") }
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        }

        func run() throws {
            let (units, problems) = input.discover()
            let load = MetricLoad.load(units, format: input.format)
            var q = range.metricQuery(over: load.series)
            q.name = name
            q.matchers = label.compactMap(MetricQuery.Matcher.parse)
            let selected = q.run(load.series)
            let rows = MetricSummary.of(Array(selected.prefix(limit ?? .max)))
            let skipped = load.stats.reduce(0) { $0 + $1.skipped }
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .text:
                let tty = outputOptions.writesToTerminal
                MetricRenderer.text(Array(rows), total: selected.count, style: outputOptions.style(toTerminal: tty), time: outputOptions.timeDisplay,
                                    width: tty ? Terminal.width : 80, to: &out.buffered)
            case .json: MetricRenderer.json(Array(rows), skipped: skipped, points: points, to: &out.buffered)
            case .csv: MetricRenderer.csv(Array(rows), points: points, to: &out.buffered)
            }
            out.close()
            reportProblems(load.stats + load.unreadable, problems)
            if load.stats.isEmpty {
                Output.stderr.write("inquest: no metric dumps among the inputs (Prometheus exposition or API JSON, metric tables)\n")
            }
            Output.stderr.flush()
            if load.stats.isEmpty || load.stats.allSatisfy(\.unreadable) { throw ExitCode(Exit.noInput) }
        }
    }
}
