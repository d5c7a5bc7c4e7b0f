/// Renders `inquest metrics`: one row per series (text within `width` columns, with a
/// sparkline), JSON, or CSV.
public enum MetricRenderer {
    /// Labels as `k=v,k=v` (CSV and JSON-less listings).
    static func labelText(_ s: MetricSeries) -> String {
        s.labels.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The series for a person: its entity's value first, then other labels as `k=v`
    /// (a service that is the pod's workload is not repeated).
    static func shortLabels(_ s: MetricSeries) -> String {
        guard let e = s.entity else { return s.labels.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        var parts = [e]
        var skippedEntity = false
        for (k, v) in s.labels {
            if v == e, !skippedEntity { skippedEntity = true; continue }
            if k == "service", let pod = s.label("pod"), pod.hasPrefix(v) { continue }
            parts.append("\(k)=\(v)")
        }
        return parts.joined(separator: " ")
    }

    /// A number for people in at most six characters (seven with a sign): `33.6k`, `5474`,
    /// `25.9`, `5.18`, `0.0271`, `1.2e-5`.
    public static func number(_ v: Double?) -> String {
        guard let v else { return "-" }
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let a = abs(v)
        let sign = v < 0 ? "-" : ""
        func fixed(_ x: Double, _ digits: Int) -> String {
            var p = 1.0
            for _ in 0..<digits { p *= 10 }
            var s = String((x * p).rounded() / p)
            if s.contains("e") { return s }
            if s.hasSuffix(".0") { s.removeLast(2) }
            return s
        }
        if a == 0 { return "0" }
        if a >= 1e4 { return ReportRenderer.compact(v) }
        if a >= 100 { return sign + String(Int(a.rounded())) }
        if a >= 10 { return sign + fixed(a, 1) }
        if a >= 1 { return sign + fixed(a, 2) }
        if a >= 0.001 { return sign + fixed(a, 4) }
        var e = 0
        var m = a
        while m < 1, e < 400 { m *= 10; e += 1 }
        return sign + fixed(m, 1) + "e-\(e)"
    }

    public static func text(_ rows: [MetricSummary], total: Int, style: Style, time: TimeDisplay, width: Int,
                            to out: inout some TextOutputStream) {
        guard !rows.isEmpty else { out.write("no series\n"); return }
        let nums = 6
        let spark = max(6, min(24, width / 8))
        let fixed = 5 + 3 * (nums + 1) + spark + 2
        let rest = max(20, width - fixed)
        let nameW = max(10, min(rest * 11 / 20, rows.map { displayWidth($0.series.name) }.max() ?? 10))
        let entityW = max(8, rest - nameW - 1)
        out.write(style.dim(fit("METRIC", nameW) + " " + fit("SERIES", entityW) + " " + fit("N", 5, alignRight: true) + " "
                            + fit("MIN", nums, alignRight: true) + " " + fit("MEDIAN", nums, alignRight: true) + " "
                            + fit("MAX", nums, alignRight: true) + "  " + "TREND") + "\n")
        for r in rows {
            let s = r.series
            let values = s.points.map { $0.value.isNaN ? nil : Optional($0.value) }
            // The sparkline spans min to max (not zero to max): metrics are levels, not counts.
            let lo = r.min ?? 0
            let shifted = values.map { $0.map { $0 - lo } }
            var line = fit(printable(s.name), nameW) + " " + fit(printable(shortLabels(s)), entityW) + " "
            line += fit(grouped(r.points), 5, alignRight: true) + " "
            line += fit(number(r.min), nums, alignRight: true) + " " + fit(number(r.median), nums, alignRight: true) + " "
            line += fit(number(r.max), nums, alignRight: true) + "  "
            line += style.paint(ReportRenderer.sparkline(shifted, width: spark), .cyan)
            out.write(line + "\n")
        }
        if let f = rows.compactMap(\.first).min(), let l = rows.compactMap(\.last).max() {
            let shown = rows.count == total ? plural(total, "series", "series") : "\(grouped(rows.count)) of \(plural(total, "series", "series"))"
            out.write(style.dim("\(shown), \(time.short(f)) → \(time.short(l))") + "\n")
        }
    }

    /// RFC 3339 with as many fraction digits as the time needs (0, 3, 6 or 9).
    static func time(_ nanos: Int64) -> String {
        let f = nanos - nanos.floorDiv(1_000_000_000) * 1_000_000_000
        return Timestamp(nanos: nanos).rfc3339(digits: f == 0 ? 0 : f % 1_000_000 == 0 ? 3 : f % 1000 == 0 ? 6 : 9)
    }

    /// A series' `name`, `labels` and `unit` as JSON members (shared with `report`).
    static func identity(_ s: MetricSeries, into j: inout JSONOut) {
        j.field("name", s.name)
        j.beginObject("labels")
        for (k, v) in s.labels { j.field(k, v) }
        j.endObject()
        j.field("unit", s.unit)
    }

    public static func json(_ rows: [MetricSummary], skipped: Int, points: Bool, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginArray("series")
        for r in rows {
            j.beginObject()
            identity(r.series, into: &j)
            j.field("points", r.points)
            j.field("missing", r.missing)
            j.field("first", r.first?.rfc3339())
            j.field("last", r.last?.rfc3339())
            optional(&j, "min", r.min)
            optional(&j, "median", r.median)
            optional(&j, "max", r.max)
            optional(&j, "last_value", r.lastValue)
            if points {
                j.beginArray("values")
                for p in r.series.points {
                    j.beginObject()
                    j.field("time", time(p.time))
                    optional(&j, "value", p.value.isNaN ? nil : p.value)
                    j.endObject()
                }
                j.endArray()
            }
            j.endObject()
        }
        j.endArray()
        j.field("skipped", skipped)
        j.endObject()
        out.write(j.text)
        out.write("\n")
    }

    static func optional(_ j: inout JSONOut, _ k: String, _ v: Double?) {
        if let v, v.isFinite { j.field(k, v) } else { j.field(k, nil as String?) }
    }

    /// One row per series, or with `points` one row per point (`name,labels,time,value`).
    public static func csv(_ rows: [MetricSummary], points: Bool, to out: inout some TextOutputStream) {
        if points {
            out.write("name,labels,time,value\n")
            for r in rows {
                let prefix = csvField(r.series.name) + "," + csvField(labelText(r.series)) + ","
                for p in r.series.points {
                    out.write(prefix + time(p.time) + "," + (p.value.isNaN ? "" : String(p.value)) + "\n")
                }
            }
            return
        }
        out.write("name,labels,unit,points,missing,first,last,min,median,max\n")
        for r in rows {
            let cells = [csvField(r.series.name), csvField(labelText(r.series)), csvField(r.series.unit ?? ""), String(r.points), String(r.missing),
                         r.first?.rfc3339() ?? "", r.last?.rfc3339() ?? "",
                         r.min.map { String($0) } ?? "", r.median.map { String($0) } ?? "", r.max.map { String($0) } ?? ""]
            out.write(cells.joined(separator: ",") + "\n")
        }
    }
}
