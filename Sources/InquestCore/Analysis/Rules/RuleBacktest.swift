/// Evaluates alert rules on every bucket of a `SeriesProvider`, as an alerting engine
/// would have had it watched the archive live, and reports when each rule fired.
///
/// A rule is *pending* from the first bucket where its condition holds, and *fires*
/// once the condition has held for `for:` — at the bucket `ceil(for / bucket width)`
/// buckets after the first (as Prometheus fires at the first evaluation `for` after the
/// condition began; with `for: 0` at once). It stops firing at the first bucket where
/// the condition fails; a bucket without data (nil) never satisfies a comparison, nor
/// does a bucket whose baseline is not yet known (fewer than three earlier buckets with
/// data in the window).
///
/// The *peak* of an interval is the value that departs furthest in the comparison's
/// direction (highest for `>`, lowest for `<`) among its firing buckets; for `and`/`or`
/// the value is the first comparison (in source order) that holds in the bucket, as
/// PromQL keeps the left-hand side.
public enum RuleBacktest {
    /// Trailing window of `N× baseline` when a rule sets no `baseline:`.
    public static let defaultBaselineBuckets = 24

    /// One interval during which a rule fired.
    public struct Firing: Sendable, Equatable {
        public var alert: String
        public var severity: String?
        public var expr: String
        /// First firing bucket, and the bucket where the condition began to hold.
        public var startBucket: Int
        public var pendingSinceBucket: Int
        /// Last bucket where the condition held.
        public var endBucket: Int
        /// True when it still fired at the last bucket of the input.
        public var ongoing: Bool
        /// Start of the first firing bucket.
        public var start: Timestamp
        /// End of the last bucket where the condition held (the interval is [start, end)).
        public var end: Timestamp
        public var peak: Double
        public var peakBucket: Int
        public var peakAt: Timestamp
        /// The threshold at the peak (for `N× baseline`, N times the baseline there).
        public var threshold: Double
        /// The comparison the peak comes from.
        public var comparison: RuleComparison

        public var durationNanos: Int64 { Timestamp.distance(start, end) }
    }

    /// A rule whose selector matches nothing: not an error, but likely a typo.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public var alert: String
        public var message: String
        public var description: String { "rule \(alert): \(message)" }
    }

    public struct Result: Sendable {
        public var rules: Int
        public var firings: [Firing]
        public var warnings: [Warning]
        public var start: Timestamp
        public var bucketNanos: Int64
        public var bucketCount: Int
        /// Alert names that fired at least once, in rule order.
        public var firedAlerts: [String]

        /// The result over inputs without any timed data: no bucket, nothing fired.
        public static func empty(rules: Int) -> Result {
            Result(rules: rules, firings: [], warnings: [], start: Timestamp(nanos: 0), bucketNanos: 0, bucketCount: 0, firedAlerts: [])
        }
    }

    public static func run(_ rules: [AlertRule], on series: some SeriesProvider) -> Result {
        var firings: [Firing] = []
        var warnings: [Warning] = []
        var fired: [String] = []
        for rule in rules {
            let (f, w) = evaluate(rule, on: series)
            firings += f
            warnings += w
            if !f.isEmpty { fired.append(rule.name) }
        }
        return Result(rules: rules.count, firings: firings, warnings: warnings, start: series.start,
                      bucketNanos: series.bucketNanos, bucketCount: series.bucketCount, firedAlerts: fired)
    }

    /// The firing intervals of one rule, and warnings about selectors that match nothing.
    public static func evaluate(_ rule: AlertRule, on series: some SeriesProvider) -> ([Firing], [Warning]) {
        let n = series.bucketCount
        let width = max(1, series.bucketNanos)
        let comparisons = rule.expression.comparisons
        var warnings: [Warning] = []
        var evaluated: [Evaluated] = []
        for c in comparisons {
            var values = series.values(metric: c.metric, matching: c.matchers, lowest: c.op == .less || c.op == .lessOrEqual) ?? []
            if let w = noSeriesWarning(c, values, series) { warnings.append(Warning(alert: rule.name, message: w)) }
            if values.count != n { values = Array(values.prefix(n)) + Array(repeating: nil, count: max(0, n - values.count)) }
            let thresholds: [Double?]
            switch c.threshold {
            case .value(let t): thresholds = Array(repeating: t, count: n)
            case .baseline(let factor):
                let window = rule.baselineNanos.map { Int(min(Int64(Int32.max), ($0 + width - 1) / width)) } ?? defaultBaselineBuckets
                thresholds = TrailingBaseline.median(values, window: max(1, window)).map { $0.map { $0 * factor } }
            }
            evaluated.append(Evaluated(comparison: c, values: values, thresholds: thresholds))
        }

        let need = rule.forNanos <= 0 ? 0 : Int(min(Int64(Int32.max), (rule.forNanos + width - 1) / width))
        var firings: [Firing] = []
        var runStart: Int?
        var current: Firing?
        for i in 0..<n {
            var index = 0
            guard let witness = holds(rule.expression, at: i, evaluated, &index) else {
                if var f = current { close(&f, at: i - 1, series); firings.append(f) }
                current = nil
                runStart = nil
                continue
            }
            let since = runStart ?? i
            runStart = since
            guard i - since >= need else { continue }
            let c = evaluated[witness.index].comparison
            if var f = current {
                if f.comparison == c, c.op.isWorse(witness.value, than: f.peak, threshold: witness.threshold) {
                    f.peak = witness.value; f.peakBucket = i; f.threshold = witness.threshold
                    f.peakAt = bucketStart(i, series)
                }
                current = f
            } else {
                let t = bucketStart(i, series)
                current = Firing(alert: rule.name, severity: rule.severity, expr: rule.expr, startBucket: i,
                                 pendingSinceBucket: since, endBucket: i, ongoing: false, start: t, end: t,
                                 peak: witness.value, peakBucket: i, peakAt: t, threshold: witness.threshold, comparison: c)
            }
        }
        if var f = current {
            close(&f, at: n - 1, series)
            f.ongoing = true
            firings.append(f)
        }
        return (firings, warnings)
    }

    struct Evaluated {
        var comparison: RuleComparison
        var values: [Double?]
        var thresholds: [Double?]
    }

    struct Witness {
        var index: Int
        var value: Double
        var threshold: Double
    }

    /// Whether the expression holds at bucket `i`, with the comparison that decides the
    /// value shown; `next` numbers the comparisons in source order as the tree is walked.
    static func holds(_ e: RuleExpression, at i: Int, _ evaluated: [Evaluated], _ next: inout Int) -> Witness? {
        switch e {
        case .compare:
            let k = next
            next += 1
            let ev = evaluated[k]
            guard let v = ev.values[i], let t = ev.thresholds[i], ev.comparison.op.holds(v, t) else { return nil }
            return Witness(index: k, value: v, threshold: t)
        case .and(let a, let b):
            let left = holds(a, at: i, evaluated, &next)
            let right = holds(b, at: i, evaluated, &next)
            return right == nil ? nil : left
        case .or(let a, let b):
            let left = holds(a, at: i, evaluated, &next)
            let right = holds(b, at: i, evaluated, &next)
            return left ?? right
        }
    }

    static func close(_ f: inout Firing, at last: Int, _ series: some SeriesProvider) {
        f.endBucket = last
        f.end = bucketStart(last + 1, series)
    }

    static func bucketStart(_ i: Int, _ series: some SeriesProvider) -> Timestamp {
        let (offset, o1) = Int64(i).multipliedReportingOverflow(by: series.bucketNanos)
        let (t, o2) = series.start.nanos.addingReportingOverflow(offset)
        return Timestamp(nanos: o1 || o2 ? .max : t, precision: 0)
    }

    /// A warning when no series has label values that satisfy a matcher, or no bucket
    /// has data for the selector.
    static func noSeriesWarning(_ c: RuleComparison, _ values: [Double?], _ series: some SeriesProvider) -> String? {
        guard !values.isEmpty || series.bucketCount == 0 else {
            return "\(c.metric) has no series in this input"
        }
        for m in c.matchers {
            let present = series.labelValues(metric: c.metric, label: m.label)
            if present.contains(where: m.matches) || (present.isEmpty && m.matches(nil)) { continue }
            let known = present.isEmpty ? "no \(m.label) values for \(c.metric)" : "\(m.label) values: " + present.prefix(12).joined(separator: ", ") + (present.count > 12 ? ", …" : "")
            return "\(c.selector) matches no series (\(known))"
        }
        let kind = RuleMetric.named(c.metric)?.kind
        let empty = values.allSatisfy { v in v == nil || ((kind == .count || kind == .rate) && v == 0) }
        if empty && series.bucketCount > 0 { return "\(c.selector) has no data in any bucket" }
        return nil
    }
}

extension RuleBacktest.Witness: Equatable {}
