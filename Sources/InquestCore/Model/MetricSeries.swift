/// One metric series: a name, labels, and (time, value) points — Prometheus's data model,
/// which every metric dump Inquest reads comes down to.
///
/// A missing value (`NaN` or an empty cell in a table) is kept as a point whose value is
/// `.nan`: a gap, never a zero.
public struct MetricSeries: Sendable {
    public struct Point: Sendable, Equatable {
        /// Nanoseconds since the epoch.
        public var time: Int64
        public var value: Double
        public init(time: Int64, value: Double) { self.time = time; self.value = value }
        public static func == (a: Point, b: Point) -> Bool {
            a.time == b.time && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
        }
    }

    public var name: String
    /// Sorted by key.
    public var labels: [(key: String, value: String)]
    /// The unit the source named (`%`, `Mi`, `s`), if any.
    public var unit: String?
    /// In time order once loaded.
    public var points: [Point]

    public init(name: String, labels: [(key: String, value: String)], unit: String? = nil, points: [Point] = []) {
        self.name = name
        self.labels = labels.sorted { $0.key < $1.key }
        self.unit = unit
        self.points = points
    }

    /// `name{k="v",…}`, as Prometheus writes a series.
    public var key: String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    public func label(_ k: String) -> String? { labels.first(where: { $0.key == k })?.value }

    /// The entity a series describes: its pod, service, instance… label; nil for a series
    /// without one (its labels are then dimensions such as `code` or `le`).
    public var entity: String? {
        for k in ["pod", "service", "instance", "container", "node", "host", "job", "entity"] { if let v = label(k) { return v } }
        return nil
    }

    /// Values that are present (not NaN).
    public var values: [Double] { points.compactMap { $0.value.isNaN ? nil : $0.value } }

    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 == 0x0A }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// The mean of the present points in each of `count` buckets of `width` from `start`
    /// (nil for a bucket without one).
    public func bucketMeans(start: Int64, width: Int64, count: Int) -> [Double?] {
        var sums = [Double](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: count)
        for p in points where !p.value.isNaN && p.value.isFinite {
            let (d, o) = p.time.subtractingReportingOverflow(start)
            guard !o else { continue }
            let i = d.floorDiv(max(1, width))
            guard i >= 0, i < Int64(count) else { continue }
            sums[Int(i)] += p.value
            counts[Int(i)] += 1
        }
        return (0..<count).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : nil }
    }
}
