/// The series that `report` computes and `check` rules read, by name and labels.
///
/// Metrics (labels in braces; a label not named in a selector is summed over, and a
/// ratio or percentile is computed after summing, never averaged):
/// - `count{service,level,pattern}` — log records in the bucket.
/// - `rate{service,level,pattern}` — log records per second.
/// - `requests{service,operation}` — requests (server/entry spans or access-log lines).
/// - `request_rate{service,operation}` — requests per second.
/// - `errors{service,operation}` — failed requests.
/// - `error_rate{service,operation}` — failed ÷ requests; for a service with no
///   request data, the share of its log records at error level or above.
/// - `p50`, `p90`, `p95`, `p99`{service,operation} — request latency in seconds.
///
/// A bucket without data is `nil` for ratios and percentiles and `0` for counts.
public protocol SeriesProvider: Sendable {
    /// Start of the first bucket.
    var start: Timestamp { get }
    /// Width of every bucket in nanoseconds.
    var bucketNanos: Int64 { get }
    /// Number of buckets.
    var bucketCount: Int { get }
    /// One value per bucket for the series selected, or nil when the metric is unknown.
    func values(metric: String, matching: [LabelMatcher]) -> [Double?]?
    /// Label values present for a label of a metric (to list what a selector may name).
    func labelValues(metric: String, label: String) -> [String]
    /// As `values(metric:matching:)`; where several series of a metric dump match, the
    /// lowest of them per bucket when `lowest`, else the highest.
    func values(metric: String, matching: [LabelMatcher], lowest: Bool) -> [Double?]?
}

extension SeriesProvider {
    public func values(metric: String, matching: [LabelMatcher], lowest: Bool) -> [Double?]? {
        values(metric: metric, matching: matching)
    }
}

/// One label condition of a selector, as in PromQL: `=`, `!=`, `=~`, `!~`.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Op: String, Sendable { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~" }
    public var label: String
    public var op: Op
    public var value: String

    public init(_ label: String, _ op: Op, _ value: String) {
        self.label = label; self.op = op; self.value = value
    }

    /// Whether a series' label value (nil when the series lacks the label) satisfies this matcher.
    /// Regular expressions are anchored at both ends, as in PromQL.
    public func matches(_ v: String?) -> Bool {
        let s = v ?? ""
        switch op {
        case .equal: return s == value
        case .notEqual: return s != value
        case .matches: return (try? Pattern("^(" + value + ")$"))?.matches(s) ?? false
        case .notMatches: return !((try? Pattern("^(" + value + ")$"))?.matches(s) ?? false)
        }
    }

    public var description: String {
        var escaped = ""
        for c in value {
            if c == "\"" || c == "\\" { escaped.append("\\") }
            escaped.append(c)
        }
        return "\(label)\(op.rawValue)\"\(escaped)\""
    }
}

/// A robust trailing baseline: for each bucket, the median of the `window` buckets
/// before it that have data (nil until at least `minimum` of them do). Shared by
/// `report` (anomalies) and `check` (`> 2× baseline`).
public enum TrailingBaseline {
    public static func median(_ values: [Double?], window: Int, minimum: Int = 3) -> [Double?] {
        var result = [Double?](repeating: nil, count: values.count)
        guard window > 0 else { return result }
        for i in values.indices {
            let lo = max(0, i - window)
            let past = values[lo..<i].compactMap { $0 }
            guard past.count >= max(1, minimum) else { continue }
            let sorted = past.sorted()
            let m = sorted.count / 2
            result[i] = sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
        }
        return result
    }
}
