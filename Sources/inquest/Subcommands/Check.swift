import ArgumentParser
import Foundation
import InquestCore

/// Output forms of `check`.
enum CheckOutput: String, ExpressibleByArgument, CaseIterable { case text, json }

extension Inquest {
    /// Backtests alert rules over the archive.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Backtest alert rules (YAML) over the archive: when each would have fired.",
            discussion: """
                The inputs become series per time bucket, as in report: count and rate of log \
                records {service, level, pattern}; requests, request_rate, errors, error_rate and \
                latency p50, p90, p95, p99 in seconds {service, operation}; and every series of the \
                metric dumps among the inputs by its own name and labels, such as \
                CpuUsageRate{pod=~"cart.*"} > 80 (a bucket's value is the mean of the series' \
                points in it; several matching series give the highest, the lowest for <). A rule file holds \
                `groups:` of `rules:` (or a top-level `rules:` list); each rule has `alert:` \
                (a name), `expr:`, and optionally `for:`, `severity:`, `summary:` and `baseline:`. \
                Expressions compare a selector with a threshold: \
                error_rate{service="payment"} > 5%, p99{service="checkout"} > 800ms, \
                count{pattern="..."} > 10, rate{level="error"} > 2x baseline (the series' \
                median over the trailing baseline window, 24 buckets unless `baseline:` says), \
                joined with and/or. A rule fires once its condition has held for `for:` \
                (rounded up to whole buckets); buckets without data never satisfy it. \
                Exit status: 0 no rule fired, 1 a rule fired, 2 invalid rule file \
                (FILE:LINE:COLUMN: message) or usage, 3 no input could be read.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        /// The YAML rule file.
        @Option(help: ArgumentHelp("Rule file (YAML) with the alert rules to backtest.", valueName: "file"))
        var rules: String

        /// Bucket width; automatic when absent.
        @Option(help: ArgumentHelp("Evaluate the rules every bucket of this width (1m, 5m, 1h, 1d); default: chosen from the time range.", valueName: "width"))
        var bucket: String?

        @Option(help: "Output: text or json.")
        var output: CheckOutput = .text

        func validate() throws {
            if let bucket, TrendBucketing.parse(bucket) == nil {
                throw ValidationError("--bucket: '\(bucket)' is not a width of at least 1s that divides a day (e.g. 1m, 5m, 1h) or a whole number of days, at most 3000d.")
            }
        }

        func run() throws {
            // The rule file first: a mistake there is reported before any input is read.
            // Metric dumps first: their series names may appear in the rules.
            let (units, problems) = input.discover()
            let metrics = MetricLoad.load(units, format: input.format)
            let alertRules: [AlertRule]
            do throws(RuleFileErrors) {
                alertRules = try RuleFile.load(path: rules, series: Set(metrics.series.map(\.name)))
            } catch {
                for e in error.errors {
                    Output.stderr.write(e.line > 0 ? "\(rules):\(e.description)\n" : "inquest: \(rules): \(e.message)\n")
                }
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }

            var options = TrendReader.Options()
            options.bucketNanos = bucket.flatMap(TrendBucketing.parse)
            options.since = range.sinceBound
            options.until = range.untilBound
            options.format = input.format
            // Mining templates costs time; only `pattern` selectors need it.
            options.patterns = alertRules.contains { $0.expression.comparisons.contains { $0.matchers.contains { $0.label == "pattern" } } }
            let read = TrendReader.read(units, options: options)
            reportProblems(read.stats + metrics.stats + metrics.unreadable, problems)
            if nothingRead(read.stats + metrics.stats, problems) { throw ExitCode(Exit.noInput) }

            // Metric dumps' series, cut to the time range.
            let metricSeries = range.metricQuery(over: metrics.series).run(metrics.series)

            let result: RuleBacktest.Result
            do throws(TrendAggregate.LayoutError) {
                let data = try read.aggregate.data()
                if data != nil || !metricSeries.isEmpty {
                    result = RuleBacktest.run(alertRules, on: MetricRuleSeries(base: data, metrics: metricSeries, bucketNanos: options.bucketNanos))
                } else {
                    Output.stderr.write("inquest: no timed records, requests or metric samples in the inputs; no bucket to evaluate\n")
                    result = .empty(rules: alertRules.count)
                }
            } catch {
                Output.stderr.write("inquest: \(error.description)\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            let warn = Style(enabled: Terminal.isTTY(2) && !Terminal.noColor)
            for w in result.warnings { Output.stderr.write(warn.paint("inquest: warning: ", .yellow, bold: true) + w.description + "\n") }
            Output.stderr.flush()

            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .json:
                CheckRenderer.json(result, skipped: read.stats.reduce(0) { $0 + $1.skipped } + metrics.stats.reduce(0) { $0 + $1.skipped }, to: &out.buffered)
            case .text:
                let tty = outputOptions.writesToTerminal
                CheckRenderer.text(result, rules: alertRules, style: outputOptions.style(toTerminal: tty), time: outputOptions.timeDisplay,
                                   width: tty ? Terminal.width : 80, to: &out.buffered)
            }
            out.close()
            if !result.firings.isEmpty { throw ExitCode(Exit.fired) }
        }
    }
}
