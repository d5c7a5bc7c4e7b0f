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
        let first = metrics.compactMap { $0.points.first?.time }.min() ?? 0
        let last = metrics.compactMap { $0.points.last?.time }.max() ?? 0
        var width = bucketNanos ?? 0
        if width <= 0 {
            // The median distance between consecutive points, and no more than 200 buckets.
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
        self.bucketNanos = width
        let s = TrendBucketing.index(first, width: width) * width
        start = Timestamp(nanos: s)
        bucketCount = metrics.isEmpty ? 0 : Int(min(Int64(TrendBucketing.maxBuckets), (last - s) / width + 1))
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
            var sums = [Double](repeating: 0, count: bucketCount)
            var counts = [Int](repeating: 0, count: bucketCount)
            for p in s.points where !p.value.isNaN {
                let i = (p.time - start.nanos).floorDiv(bucketNanos)
                guard i >= 0, i < Int64(bucketCount) else { continue }
                sums[Int(i)] += p.value
                counts[Int(i)] += 1
            }
            for i in 0..<bucketCount where counts[i] > 0 {
                let v = sums[i] / Double(counts[i])
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
