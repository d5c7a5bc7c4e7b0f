import ArgumentParser
import InquestCore

enum ReportOutput: String, ExpressibleByArgument, CaseIterable { case text, markdown, json, html, openmetrics }

extension Inquest {
    /// A trend report over time buckets.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Trends over time buckets: volume, error rate, latency, anomalies, forecast, log patterns.",
            discussion: """
                Log records are counted per service, level and log pattern; requests come from the \
                entry spans of span dumps (server spans, or spans whose parent is another service) \
                and, for services without spans, from access logs (status 500 and above failed). \
                Anomalies are buckets far from a robust trailing baseline (the same time on previous \
                days when the data spans two days or more). The forecast is seasonal naive with drift, \
                or Holt's linear method, with a 95 % interval. A pattern is new when first seen after \
                the first quarter of the range, or with --baseline, when absent from the baseline. \
                Series of metric dumps among the inputs (see inquest metrics) are drawn beside them, \
                a bucket's value the mean of its points, and a level far from its trailing median \
                either way is an anomaly of the series' entity; --partial carries their points.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(help: ArgumentHelp("Write the mergeable partial result for these inputs to this file (- for standard output) instead of the report; combine partials with inquest merge.", valueName: "file"))
        var partial: String?

        @Option(help: ArgumentHelp("Bucket width: 1m, 5m, 15m, 1h, 1d… (must divide a day or be whole days); default: 50–200 buckets over the range.", valueName: "width"))
        var bucket: String?

        @Option(help: ArgumentHelp("Only this service (repeatable).", valueName: "name"))
        var service: [String] = []

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Logs of a known-good period: patterns absent from them are new.", valueName: "path"))
        var baseline: [String] = []

        @Option(help: "Output: text, markdown, json, html (one self-contained page; use with -o), or openmetrics (the RED series with their timestamps, for promtool tsdb create-blocks-from openmetrics).")
        var output: ReportOutput = .text

        func validate() throws {
            if let bucket, TrendBucketing.parse(bucket) == nil {
                throw ValidationError("--bucket: '\(bucket)' is not a width of at least 1s (and at most 3000d) that divides a day or is whole days (1m, 5m, 15m, 1h, 1d).")
            }
        }

        func run() throws {
            let (units, problems) = input.discover()
            var baselineProblems: [InputDiscovery.Problem] = []
            var baselineUnits: [InputUnit] = []
            if !baseline.isEmpty {
                (baselineUnits, baselineProblems) = InputDiscovery.discover(baseline, limits: input.limits)
            }
            var options = TrendReader.Options()
            options.bucketNanos = bucket.flatMap(TrendBucketing.parse)
            options.since = range.sinceBound
            options.until = range.untilBound
            options.services = service
            options.format = input.format
            options.keepPartial = partial != nil
            let read = TrendReader.read(units, baseline: baselineUnits, options: options)
            // Series of metric dumps, drawn beside the log and request series.
            let metrics = MetricLoad.load(units, format: input.format)
            reportProblems(read.stats + metrics.stats + metrics.unreadable, problems + baselineProblems)
            if nothingRead(read.stats + metrics.stats, problems) { throw ExitCode(Exit.noInput) }
            var q = range.metricQuery(over: metrics.series)
            if !service.isEmpty { q.matchers = [MetricQuery.Matcher(label: "service", op: .matches, value: service.joined(separator: "|"))] }
            let series = q.run(metrics.series)
            if let partial {
                let out = try Output.open(partial == "-" ? nil : partial)
                if var state = read.partial {
                    state.metrics = series
                    PartialResult.report(state).write(to: &out.buffered)
                }
                out.close()
                return
            }
            let filtered = range.since != nil || range.until != nil || !service.isEmpty
            try Self.render(read.aggregate, baseline: !baselineUnits.isEmpty, skipped: read.stats.reduce(0) { $0 + $1.skipped },
                            inputs: read.stats.count, filtered: filtered, output: output, outputOptions: outputOptions,
                            metrics: series, bucketNanos: options.bucketNanos)
        }

        /// Renders an aggregate (from inputs, or merged partials) as the report.
        static func render(_ aggregate: TrendAggregate, baseline: Bool, skipped: Int, inputs: Int, filtered: Bool,
                           output: ReportOutput, outputOptions: OutputOptions, metrics: [MetricSeries] = [], bucketNanos: Int64? = nil) throws {
            let data: TrendData
            do {
                if let d = try aggregate.data() {
                    data = d
                } else if !metrics.isEmpty {
                    // Metric series alone: buckets from their range and spacing.
                    let g = MetricRuleSeries.grid(metrics, bucketNanos: bucketNanos)
                    let last = metrics.compactMap { $0.points.last?.time }.max() ?? g.start.nanos
                    data = TrendData.grid(start: g.start, bucketNanos: g.bucketNanos, count: g.count, last: Timestamp(nanos: last))
                } else {
                    Output.stderr.write("inquest: report: no timed records or requests in the inputs\(filtered ? " (after filters)" : "")\n")
                    Output.stderr.flush()
                    throw ExitCode(Exit.noInput)
                }
            } catch let e as TrendAggregate.LayoutError {
                Output.stderr.write("inquest: report: \(e.description)\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            if data.untimed > 0 {
                Output.stderr.write("inquest: \(grouped(data.untimed)) record\(data.untimed == 1 ? "" : "s") without a time left out of the buckets\n")
            }
            if output == .openmetrics {
                // The series alone: no analysis needed.
                let out = try Output.open(outputOptions.outFile)
                OpenMetricsRenderer.render(data, to: &out.buffered)
                out.close()
                return
            }
            var report = TrendReport(data, baseline: baseline)
            report.addMetrics(metrics)
            let ctx = ReportRenderer.Context(skipped: skipped, inputs: inputs, time: outputOptions.timeDisplay)
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .json: ReportRenderer.json(report, context: ctx, to: &out.buffered)
            case .markdown: ReportRenderer.markdown(report, context: ctx, to: &out.buffered)
            case .html: ReportHTMLRenderer.render(report, context: ctx, to: &out.buffered)
            case .openmetrics: break
            case .text:
                let tty = outputOptions.writesToTerminal
                ReportRenderer.text(report, context: ctx, style: outputOptions.style(toTerminal: tty), width: tty ? Terminal.width : 80,
                                    to: &out.buffered)
            }
            out.close()
        }
    }
}
