/// Prometheus HTTP API results, as `curl …/api/v1/query_range` or `…/query` saves them:
/// `{"status": "success", "data": {"resultType": "matrix" | "vector" | "scalar",
/// "result": …}}`. Times are seconds (with a fraction), values strings (`"NaN"`, `"+Inf"`).
/// One document, or one a line.
enum PrometheusAPIFormat {
    static func read(_ doc: JSONNode, into out: inout MetricCollector, stats: inout InputStats) {
        guard doc.isObject else { stats.skip(line: doc.line, reason: "not a Prometheus API response object"); return }
        if let status = doc["status"]?.string, status != "success" {
            let why = [doc["errorType"]?.string, doc["error"]?.string].compactMap { $0 }.joined(separator: ": ")
            stats.skip(line: doc.line, reason: "query failed: \(why.isEmpty ? status : why)")
            return
        }
        guard let data = doc["data"], let type = data["resultType"]?.string else {
            stats.skip(line: doc.line, reason: "no data.resultType")
            return
        }
        func point(_ p: JSONNode) -> MetricSeries.Point? {
            guard let pair = p.array, pair.count == 2, let t = number(pair[0]), let v = value(pair[1]),
                  let ts = TimestampParser.fromEpoch(t) else { return nil }
            return MetricSeries.Point(time: ts.nanos, value: v)
        }
        switch type {
        case "matrix", "vector":
            guard let result = data["result"]?.array else { stats.skip(line: data.line, reason: "no data.result list"); return }
            for r in result {
                var name = "value"
                var labels: [(key: String, value: String)] = []
                for (k, v) in r["metric"]?.members ?? [] {
                    if k == "__name__" { name = v.string ?? name } else { labels.append((k, v.string ?? v.displayString)) }
                }
                let pts = type == "matrix" ? (r["values"]?.array ?? []) : [r["value"]].compactMap { $0 }
                // Native histograms (`histograms`) are not read: said, not dropped silently.
                if let h = r["histograms"]?.array ?? r["histogram"].map({ [$0] }), !h.isEmpty {
                    stats.skip(line: r.line, reason: "native histogram samples not read (\(h.count))")
                    stats.records += h.count - 1
                    stats.skipped += h.count - 1
                }
                for p in pts {
                    if let pt = point(p) {
                        out.add(name: name, labels: labels, unit: nil, point: pt)
                        stats.records += 1
                        stats.parsed += 1
                    } else {
                        stats.skip(line: p.line, reason: "not a [time, \"value\"] pair")
                    }
                }
            }
        case "scalar":
            if let r = data["result"], let pt = point(r) {
                out.add(name: "scalar", labels: [], unit: nil, point: pt)
                stats.records += 1
                stats.parsed += 1
            } else {
                stats.skip(line: data.line, reason: "not a [time, \"value\"] pair")
            }
        default:
            stats.skip(line: data.line, reason: "result type '\(type)' holds no series")
        }
    }

    static func number(_ n: JSONNode) -> Double? {
        if let s = n.string { return Double(s) }
        return Double(n.displayString)
    }

    static func value(_ n: JSONNode) -> Double? {
        let text = n.string ?? n.displayString
        var s = text
        return s.withUTF8 { TableValues.double($0) }
    }
}

