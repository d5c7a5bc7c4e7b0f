import Foundation

/// When the incident began: the moment errors or latency departed from normal.
///
/// Each signal gives a sequence in time order — every request's entry latency against
/// the median of its entry operation, and whether it failed; every warning-or-worse log
/// line against the other lines; every metric series' points — and Pettitt's rank test
/// finds the split where the values after differ most from those before. The most
/// significant split (p < 0.001), with values worse after it, starts the window; a later
/// split back to normal ends it. Metric series have too few points for a rank test: the
/// longest tail that lies far (6 robust σ) from the points before it starts the window.
/// Without any, the whole input is the window and nothing in it is a baseline.
public struct IncidentWindow: Sendable {
    public var start: Timestamp
    public var end: Timestamp
    /// What it was found from: `given`, `request latency`, `request errors`, `error logs`,
    /// `metrics`, or `none` (no departure found: the whole input).
    public var source: String
    /// The change's p-value (Pettitt), when found.
    public var p: Double?
    /// One sentence for people.
    public var description: String

    public var detected: Bool { source != "none" && source != "given" }

    /// A time-ordered sequence of one signal's observations.
    struct Series {
        var name: String
        var times: [Int64]
        var values: [Double]
        var rising: Bool
        var threshold: Double
        var minSegment: Int
    }

    static func requestSeries(_ traces: [Trace]) -> [Series] {
        var rows: [(Int64, String, Double, Bool)] = []
        rows.reserveCapacity(traces.count)
        for t in traces {
            guard let r = t.rootIndex else { continue }
            let s = t.nodes[r].span
            rows.append((t.start.nanos, s.service + " " + s.operation, Double(max(1, t.durationNanos)), s.isError))
        }
        guard rows.count >= 20 else { return [] }
        rows.sort { $0.0 < $1.0 }
        var byOp: [String: [Double]] = [:]
        for r in rows { byOp[r.1, default: []].append(r.2) }
        let medians = byOp.mapValues { Robust.median($0.sorted()) }
        let times = rows.map(\.0)
        let minSeg = max(10, rows.count / 100)
        var out = [Series(name: "request latency", times: times, values: rows.map { log($0.2 / max(1, medians[$0.1] ?? 1)) },
                          rising: true, threshold: 0.001, minSegment: minSeg)]
        if rows.contains(where: \.3) {
            out.append(Series(name: "request errors", times: times, values: rows.map { $0.3 ? 1 : 0 }, rising: true, threshold: 0.001, minSegment: minSeg))
        }
        return out
    }

    static func logSeries(_ lines: [(time: Int64, bad: Bool)]) -> [Series] {
        guard lines.count >= 20, lines.contains(where: \.bad) else { return [] }
        let sorted = lines.sorted { $0.time < $1.time }
        return [Series(name: "error logs", times: sorted.map(\.time), values: sorted.map { $0.bad ? 1 : 0 }, rising: true,
                       threshold: 0.001, minSegment: max(10, lines.count / 100))]
    }

    /// A metric's few points: the longest tail (up to a third of the series) whose median
    /// lies at least `minZ` robust σ (1.4826·MAD, at least 5 % of the median) from the
    /// points before it. Returns the tail's first time and its z.
    static func metricDeparture(_ s: MetricSeries, minZ: Double = 6) -> (start: Int64, z: Double)? {
        let pts = s.points.filter { $0.value.isFinite }
        guard pts.count >= 8 else { return nil }
        var best: (Int64, Double)?
        for tail in 1...max(1, pts.count / 3) {
            let before = pts[..<(pts.count - tail)].map(\.value).sorted()
            let after = pts[(pts.count - tail)...].map(\.value).sorted()
            let m = Robust.median(before)
            let sigma = max(Robust.scaledMAD(before), 0.05 * abs(m), 1e-9)
            let z = (Robust.median(after) - m) / sigma
            if abs(z) >= minZ { best = (pts[pts.count - tail].time, z) }
        }
        return best
    }

    /// The window of the first kind of signal that shows a departure: requests, then
    /// logs, then metrics (the least precise in time).
    static func detect(requests: [Trace], logs: [(time: Int64, bad: Bool)], metrics: [MetricSeries]) -> IncidentWindow? {
        for group in [requestSeries(requests), logSeries(logs)] {
            var best: (Series, Robust.ChangePoint)?
            for s in group {
                guard let cp = Robust.pettitt(s.values, minSegment: s.minSegment, rising: s.rising), cp.p < s.threshold else { continue }
                if best == nil || cp.p < best!.1.p { best = (s, cp) }
            }
            guard let (s, cp) = best else { continue }
            let start = s.times[cp.index]
            var endIndex = s.times.count - 1
            // Back to normal later on?
            let rest = Array(s.values[cp.index...])
            if let back = Robust.pettitt(rest, minSegment: s.minSegment, rising: !s.rising), back.p < s.threshold {
                endIndex = cp.index + back.index - 1
            }
            return IncidentWindow(start: Timestamp(nanos: start), end: Timestamp(nanos: s.times[endIndex]), source: s.name, p: cp.p,
                                  description: "\(s.name) departed from normal (Pettitt p = \(String(format: "%.1g", cp.p)))")
        }
        // Metrics alone: the most departed series says when.
        var best: (MetricSeries, Int64, Double)?
        for s in metrics {
            guard let d = metricDeparture(s) else { continue }
            if best == nil || abs(d.z) > abs(best!.2) { best = (s, d.start, d.z) }
        }
        if let (s, start, z) = best, let end = metrics.compactMap({ $0.points.last?.time }).max() {
            return IncidentWindow(start: Timestamp(nanos: start), end: Timestamp(nanos: end), source: "metrics", p: nil,
                                  description: "metric \(s.key) departed from normal (\(String(format: "%+.1f", z)) robust σ)")
        }
        return nil
    }
}
