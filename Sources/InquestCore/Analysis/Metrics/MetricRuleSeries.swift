/// The series `check` rules read: those of `report` (log and request series), and the
/// series of metric dumps by their own names, on one grid of time buckets.
///
/// A metric series' value in a bucket is the mean of its points there (missing points
/// left out; a bucket without a point is nil). A selector that matches several series
/// (`CpuUsageRate{service="cart"}` over three pods) takes, per bucket, the highest of
/// them for `>`/`>=` and the lowest for `<`/`<=` — the rule fires when any series would
/// have fired, as an alert per series does in Prometheus.
public struct MetricRuleSeries: SeriesProvider {
    public let base: TrendData?
    public let metrics: [MetricSeries]
    public let start: Timestamp
    public let bucketNanos: Int64
    public let bucketCount: Int

    /// - Parameters:
    ///   - base: the report's series, whose grid is kept when there are any.
    ///   - bucketNanos: the width asked for; else one chosen from the range and the
    ///     spacing of the points (never finer than the typical scrape interval).
    public init(base: TrendData?, metrics: [MetricSeries], bucketNanos: Int64?) {
        self.base = base
        self.metrics = metrics
        if let base {
            start = base.start; self.bucketNanos = base.bucketNanos; bucketCount = base.bucketCount
            return
        }
        (start, self.bucketNanos, bucketCount) = Self.grid(metrics, bucketNanos: bucketNanos)
    }

    /// Buckets for series alone: the width asked for, else the finest of the automatic
    /// widths that is no finer than the points' usual spacing and gives at most 200 buckets.
    public static func grid(_ metrics: [MetricSeries], bucketNanos: Int64?) -> (start: Timestamp, bucketNanos: Int64, count: Int) {
        let first = metrics.compactMap { $0.points.first?.time }.min() ?? 0
        let last = metrics.compactMap { $0.points.last?.time }.max() ?? 0
        var width = bucketNanos ?? 0
        if width <= 0 {
            // The median distance between consecutive points.
            var gaps: [Int64] = []
            for s in metrics.prefix(200) where s.points.count > 1 {
                for k in 1..<min(s.points.count, 50) { gaps.append(s.points[k].time - s.points[k - 1].time) }
            }
            gaps.sort()
            let spacing = gaps.isEmpty ? 0 : gaps[gaps.count / 2]
            let range = max(0, last - first)
            width = TrendBucketing.ladder.first { $0 * 11 / 10 >= spacing && range / $0 < Int64(TrendBucketing.maxAutomaticBuckets) }
                ?? TrendBucketing.ladder[TrendBucketing.ladder.count - 1]
        }
        let s = TrendBucketing.index(first, width: width) * width
        let count = metrics.isEmpty ? 0 : Int(min(Int64(TrendBucketing.maxBuckets), (last - s) / width + 1))
        return (Timestamp(nanos: s), width, count)
    }

    public func values(metric: String, matching: [LabelMatcher]) -> [Double?]? {
        values(metric: metric, matching: matching, lowest: false)
    }

    public func values(metric: String, matching: [LabelMatcher], lowest: Bool) -> [Double?]? {
        if RuleMetric.named(metric) != nil {
            guard let base else { return Array(repeating: nil, count: bucketCount) }
            return base.values(metric: metric, matching: matching)
        }
        let selected = metrics.filter { s in s.name == metric && matching.allSatisfy { $0.matches(s.label($0.label)) } }
        guard !selected.isEmpty else { return metrics.contains { $0.name == metric } ? [] : nil }
        var out = [Double?](repeating: nil, count: bucketCount)
        for s in selected {
            for (i, v) in s.bucketMeans(start: start.nanos, width: bucketNanos, count: bucketCount).enumerated() {
                guard let v else { continue }
                if let o = out[i] { out[i] = lowest ? min(o, v) : max(o, v) } else { out[i] = v }
            }
        }
        return out
    }

    public func labelValues(metric: String, label: String) -> [String] {
        if RuleMetric.named(metric) != nil { return base?.labelValues(metric: metric, label: label) ?? [] }
        return Array(Set(metrics.filter { $0.name == metric }.compactMap { $0.label(label) })).sorted()
    }
}
