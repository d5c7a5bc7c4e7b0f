/// Selects metric series and points, as PromQL's selectors do: a name (a regular
/// expression matched whole, so a plain name matches itself), label matchers
/// (`k=v`, `k!=v`, `k=~re`, `k!~re`) and a time range.
public struct MetricQuery: Sendable {
    public struct Matcher: Sendable {
        public enum Op: String, Sendable { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~" }
        public var label: String
        public var op: Op
        public var value: String

        public init(label: String, op: Op, value: String) { self.label = label; self.op = op; self.value = value }

        /// `k=v`, `k!=v`, `k=~re`, `k!~re`; nil when it is none of these or a regex is bad.
        public static func parse(_ s: String) -> Matcher? {
            for op in [Op.matches, .notMatches, .notEqual, .equal] {
                if let r = s.range(of: op.rawValue) {
                    let k = String(s[..<r.lowerBound]).trimmingSpaces
                    var v = String(s[r.upperBound...]).trimmingSpaces
                    if v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") { v = String(v.dropFirst().dropLast()) }
                    guard !k.isEmpty else { return nil }
                    if op == .matches || op == .notMatches, (try? Regex(v)) == nil { return nil }
                    return Matcher(label: k, op: op, value: v)
                }
            }
            return nil
        }

        public func matches(_ s: MetricSeries) -> Bool {
            let v = label == "__name__" ? s.name : (s.label(label) ?? "")
            switch op {
            case .equal: return v == value
            case .notEqual: return v != value
            case .matches: return MetricQuery.whole(value, v)
            case .notMatches: return !MetricQuery.whole(value, v)
            }
        }
    }

    /// A regular expression the name must match whole.
    public var name: String?
    public var matchers: [Matcher] = []
    public var since: Timestamp?
    public var until: Timestamp?

    public init() {}

    static func whole(_ pattern: String, _ s: String) -> Bool {
        guard let r = try? Regex(pattern) else { return pattern == s }
        return (try? r.wholeMatch(in: s)) != nil
    }

    public func selects(_ s: MetricSeries) -> Bool {
        if let name, name != s.name, !Self.whole(name, s.name) { return false }
        return matchers.allSatisfy { $0.matches(s) }
    }

    /// The selected series with their points cut to the time range; series left without
    /// a point are dropped.
    public func run(_ series: [MetricSeries]) -> [MetricSeries] {
        series.compactMap { s in
            guard selects(s) else { return nil }
            var s = s
            if since != nil || until != nil {
                let lo = since?.nanos ?? .min, hi = until?.nanos ?? .max
                s.points = s.points.filter { $0.time >= lo && $0.time <= hi }
            }
            return s.points.isEmpty ? nil : s
        }
    }
}

/// What `inquest metrics` shows of one series.
public struct MetricSummary: Sendable {
    public var series: MetricSeries
    public var points: Int
    /// Points whose value is missing (NaN).
    public var missing: Int
    public var first: Timestamp?
    public var last: Timestamp?
    public var min: Double?
    public var median: Double?
    public var max: Double?
    public var lastValue: Double?

    public init(_ s: MetricSeries) {
        series = s
        points = s.points.count
        let values = s.values.sorted()
        missing = points - values.count
        first = s.points.first.map { Timestamp(nanos: $0.time) }
        last = s.points.last.map { Timestamp(nanos: $0.time) }
        min = values.first
        max = values.last
        median = values.isEmpty ? nil : values.count % 2 == 1 ? values[values.count / 2]
            : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
        lastValue = s.points.last(where: { !$0.value.isNaN })?.value
    }
}
