import Foundation

/// When the incident began: the moment errors or latency departed from normal.
///
/// Each signal gives a sequence in time order — every request's entry latency against
/// the median of its entry operation (up or down), its size in spans (down: requests
/// cut short), and whether it failed; every warning-or-worse log line against the other
/// lines — and the stretch whose ranks differ most from the rest's, higher or lower
/// (Wilcoxon rank-sum z, at least 5, `Robust.segment`), is the window: an incident that
/// ended inside the input, or, when the stretch reaches back to the start (it splits the
/// input in two), the later part — inputs are taken during or after incidents. When
/// requests as a whole show nothing, each busy operation's self time is scanned the same
/// way (a slowdown of one operation of many). Metric series have too few points for a rank test: the
/// longest tail that lies far (6 robust σ) from the points before it starts the window.
/// Without any, the whole input is the window and nothing in it is a baseline.
public struct IncidentWindow: Sendable {
    public var start: Timestamp
    public var end: Timestamp
    /// What it was found from: `given`, `request latency`, `request errors`, `error logs`,
    /// `metrics`, or `none` (no departure found: the whole input).
    public var source: String
    /// The departure's rank-sum z against the rest of the input, when found from requests or logs;
    /// a metric's robust z when found from metrics.
    public var z: Double?
    /// One sentence for people.
    public var description: String

    public var detected: Bool { source != "none" && source != "given" }

    /// A time-ordered sequence of one signal's observations.
    struct Series {
        var name: String
        var times: [Int64]
        var values: [Double]
        /// Only a rise counts (an operation's self time: one faster stretch is no incident);
        /// else a stretch higher or lower than the rest.
        var risingOnly: Bool
        var threshold: Double
        var minSegment: Int
    }

    static func requestSeries(_ traces: [Trace]) -> [Series] {
        var rows: [(Int64, String, Double, Bool, Int)] = []
        rows.reserveCapacity(traces.count)
        for t in traces {
            guard let r = t.rootIndex else { continue }
            let s = t.nodes[r].span
            rows.append((t.start.nanos, s.service + " " + s.operation, Double(max(1, t.durationNanos)), s.isError, t.nodes.count))
        }
        guard rows.count >= 20 else { return [] }
        rows.sort { $0.0 < $1.0 }
        let counts = rows.map(\.4)
        var byOp: [String: [Double]] = [:]
        for r in rows { byOp[r.1, default: []].append(r.2) }
        let medians = byOp.mapValues { Robust.median($0.sorted()) }
        let times = rows.map(\.0)
        let minSeg = max(10, rows.count / 100)
        // Latency may depart either way: requests cut short by a fault get faster. So may
        // their size: a request that stops early makes fewer calls.
        let latency = rows.map { log($0.2 / max(1, medians[$0.1] ?? 1)) }
        var out = [Series(name: "request latency", times: times, values: latency, risingOnly: false, threshold: 5, minSegment: minSeg)]
        var sizes: [String: [Double]] = [:]
        for (k, r) in rows.enumerated() { sizes[r.1, default: []].append(Double(counts[k])) }
        let sizeMedians = sizes.mapValues { Robust.median($0.sorted()) }
        let size = rows.enumerated().map { log(max(1, Double(counts[$0.offset])) / max(1, sizeMedians[$0.element.1] ?? 1)) }
        out.append(Series(name: "request size (spans)", times: times, values: size, risingOnly: false, threshold: 5, minSegment: minSeg))
        if rows.contains(where: \.3) {
            out.append(Series(name: "request errors", times: times, values: rows.map { $0.3 ? 1 : 0 }, risingOnly: false, threshold: 5, minSegment: minSeg))
        }
        return out
    }

    /// Each busy operation's self time (against its median), for a fault that slows one
    /// operation of many: too little of the requests' time to move their latency as a whole.
    /// Many series are scanned, so a departure must be stronger (z ≥ 6).
    static func operationSeries(_ traces: [Trace], minSpans: Int = 100) -> [Series] {
        var rows: [String: [(Int64, Double)]] = [:]
        for t in traces {
            for i in t.nodes.indices {
                let n = t.nodes[i]
                rows[n.span.service + " " + n.span.operation, default: []].append((n.span.start.nanos, Double(max(1, n.selfNanos))))
            }
        }
        var out: [Series] = []
        for (name, r) in rows.sorted(by: { $0.key < $1.key }) where r.count >= minSpans {
            let sorted = r.sorted { $0.0 < $1.0 }
            let m = max(1, Robust.median(sorted.map(\.1).sorted()))
            out.append(Series(name: "self time of \(name)", times: sorted.map(\.0), values: sorted.map { log($0.1 / m) }, risingOnly: true,
                              threshold: 6, minSegment: max(10, sorted.count / 100)))
        }
        return out
    }

    static func logSeries(_ lines: [(time: Int64, bad: Bool)]) -> [Series] {
        guard lines.count >= 20, lines.contains(where: \.bad) else { return [] }
        let sorted = lines.sorted { $0.time < $1.time }
        return [Series(name: "error logs", times: sorted.map(\.time), values: sorted.map { $0.bad ? 1 : 0 }, risingOnly: false,
                       threshold: 5, minSegment: max(10, lines.count / 100))]
    }

    /// A metric's few points: the longest tail (up to a third of the series) whose median,
    /// and first point (by half as much), lie at least `minZ` robust σ (1.4826·MAD, at least 5 % of the median) from the
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
            // The tail's first point must have departed too, or the tail reaches back too far.
            let first = (pts[pts.count - tail].value - m) / sigma
            if abs(z) >= minZ && first * z > 0 && abs(first) >= minZ / 2 { best = (pts[pts.count - tail].time, z) }
        }
        return best
    }

    /// The window of the first kind of signal that shows a departure: requests, then
    /// each operation's self time, then logs, then metrics (the least precise in time).
    static func detect(requests: [Trace], logs: [(time: Int64, bad: Bool)], metrics: [MetricSeries]) -> IncidentWindow? {
        let groups: [() -> [Series]] = [{ requestSeries(requests) }, { operationSeries(requests) }, { logSeries(logs) }]
        for make in groups {
            let group = make()
            var best: (Series, Robust.Segment)?
            for s in group {
                for higher in s.risingOnly ? [true] : [true, false] {
                    guard let seg = Robust.segment(s.values, minSegment: s.minSegment, higher: higher), abs(seg.z) >= s.threshold else { continue }
                    if best == nil || abs(seg.z) > abs(best!.1.z) { best = (s, seg) }
                }
            }
            guard let (s, seg) = best else { continue }
            // A stretch that reaches back to the start of the input splits it in two, as its
            // complement does: the later part is the incident (an input is taken during or
            // after an incident, rarely of its recovery alone). A stretch inside is the incident.
            let n = s.values.count
            let edge = max(s.minSegment, n / 100)
            var lo = seg.start, hi = seg.end
            if lo <= edge && hi < n - edge { lo = hi; hi = n }
            return IncidentWindow(start: Timestamp(nanos: s.times[lo]), end: Timestamp(nanos: s.times[hi - 1]), source: s.name,
                                  z: seg.z, description: "\(s.name) departed from normal (rank-sum z = \(String(format: "%+.1f", seg.z)) between the window and the rest)")
        }
        // Metrics alone: the most departed series says when.
        var best: (MetricSeries, Int64, Double)?
        for s in metrics {
            guard let d = metricDeparture(s) else { continue }
            if best == nil || abs(d.z) > abs(best!.2) { best = (s, d.start, d.z) }
        }
        if let (s, start, z) = best, let end = metrics.compactMap({ $0.points.last?.time }).max() {
            return IncidentWindow(start: Timestamp(nanos: start), end: Timestamp(nanos: end), source: "metrics", z: z,
                                  description: "metric \(s.key) departed from normal (\(String(format: "%+.1f", z)) robust σ)")
        }
        return nil
    }
}
