import Foundation

/// Metrics as a root-cause signal: per entity, the series that left their normal range
/// in the incident window, against the window before it.
///
/// A series departs when the median of its points in the window lies at least 6 robust σ
/// (1.4826·MAD of the points before, at least 5 % of their median) from the median before.
/// A success or availability rate departs only downwards. What moved on nearly every
/// entity (load, a shared node) says nothing about any one of them: a metric's weight is
/// shared among the entities where it departed. An entity's weight is the sum over its
/// departed series of min(|z|, 30) / 30. Pods are their workloads (`PodName`).
enum MetricSignal {
    /// A coarse category from the metric's name, as Prometheus, cAdvisor and
    /// monitoring exports spell them.
    static func category(_ name: String) -> (name: String, kind: String) {
        let n = name.lowercased()
        if n.contains("success") || n.contains("availab") { return ("success rate", "error") }
        if n.contains("error") || n.contains("fail") { return ("errors", "error") }
        if n.contains("latency") || n.contains("duration") || n.contains("response_time") { return ("latency", "latency") }
        if n.contains("cpu") { return ("cpu", "resource") }
        if n.contains("mem") { return ("memory", "resource") }
        if n.contains("network") || n.contains("receive") || n.contains("transmit") || n.contains("_bytes") { return ("network", "resource") }
        return ("other", "resource")
    }

    static func service(of s: MetricSeries) -> String? {
        if let v = s.label("service") { return v }
        return s.entity.map(PodName.service)
    }

    static func analyze(_ series: [MetricSeries], window: IncidentWindow?, minZ: Double = 6) -> [SignalFinding] {
        struct Departure { var series: MetricSeries; var service: String; var z: Double; var before: Double; var after: Double; var nb: Int; var na: Int }
        var departures: [Departure] = []
        for s in series {
            guard let svc = service(of: s) else { continue }
            let pts = s.points.filter { $0.value.isFinite }
            guard pts.count >= 6 else { continue }
            let start: Int64
            var end = Int64.max
            if let w = window, w.detected || w.source == "given" {
                start = w.start.nanos
                // A point stamps the interval before it: the one after the window's end still speaks of it.
                let spacing = pts.count > 1 ? (pts[pts.count - 1].time - pts[0].time) / Int64(pts.count - 1) : 0
                end = w.end.nanos &+ spacing
            } else if let d = IncidentWindow.metricDeparture(s, minZ: minZ) {
                start = d.start
            } else {
                continue
            }
            let before = pts.filter { $0.time < start }.map(\.value).sorted()
            let after = pts.filter { $0.time >= start && $0.time <= end }.map(\.value).sorted()
            guard before.count >= 5, !after.isEmpty else { continue }
            let mb = Robust.median(before), ma = Robust.median(after)
            let sigma = max(Robust.scaledMAD(before), 0.05 * abs(mb), 1e-9)
            var z = (ma - mb) / sigma
            if category(s.name).name == "success rate" { z = min(0, z) }
            guard abs(z) >= minZ else { continue }
            departures.append(Departure(series: s, service: svc, z: z, before: mb, after: ma, nb: before.count, na: after.count))
        }
        // A metric that departed on most entities is shared, not specific.
        let entities = Set(series.compactMap(service(of:)))
        var departedOn: [String: Set<String>] = [:]
        for d in departures { departedOn[d.series.name, default: []].insert(d.service) }
        var findings: [SignalFinding] = []
        for d in departures {
            let spread = departedOn[d.series.name]?.count ?? 1
            let c = category(d.series.name)
            var w = min(abs(d.z), 30) / 30 / Double(spread)
            if entities.count >= 3 && Double(spread) > 0.5 * Double(entities.count) { w /= 2 }
            let evidence = [String(format: "%@ %@: median %@ → %@ (%+.1f robust σ; %d points before, %d in the window)",
                                   d.series.key, d.z > 0 ? "rose" : "fell", fmt(d.before), fmt(d.after), d.z, d.nb, d.na)]
                + (spread > 1 ? ["departed on \(spread) entities: weight shared"] : [])
            findings.append(SignalFinding(signal: .metrics, service: d.service, operation: d.series.name, kind: c.kind,
                                          weight: w, evidence: evidence))
        }
        return findings
    }

    static func fmt(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1e6 || a < 1e-3 { return String(format: "%.3g", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        return String(format: "%.3g", v)
    }
}
