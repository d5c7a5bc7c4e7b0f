import Foundation

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
        var scratch: [Double] = []
        self.init(s, scratch: &scratch)
    }

    /// - Parameter scratch: room for the values, reused from one series to the next.
    init(_ s: MetricSeries, scratch values: inout [Double]) {
        series = s
        points = s.points.count
        values.removeAll(keepingCapacity: true)
        values.reserveCapacity(s.points.count)
        for p in s.points where !p.value.isNaN { values.append(p.value) }
        missing = points - values.count
        first = s.points.first.map { Timestamp(nanos: $0.time) }
        last = s.points.last.map { Timestamp(nanos: $0.time) }
        // As the ends of the sorted values: the first of the smallest, the last of the largest.
        if var lo = values.first {
            var hi = lo
            for v in values {
                if v < lo { lo = v }
                if v >= hi { hi = v }
            }
            min = lo
            max = hi
        }
        median = Self.median(&values)
        lastValue = s.points.last(where: { !$0.value.isNaN })?.value
    }

    /// Summaries of many series, on every core.
    public static func of(_ series: [MetricSeries]) -> [MetricSummary] {
        guard series.count > 1 else { return series.map(MetricSummary.init) }
        let parts = Swift.min(series.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        let box = ResultBox<[MetricSummary]>(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = series.count * k / parts, hi = series.count * (k + 1) / parts
            var scratch: [Double] = []
            box.set(k, series[lo..<hi].map { MetricSummary($0, scratch: &scratch) })
        }
        return box.take().flatMap { $0 }
    }

    /// The median of values without NaN (the mean of the middle two for an even count),
    /// found by selection instead of a sort; the order of `values` is lost.
    static func median(_ values: inout [Double]) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        return values.withUnsafeMutableBufferPointer { b -> Double in
            select(b, n / 2)
            let upper = b[n / 2]
            guard n % 2 == 0 else { return upper }
            // The largest of the lower half is the middle value just below.
            var lower = b[0]
            for i in 1..<(n / 2) where b[i] > lower { lower = b[i] }
            return (lower + upper) / 2
        }
    }

    /// Puts the k-th smallest at `k`, smaller-or-equal values before it and greater-or-equal
    /// after (quickselect on the median of three; a sort once a range stops shrinking fast).
    static func select(_ b: UnsafeMutableBufferPointer<Double>, _ k: Int) {
        var lo = 0, hi = b.count - 1
        var rounds = 0
        while hi > lo {
            rounds += 1
            if rounds > 64 || hi - lo < 16 {
                var range = UnsafeMutableBufferPointer(rebasing: b[lo...hi])
                range.sort()
                return
            }
            let mid = lo + (hi - lo) / 2
            if b[mid] < b[lo] { b.swapAt(mid, lo) }
            if b[hi] < b[lo] { b.swapAt(hi, lo) }
            if b[hi] < b[mid] { b.swapAt(hi, mid) }
            let pivot = b[mid]
            var i = lo, j = hi
            while i <= j {
                while b[i] < pivot { i += 1 }
                while pivot < b[j] { j -= 1 }
                if i <= j { b.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }
}
