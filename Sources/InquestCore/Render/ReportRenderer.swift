/// Renders a `TrendReport`: text for the terminal (sparklines, aligned, within `width`
/// columns), Markdown tables, and the JSON of DESIGN.md.
public enum ReportRenderer {
    /// Facts about the run that are not part of the report itself.
    public struct Context: Sendable {
        public var skipped: Int
        public var inputs: Int
        public var time: TimeDisplay
        public init(skipped: Int = 0, inputs: Int = 0, time: TimeDisplay = TimeDisplay()) {
            self.skipped = skipped; self.inputs = inputs; self.time = time
        }
    }

    // MARK: - Formatting helpers

    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// A sparkline of `values` in `width` characters (buckets averaged per character),
    /// scaled from zero to the highest value; a blank where there is no data.
    public static func sparkline(_ values: [Double?], width: Int) -> String {
        let cols = column(values, width: width)
        let top = cols.compactMap { $0 }.max() ?? 0
        var s = ""
        for c in cols {
            guard let v = c else { s.append(" "); continue }
            let k = top > 0 ? Int((v / top * 7).rounded()) : 0
            s.append(blocks[min(7, max(0, k))])
        }
        return s
    }

    /// `values` averaged into at most `width` columns.
    static func column(_ values: [Double?], width: Int) -> [Double?] {
        let n = values.count
        guard n > 0, width > 0 else { return [] }
        let cols = min(n, width)
        return (0..<cols).map { c in
            let lo = c * n / cols, hi = max(lo + 1, (c + 1) * n / cols)
            let known = values[lo..<hi].compactMap { $0 }
            return known.isEmpty ? nil : known.reduce(0, +) / Double(known.count)
        }
    }

    /// A value of a metric for people: counts compact (`1.2k`), ratios as percentages,
    /// latencies (seconds) as durations.
    public static func value(_ v: Double?, metric: String) -> String {
        guard let v, v.isFinite else { return "-" }
        if v == 0 { return metric == "error_rate" ? "0%" : "0" }
        switch metric {
        case "error_rate": return percent(v)
        case "p50", "p90", "p95", "p99":
            // A forecast can run past what nanoseconds in 64 bits hold.
            return abs(v) < 9e9 ? Duration.format(nanos: Int64(v * 1e9)) : compact(v) + " s"
        case "rate", "request_rate": return compact(v) + "/s"
        default: return compact(v)
        }
    }

    static func percent(_ v: Double) -> String {
        let p = v * 100
        if p == 0 { return "0%" }
        if p < 0.1 { return "<0.1%" }
        return (p >= 10 ? String(Int(p.rounded())) : String(Double(Int(p * 10 + 0.5)) / 10)) + "%"
    }

    static func compact(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return trim(v / 1e9) + "G" }
        if a >= 1e6 { return trim(v / 1e6) + "M" }
        if a >= 1e4 { return trim(v / 1e3) + "k" }
        if a >= 100 || v == v.rounded() { return grouped(Int(v.rounded())) }
        return trim(v)
    }

    static func trim(_ v: Double) -> String {
        let r = abs(v) >= 100 ? v.rounded() : abs(v) >= 10 ? (v * 10).rounded() / 10 : (v * 100).rounded() / 100
        var s = String(r)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    static func metricName(_ m: String) -> String {
        switch m {
        case "count": "log records"
        case "error_rate": "error rate"
        default: m
        }
    }

    /// `2026-11-25 10:00`: minutes (seconds when buckets are shorter than a minute).
    static func when(_ t: Timestamp, _ ctx: Context, seconds: Bool = false) -> String {
        let s = ctx.time.short(t)
        return String(s.prefix(seconds ? 19 : 16))
    }

    /// `UTC`, or `UTC+05:30` with `--tz`.
    static func zone(_ ctx: Context) -> String {
        let o = ctx.time.offsetSeconds
        guard o != 0 else { return "UTC" }
        let a = abs(o)
        let hh = a / 3600, mm = a / 60 % 60
        return "UTC" + (o < 0 ? "-" : "+") + (hh < 10 ? "0" : "") + String(hh) + ":" + (mm < 10 ? "0" : "") + String(mm)
    }

    /// The horizon of a forecast in words: `1d`, `6h`.
    static func horizon(_ f: TrendForecaster.Forecast, _ data: TrendData) -> String {
        TrendBucketing.name(Int64(f.points.count) * data.bucketNanos)
    }

    /// Mean value, low and high of a forecast over its horizon.
    static func forecastSummary(_ f: TrendForecaster.Forecast) -> (value: Double, low: Double, high: Double)? {
        guard !f.points.isEmpty else { return nil }
        let n = Double(f.points.count)
        return (f.points.reduce(0) { $0 + $1.value } / n, f.points.reduce(0) { $0 + $1.low } / n, f.points.reduce(0) { $0 + $1.high } / n)
    }

    static func anomalyMetric(_ a: TrendReport.Anomaly) -> String {
        a.operation.map { a.metric + " " + $0 } ?? a.metric
    }

    /// The anomalies worth listing: the strongest `limit`, in time order.
    static func shown(_ anomalies: [TrendReport.Anomaly], limit: Int) -> [TrendReport.Anomaly] {
        guard anomalies.count > limit else { return anomalies }
        let strongest = anomalies.indices.sorted { abs(anomalies[$0].score) > abs(anomalies[$1].score) }.prefix(limit)
        return strongest.sorted().map { anomalies[$0] }
    }

    // MARK: - Text

    public static func text(_ r: TrendReport, context ctx: Context, style: Style, width: Int, to out: inout some TextOutputStream) {
        let d = r.data
        let w = max(60, width)
        let bucket = TrendBucketing.name(d.bucketNanos)
        out.write(style.bold("Trend report") + "  " + when(d.start, ctx) + " – " + when(d.bucketStart(d.bucketCount), ctx) + " " + zone(ctx) + "\n")
        var facts = "\(d.bucketCount) buckets of \(bucket) · \(d.services.count) service\(d.services.count == 1 ? "" : "s") · "
        facts += "\(grouped(r.records)) records · \(grouped(r.requests)) requests"
        if !r.metrics.isEmpty { facts += " · \(grouped(r.metrics.count)) metric series" }
        if ctx.skipped > 0 { facts += " · \(grouped(ctx.skipped)) skipped" }
        out.write(style.dim(fit(facts, w).trimmingTrailingSpaces()) + "\n")

        // Summary table.
        let nameW = max(10, w - 62)
        if !r.services.isEmpty { out.write("\n") }
        if !r.services.isEmpty {
            out.write(style.bold(fit("SERVICE", nameW) + " " + fit("RECORDS", 9, alignRight: true) + " " + fit("REQUESTS", 9, alignRight: true)
                                 + " " + fit("ERR%", 6, alignRight: true) + " " + fit("P50", 8, alignRight: true) + " "
                                 + fit("P95", 8, alignRight: true) + " " + fit("P99", 8, alignRight: true) + " " + fit("ANOM", 5, alignRight: true))
                      + "\n")
        }
        for s in r.services {
            let anomalies = r.anomalies.filter { $0.service == s.name }.count
            let err = fit(s.errorRate.map(percent) ?? "-", 6, alignRight: true)
            var line = style.service(fit(s.name, nameW)) + " " + fit(grouped(s.records), 9, alignRight: true) + " "
            line += fit(s.hasRequests ? grouped(s.requests) : "-", 9, alignRight: true) + " "
            line += ((s.errorRate ?? 0) >= 0.05 ? style.paint(err, .red, bold: true) : err) + " "
            for q in [s.p50, s.p95, s.p99] { line += fit(value(q, metric: "p50"), 8, alignRight: true) + " " }
            let an = fit(anomalies == 0 ? "-" : String(anomalies), 5, alignRight: true)
            line += anomalies > 0 ? style.paint(an, .yellow, bold: true) : an
            out.write(line + "\n")
        }

        // Per service: sparklines with trend words, and the forecast.
        let labelW = 12, wordsW = 20
        let sparkW = w - 2 - labelW - 1 - 1 - wordsW
        for s in r.services {
            let name = printable(s.name)
            out.write("\n" + style.bold(style.service(name)))
            var head = ""
            if s.hasRequests { head += "  \(grouped(s.requests)) requests" } else { head += "  \(grouped(s.records)) records" }
            if let e = s.errorRate { head += " · errors \(percent(e))" }
            if let p = s.p95 { head += " · p95 \(value(p, metric: "p95"))" }
            out.write(style.dim(fit(head, max(0, w - displayWidth(name))).trimmingTrailingSpaces()) + "\n")
            for k in s.series {
                let spark = fit(sparkline(k.values, width: sparkW), sparkW)
                let words = k.direction.words
                let colored = words.hasPrefix("rising") && k.metric != "requests" && k.metric != "count" ? style.paint(words, .yellow)
                    : style.dim(words)
                out.write("  " + fit(metricName(k.metric), labelW) + " " + spark + " " + colored + "\n")
            }
            var parts: [String] = []
            var span = ""
            for k in s.series {
                guard let f = k.forecast, let sum = forecastSummary(f) else { continue }
                span = horizon(f, r.data)
                let per = k.metric == "requests" || k.metric == "count" ? "/\(bucket)" : ""
                parts.append("\(metricName(k.metric)) \(value(sum.value, metric: k.metric))\(per) (\(value(sum.low, metric: k.metric))–\(value(sum.high, metric: k.metric)))")
            }
            if !parts.isEmpty {
                var line = "  forecast next \(span):"
                for p in parts {
                    if displayWidth(line) + 1 + displayWidth(p) > w {
                        out.write(style.dim(line) + "\n")
                        line = "   "
                    }
                    line += " " + p
                }
                out.write(style.dim(line) + "\n")
            }
        }

        metricsText(r, style: style, width: w, to: &out)

        // Anomalies.
        out.write("\n" + style.bold("Anomalies") + style.dim(" (\(r.anomalies.count); observed vs expected from a trailing\(r.period != nil ? ", same-hour" : "") baseline)") + "\n")
        if r.anomalies.isEmpty {
            out.write("  none\n")
        } else {
            let metricW = max(12, w - 2 - 16 - 12 - 9 - 9 - 6 - 5)
            out.write(style.bold("  " + fit("START", 16) + " " + fit("SERVICE", 12) + " " + fit("METRIC", metricW) + " "
                                 + fit("OBSERVED", 9, alignRight: true) + " " + fit("EXPECTED", 9, alignRight: true) + " "
                                 + fit("SCORE", 6, alignRight: true)) + "\n")
            let list = shown(r.anomalies, limit: 15)
            for a in list {
                let score = fit(String(format1(a.score)), 6, alignRight: true)
                out.write("  " + fit(when(a.start, ctx), 16) + " " + style.service(fit(a.service, 12)) + " " + fit(anomalyMetric(a), metricW) + " "
                          + fit(value(a.observed, metric: a.metric), 9, alignRight: true) + " "
                          + fit(value(a.expected, metric: a.metric), 9, alignRight: true) + " "
                          + (a.score > 0 ? style.paint(score, .red) : style.paint(score, .blue)) + "\n")
            }
            if list.count < r.anomalies.count {
                out.write(style.dim("  … and \(r.anomalies.count - list.count) weaker (--output json lists them all)") + "\n")
            }
        }

        // Patterns.
        if !r.patterns.isEmpty {
            let total = max(1, r.patterns.reduce(0) { $0 + $1.count })
            out.write("\n" + style.bold("Top patterns") + style.dim(" (of \(grouped(r.patterns.count)))") + "\n")
            let tW = max(10, w - 2 - 9 - 6 - 5 - 12 - 4)
            out.write(style.bold("  " + fit("COUNT", 9, alignRight: true) + " " + fit("SHARE", 6, alignRight: true) + " " + fit("LEVEL", 5)
                                 + " " + fit("SERVICE", 12) + " " + fit("TEMPLATE", tW)).trimmingTrailingSpaces() + "\n")
            for p in r.patterns.prefix(10) {
                out.write(("  " + fit(grouped(p.count), 9, alignRight: true) + " " + fit(percent(Double(p.count) / Double(total)), 6, alignRight: true)
                           + " " + style.level(p.level, fit(p.level.name, 5)) + " " + fit(p.service, 12) + " " + fit(p.template, tW)).trimmingTrailingSpaces() + "\n")
            }
            let after = r.newAfter.map { " after " + when($0, ctx) } ?? " (absent from the baseline)"
            out.write("\n" + style.bold("New patterns") + style.dim(" (\(r.newPatterns.count), first seen\(after))") + "\n")
            if r.newPatterns.isEmpty {
                out.write("  none\n")
            } else {
                let nW = max(10, w - 2 - 16 - 7 - 5 - 12 - 4)
                out.write(style.bold("  " + fit("FIRST SEEN", 16) + " " + fit("COUNT", 7, alignRight: true) + " " + fit("LEVEL", 5) + " "
                                     + fit("SERVICE", 12) + " " + fit("TEMPLATE", nW)).trimmingTrailingSpaces() + "\n")
                for p in r.newPatterns.prefix(10) {
                    out.write(("  " + fit(when(p.first, ctx), 16) + " " + fit(grouped(p.count), 7, alignRight: true) + " "
                               + style.level(p.level, fit(p.level.name, 5)) + " " + fit(p.service, 12) + " " + fit(p.template, nW)).trimmingTrailingSpaces() + "\n")
                }
                if r.newPatterns.count > 10 { out.write(style.dim("  … and \(r.newPatterns.count - 10) more") + "\n") }
            }
        }
    }

    static func format1(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        let r = (v * 10).rounded() / 10
        return abs(r) >= 1e15 ? compact(r) : abs(r) >= 100 ? String(Int64(r)) : String(r)
    }

    // MARK: - Markdown

    static func mdCell(_ s: String) -> String {
        printable(s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " "))
    }

    public static func markdown(_ r: TrendReport, context ctx: Context, to out: inout some TextOutputStream) {
        let d = r.data
        out.write("# Trend report\n\n")
        out.write("\(when(d.start, ctx)) – \(when(d.bucketStart(d.bucketCount), ctx)) \(zone(ctx)) · \(d.bucketCount) buckets of \(TrendBucketing.name(d.bucketNanos))")
        out.write(" · \(grouped(r.records)) log records · \(grouped(r.requests)) requests")
        if ctx.skipped > 0 { out.write(" · \(grouped(ctx.skipped)) records skipped") }
        out.write("\n\n## Services\n\n")
        out.write("| service | records | requests | error rate | p50 | p95 | p99 | volume | trend | error rate trend |\n")
        out.write("|---|---:|---:|---:|---:|---:|---:|---|---|---|\n")
        for s in r.services {
            let vol = s.series.first
            let err = s.series.first { $0.metric == "error_rate" }
            out.write("| \(mdCell(s.name)) | \(grouped(s.records)) | \(s.hasRequests ? grouped(s.requests) : "-") | \(s.errorRate.map(percent) ?? "-") | ")
            out.write("\(value(s.p50, metric: "p50")) | \(value(s.p95, metric: "p95")) | \(value(s.p99, metric: "p99")) | ")
            out.write("\(vol.map { sparkline($0.values, width: 24) } ?? "") | \(vol?.direction.words ?? "") | \(err?.direction.words ?? "") |\n")
        }
        if !r.metrics.isEmpty {
            out.write("\n## Metric series\n\n| series | unit | min | median | max | trend | anomalies |\n|---|---|---:|---:|---:|---|---:|\n")
            for m in r.metrics {
                let sum = MetricSummary(m.series)
                out.write("| \(mdCell(m.series.key)) | \(mdCell(m.series.unit ?? "")) | \(MetricRenderer.number(sum.min)) | \(MetricRenderer.number(sum.median)) | ")
                out.write("\(MetricRenderer.number(sum.max)) | \(levelSparkline(m.values, width: 24)) | \(m.anomalies) |\n")
            }
        }
        out.write("\n## Anomalies\n\n")
        if r.anomalies.isEmpty {
            out.write("None.\n")
        } else {
            out.write("| start | end | service | metric | observed | expected | score |\n|---|---|---|---|---:|---:|---:|\n")
            for a in r.anomalies {
                out.write("| \(when(a.start, ctx)) | \(when(a.end, ctx)) | \(mdCell(a.service)) | \(mdCell(anomalyMetric(a))) | ")
                out.write("\(value(a.observed, metric: a.metric)) | \(value(a.expected, metric: a.metric)) | \(format1(a.score)) |\n")
            }
        }
        out.write("\n## Forecast\n\n| service | metric | method | horizon | forecast | 95 % interval | trend |\n|---|---|---|---|---:|---|---|\n")
        for s in r.services {
            for k in s.series {
                guard let f = k.forecast, let sum = forecastSummary(f) else { continue }
                out.write("| \(mdCell(s.name)) | \(metricName(k.metric)) | \(f.method) | \(horizon(f, d)) | \(value(sum.value, metric: k.metric)) | ")
                out.write("\(value(sum.low, metric: k.metric)) – \(value(sum.high, metric: k.metric)) | \(k.direction.words) |\n")
            }
        }
        out.write("\n## Top patterns\n\n")
        if r.patterns.isEmpty {
            out.write("None.\n")
        } else {
            out.write("| count | level | service | template |\n|---:|---|---|---|\n")
            for p in r.patterns.prefix(20) {
                out.write("| \(grouped(p.count)) | \(p.level.name) | \(mdCell(p.service)) | `\(mdCell(p.template).replacingOccurrences(of: "`", with: "'"))` |\n")
            }
        }
        let after = r.newAfter.map { "first seen after \(when($0, ctx))" } ?? "absent from the baseline"
        out.write("\n## New patterns (\(after))\n\n")
        if r.newPatterns.isEmpty {
            out.write("None.\n")
        } else {
            out.write("| first seen | count | level | service | template |\n|---|---:|---|---|---|\n")
            for p in r.newPatterns {
                out.write("| \(when(p.first, ctx)) | \(grouped(p.count)) | \(p.level.name) | \(mdCell(p.service)) | `\(mdCell(p.template).replacingOccurrences(of: "`", with: "'"))` |\n")
            }
        }
    }

    // MARK: - JSON

    static func round(_ v: Double, _ digits: Double = 1e6) -> Double { (v * digits).rounded() / digits }

    static func series(_ j: inout JSONOut, _ key: String, _ values: [Double?]) {
        var a = "["
        for (i, v) in values.enumerated() {
            if i > 0 { a += "," }
            if let v, v.isFinite {
                let r = round(v)
                a += r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
            } else {
                a += "null"
            }
        }
        j.raw(key, a + "]")
    }

    public static func json(_ r: TrendReport, context ctx: Context, to out: inout some TextOutputStream) {
        let d = r.data
        var j = JSONOut()
        j.beginObject()
        j.beginObject("range")
        j.field("start", d.start.rfc3339())
        j.field("end", d.bucketStart(d.bucketCount).rfc3339())
        j.field("first", d.first.rfc3339(digits: 3))
        j.field("last", d.last.rfc3339(digits: 3))
        j.endObject()
        j.field("bucket", TrendBucketing.name(d.bucketNanos))
        j.field("bucket_seconds", Int(d.bucketNanos / 1_000_000_000))
        j.field("buckets", strings: (0..<d.bucketCount).map { d.bucketStart($0).rfc3339() })
        j.field("records", r.records)
        j.field("requests", r.requests)
        j.field("untimed", d.untimed)
        j.field("skipped", ctx.skipped)
        j.beginArray("services")
        for s in r.services {
            let sel = [LabelMatcher("service", .equal, s.name)]
            j.beginObject()
            j.field("name", s.name)
            j.field("records", s.records)
            j.beginObject("levels")
            for l in s.levels { j.field(l.level.name, l.count) }
            j.endObject()
            if s.hasRequests {
                j.field("requests", s.requests)
                j.field("errors", s.errors)
            }
            if let e = s.errorRate { j.field("error_rate", round(e)) } else { j.raw("error_rate", "null") }
            for (k, v) in [("p50_s", s.p50), ("p95_s", s.p95), ("p99_s", s.p99)] {
                if let v { j.field(k, round(v)) } else { j.raw(k, "null") }
            }
            j.beginObject("series")
            series(&j, "count", d.values(metric: "count", matching: sel) ?? [])
            series(&j, "errors_logged", d.values(metric: "count", matching: sel + [LabelMatcher("level", .matches, "error|fatal")]) ?? [])
            series(&j, "error_rate", d.values(metric: "error_rate", matching: sel) ?? [])
            if s.hasRequests {
                series(&j, "requests", d.values(metric: "requests", matching: sel) ?? [])
                series(&j, "errors", d.values(metric: "errors", matching: sel) ?? [])
                for q in ["p50", "p95", "p99"] { series(&j, q + "_s", d.values(metric: q, matching: sel) ?? []) }
            }
            j.endObject()
            j.beginObject("trends")
            for k in s.series {
                j.beginObject(k.metric)
                j.field("words", k.direction.words)
                if let c = k.direction.change { j.field("change", round(c)) } else { j.raw("change", "null") }
                j.field("per", k.direction.unit)
                j.endObject()
            }
            j.endObject()
            if s.hasRequests {
                j.beginArray("operations")
                for op in s.operations {
                    let t = d.total(sel + [LabelMatcher("operation", .equal, op.name)])
                    j.beginObject()
                    j.field("name", op.name)
                    j.field("requests", t.requests)
                    j.field("errors", t.errors)
                    j.field("error_rate", t.requests > 0 ? round(Double(t.errors) / Double(t.requests)) : 0)
                    for (k, q) in [("p50_s", 0.5), ("p95_s", 0.95), ("p99_s", 0.99)] {
                        if let v = t.latency.quantile(q) { j.field(k, round(Double(v) / 1e9)) } else { j.raw(k, "null") }
                    }
                    j.endObject()
                }
                j.endArray()
            }
            j.endObject()
        }
        j.endArray()
        j.beginArray("metrics")
        for m in r.metrics {
            j.beginObject()
            MetricRenderer.identity(m.series, into: &j)
            j.beginArray("values")
            for v in m.values { if let v { j.value(round(v)) } else { j.null() } }
            j.endArray()
            j.field("anomalies", m.anomalies)
            j.endObject()
        }
        j.endArray()
        j.beginArray("anomalies")
        for a in r.anomalies {
            j.beginObject()
            j.field("start", a.start.rfc3339())
            j.field("end", a.end.rfc3339())
            j.field("service", a.service)
            if let op = a.operation { j.field("operation", op) }
            j.field("metric", a.metric)
            j.field("observed", round(a.observed))
            j.field("expected", round(a.expected))
            j.field("score", round(a.score, 100))
            j.endObject()
        }
        j.endArray()
        j.beginArray("forecast")
        for s in r.services {
            for k in s.series {
                guard let f = k.forecast else { continue }
                j.beginObject()
                j.field("service", s.name)
                j.field("metric", k.metric)
                j.field("method", f.method)
                j.field("trend", k.direction.words)
                j.beginArray("points")
                for p in f.points {
                    j.beginObject()
                    j.field("start", d.bucketStart(p.bucket).rfc3339())
                    j.field("value", round(p.value))
                    j.field("low", round(p.low))
                    j.field("high", round(p.high))
                    j.endObject()
                }
                j.endArray()
                j.endObject()
            }
        }
        j.endArray()
        j.beginArray("patterns")
        for p in r.patterns {
            j.beginObject()
            j.field("id", p.id)
            j.field("template", p.template)
            j.field("count", p.count)
            j.field("first_seen", p.first.rfc3339())
            j.field("last_seen", p.last.rfc3339())
            j.field("service", p.service)
            j.field("level", p.level.name)
            j.field("new", p.isNew)
            j.field("example", p.example)
            j.endObject()
        }
        j.endArray()
        j.field("new_patterns", strings: r.newPatterns.map(\.id))
        if let a = r.newAfter { j.field("new_after", a.rfc3339()) } else { j.field("new_after", nil as String?) }
        j.endObject()
        out.write(j.text + "\n")
    }

    /// A sparkline from the lowest value to the highest (levels, unlike counts, do not start at zero).
    static func levelSparkline(_ values: [Double?], width: Int) -> String {
        let lo = values.compactMap { $0 }.min() ?? 0
        return sparkline(values.map { $0.map { $0 - lo } }, width: width)
    }

    /// The metric series of the report, those with anomalies first, at most 24.
    static func metricsText(_ r: TrendReport, style: Style, width w: Int, to out: inout some TextOutputStream) {
        guard !r.metrics.isEmpty else { return }
        let flagged = r.metrics.filter { $0.anomalies > 0 }.count
        out.write("\n" + style.bold("Metric series") + style.dim(" (\(grouped(r.metrics.count)), \(grouped(flagged)) with anomalies; min–max of each line)") + "\n")
        let ordered = r.metrics.enumerated().sorted { ($0.element.anomalies > 0 ? 0 : 1, $0.offset) < ($1.element.anomalies > 0 ? 0 : 1, $1.offset) }.map(\.element)
        let rangeW = 15
        let sparkW = max(10, min(40, w / 3))
        let nameW = max(16, w - 2 - sparkW - rangeW - 4)
        for m in ordered.prefix(24) {
            let sum = MetricSummary(m.series)
            let label = MetricRenderer.shortLabels(m.series)
            let name = m.series.name + (label.isEmpty ? "" : " " + label)
            let spark = fit(levelSparkline(m.values, width: sparkW), sparkW)
            let range = fit(MetricRenderer.number(sum.min) + "–" + MetricRenderer.number(sum.max), rangeW, alignRight: true)
            out.write("  " + fit(printable(name), nameW) + " " + (m.anomalies > 0 ? style.paint(spark, .yellow) : spark) + " " + style.dim(range) + "\n")
        }
        if r.metrics.count > 24 { out.write(style.dim("  … and \(r.metrics.count - 24) more (inquest metrics lists them all)") + "\n") }
    }
}
