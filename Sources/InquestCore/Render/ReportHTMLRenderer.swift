/// A trend report as one self-contained HTML page: inline CSS and SVG, no script and
/// nothing fetched. Per service, a line chart of each key series with its anomalies
/// shaded and the forecast drawn as a dashed line in its 95 % band; then the anomalies,
/// the forecast and the log patterns as tables.
public enum ReportHTMLRenderer {
    static func esc(_ s: String) -> String { WaterfallHTMLRenderer.escape(s) }

    static func num(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    public static func render(_ r: TrendReport, context ctx: ReportRenderer.Context, to out: inout some TextOutputStream) {
        let d = r.data
        let title = "Trend report \(ReportRenderer.when(d.start, ctx)) – \(ReportRenderer.when(d.bucketStart(d.bucketCount), ctx)) \(ReportRenderer.zone(ctx))"
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <style>
        * { box-sizing: border-box; }
        body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d232b; background: #fff; }
        header { padding: 14px 24px 10px; border-bottom: 1px solid #d8dee6; background: #f6f8fa; }
        h1 { font-size: 17px; margin: 0 0 4px; font-weight: 600; }
        h2 { font-size: 15px; margin: 22px 0 8px; font-weight: 600; }
        h3 { font-size: 14px; margin: 0 0 6px; font-weight: 600; }
        .facts { color: #57606a; }
        main { padding: 6px 24px 40px; max-width: 1400px; }
        table { border-collapse: collapse; margin: 4px 0 8px; }
        th, td { padding: 3px 10px 3px 0; text-align: left; border-bottom: 1px solid #eef1f4; vertical-align: top; }
        th { font-weight: 600; color: #57606a; font-size: 12px; }
        td.n, th.n { text-align: right; }
        td.bad { color: #cf222e; font-weight: 600; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f3f5f7; padding: 1px 4px; border-radius: 3px; }
        .svc { margin: 14px 0 6px; padding: 10px 12px; border: 1px solid #e3e7ec; border-radius: 6px; }
        .svc .sum { color: #57606a; margin-left: 8px; font-weight: normal; }
        .charts { display: flex; flex-wrap: wrap; gap: 10px; }
        .chart { flex: 1 1 360px; min-width: 320px; max-width: 560px; }
        .chart .t { font-weight: 600; font-size: 12px; }
        .chart .w { color: #57606a; font-size: 12px; margin-left: 6px; }
        .rising { color: #9a6700; }
        svg { display: block; width: 100%; height: auto; }
        svg text { font: 10px system-ui, sans-serif; fill: #57606a; }
        .legend { color: #57606a; font-size: 12px; margin: 4px 0 0; }
        .legend i { display: inline-block; width: 12px; height: 8px; margin: 0 4px 0 10px; vertical-align: 0; }
        .new { color: #8250df; font-weight: 600; }
        </style></head><body>
        <header><h1>\(esc(title))</h1>
        <div class="facts">\(d.bucketCount) buckets of \(TrendBucketing.name(d.bucketNanos)) · \(d.services.count) services · \
        \(grouped(r.records)) log records · \(grouped(r.requests)) requests · \(r.anomalies.count) anomalies\
        \(ctx.skipped > 0 ? " · \(grouped(ctx.skipped)) records skipped" : "")</div>
        <div class="legend">line: observed<i style="background:#fbd5d5"></i>anomaly<i style="background:#dbe9fb"></i>forecast, 95 % interval\
        <i style="background:#9a9a9a;height:2px"></i>expected at an anomaly</div>
        </header><main>

        """
        // Summary table (none for metric dumps alone).
        if !r.services.isEmpty {
            h += "<h2>Services</h2><table><tr><th>service</th><th class=n>records</th><th class=n>requests</th><th class=n>error rate</th>"
            h += "<th class=n>p50</th><th class=n>p95</th><th class=n>p99</th><th>volume trend</th><th>anomalies</th></tr>\n"
            for s in r.services {
                let n = r.anomalies.filter { $0.service == s.name }.count
                h += "<tr><td><b>\(esc(s.name))</b></td><td class=n>\(grouped(s.records))</td><td class=n>\(s.hasRequests ? grouped(s.requests) : "-")</td>"
                h += "<td class=\"n\((s.errorRate ?? 0) >= 0.05 ? " bad" : "")\">\(s.errorRate.map(ReportRenderer.percent) ?? "-")</td>"
                for q in [s.p50, s.p95, s.p99] { h += "<td class=n>\(ReportRenderer.value(q, metric: "p95"))</td>" }
                h += "<td>\(esc(s.series.first?.direction.words ?? ""))</td><td>\(n == 0 ? "" : String(n))</td></tr>\n"
            }
            h += "</table>\n"
        }
        out.write(h)

        // Charts per service.
        for s in r.services {
            var c = "<section class=\"svc\"><h3>\(esc(s.name))<span class=\"sum\">"
            c += s.hasRequests ? "\(grouped(s.requests)) requests" : "\(grouped(s.records)) log records"
            if let e = s.errorRate { c += " · errors \(ReportRenderer.percent(e))" }
            if let p = s.p95 { c += " · p95 \(ReportRenderer.value(p, metric: "p95"))" }
            c += "</span></h3><div class=\"charts\">\n"
            for k in s.series {
                let anomalies = r.anomalies.filter { $0.service == s.name && $0.metric == k.metric && $0.operation == nil }
                let rising = k.direction.words.hasPrefix("rising") && k.metric != "requests" && k.metric != "count"
                c += "<div class=\"chart\"><span class=\"t\">\(esc(ReportRenderer.metricName(k.metric)))</span>"
                c += "<span class=\"w\(rising ? " rising" : "")\">\(esc(k.direction.words))</span>\n"
                c += chart(k, anomalies: anomalies, data: d, ctx: ctx)
                c += "</div>\n"
            }
            c += "</div></section>\n"
            out.write(c)
        }

        // Metric series of metric dumps, by entity, those with anomalies first (at most 48).
        if !r.metrics.isEmpty {
            let ordered = r.metrics.enumerated().sorted { ($0.element.anomalies > 0 ? 0 : 1, $0.offset) < ($1.element.anomalies > 0 ? 0 : 1, $1.offset) }
                .map(\.element).prefix(48)
            var m = "<h2>Metric series (\(grouped(r.metrics.count))\(r.metrics.count > 48 ? ", 48 shown" : ""))</h2>\n"
            var byEntity: [(String, [TrendReport.MetricTrend])] = []
            for t in ordered {
                let e = t.series.entity ?? t.series.name
                if let i = byEntity.firstIndex(where: { $0.0 == e }) { byEntity[i].1.append(t) } else { byEntity.append((e, [t])) }
            }
            for (entity, trends) in byEntity {
                m += "<section class=\"svc\"><h3>\(esc(entity))</h3><div class=\"charts\">\n"
                for t in trends {
                    let k = TrendReport.KeySeries(metric: t.series.name, values: t.values,
                                                  direction: TrendForecaster.direction(t.values, bucketNanos: d.bucketNanos, period: r.period), forecast: nil)
                    let anomalies = r.anomalies.filter { $0.service == entity && $0.metric == t.series.name }
                    let title = t.series.name + (t.series.unit.map { " (\($0))" } ?? "")
                    let others = t.series.labels.filter { $0.value != entity && !($0.key == "service" && entity.hasPrefix($0.value)) }
                    m += "<div class=\"chart\"><span class=\"t\">\(esc(title))</span>"
                    m += "<span class=\"w\">\(esc(others.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))</span>\n"
                    m += chart(k, anomalies: anomalies, data: d, ctx: ctx)
                    m += "</div>\n"
                }
                m += "</div></section>\n"
            }
            out.write(m)
        }

        // Anomalies.
        var t = "<h2>Anomalies (\(r.anomalies.count))</h2>\n"
        if r.anomalies.isEmpty {
            t += "<p>None.</p>\n"
        } else {
            t += "<table><tr><th>start</th><th>end</th><th>service</th><th>metric</th><th class=n>observed</th><th class=n>expected</th><th class=n>score</th></tr>\n"
            for a in r.anomalies {
                t += "<tr><td>\(esc(ReportRenderer.when(a.start, ctx)))</td><td>\(esc(ReportRenderer.when(a.end, ctx)))</td><td>\(esc(a.service))</td>"
                t += "<td>\(esc(ReportRenderer.anomalyMetric(a)))</td><td class=\"n bad\">\(esc(ReportRenderer.value(a.observed, metric: a.metric)))</td>"
                t += "<td class=n>\(esc(ReportRenderer.value(a.expected, metric: a.metric)))</td><td class=n>\(ReportRenderer.format1(a.score))</td></tr>\n"
            }
            t += "</table>\n"
        }
        // Forecast.
        t += "<h2>Forecast</h2><table><tr><th>service</th><th>metric</th><th>method</th><th>horizon</th><th class=n>forecast</th><th>95 % interval</th><th>trend</th></tr>\n"
        for s in r.services {
            for k in s.series {
                guard let f = k.forecast, let sum = ReportRenderer.forecastSummary(f) else { continue }
                t += "<tr><td>\(esc(s.name))</td><td>\(esc(ReportRenderer.metricName(k.metric)))</td><td>\(esc(f.method))</td>"
                t += "<td>\(ReportRenderer.horizon(f, d))</td><td class=n>\(esc(ReportRenderer.value(sum.value, metric: k.metric)))</td>"
                t += "<td>\(esc(ReportRenderer.value(sum.low, metric: k.metric))) – \(esc(ReportRenderer.value(sum.high, metric: k.metric)))</td>"
                t += "<td>\(esc(k.direction.words))</td></tr>\n"
            }
        }
        t += "</table>\n"
        // Patterns.
        if !r.patterns.isEmpty {
            t += "<h2>Top patterns (of \(grouped(r.patterns.count)))</h2><table><tr><th class=n>count</th><th>level</th><th>service</th><th>first seen</th><th>template</th></tr>\n"
            for p in r.patterns.prefix(15) {
                t += "<tr><td class=n>\(grouped(p.count))</td><td>\(p.level.name)</td><td>\(esc(p.service))</td><td>\(esc(ReportRenderer.when(p.first, ctx)))</td>"
                t += "<td><code>\(esc(p.template))</code>\(p.isNew ? " <span class=new>new</span>" : "")</td></tr>\n"
            }
            t += "</table>\n"
            let after = r.newAfter.map { "first seen after \(ReportRenderer.when($0, ctx))" } ?? "absent from the baseline"
            t += "<h2>New patterns (\(r.newPatterns.count), \(esc(after)))</h2>\n"
            if r.newPatterns.isEmpty {
                t += "<p>None.</p>\n"
            } else {
                t += "<table><tr><th>first seen</th><th class=n>count</th><th>level</th><th>service</th><th>template</th></tr>\n"
                for p in r.newPatterns.prefix(30) {
                    t += "<tr><td>\(esc(ReportRenderer.when(p.first, ctx)))</td><td class=n>\(grouped(p.count))</td><td>\(p.level.name)</td>"
                    t += "<td>\(esc(p.service))</td><td><code>\(esc(p.template))</code></td></tr>\n"
                }
                t += "</table>\n"
            }
        }
        t += "</main></body></html>\n"
        out.write(t)
    }

    /// One SVG line chart: the series, anomalies shaded with their expected value, the forecast band.
    static func chart(_ k: TrendReport.KeySeries, anomalies: [TrendReport.Anomaly], data d: TrendData, ctx: ReportRenderer.Context) -> String {
        let W = 420.0, H = 150.0, left = 52.0, right = 10.0, top = 8.0, bottom = 22.0
        let n = k.values.count
        let points = k.forecast?.points ?? []
        let total = max(2, n + points.count)
        let pw = W - left - right, ph = H - top - bottom
        var top0 = k.values.compactMap { $0 }.max() ?? 0
        for p in points { top0 = max(top0, p.high) }
        for a in anomalies { top0 = max(top0, a.expected) }
        let yMax = k.metric == "error_rate" ? min(1, niceCeiling(top0 * 1.05)) : niceCeiling(top0 * 1.05)
        func x(_ i: Double) -> Double { left + pw * i / Double(total - 1) }
        func y(_ v: Double) -> Double { top + ph * (1 - min(max(v / yMax, 0), 1)) }
        var s = "<svg viewBox=\"0 0 \(Int(W)) \(Int(H))\" role=\"img\" aria-label=\"\(esc(ReportRenderer.metricName(k.metric)))\">"
        // Grid and axes.
        for f in [0.0, 0.5, 1.0] {
            let yy = num(top + ph * (1 - f))
            s += "<line x1=\"\(num(left))\" y1=\"\(yy)\" x2=\"\(num(W - right))\" y2=\"\(yy)\" stroke=\"#eef1f4\"/>"
            s += "<text x=\"\(num(left - 4))\" y=\"\(num(top + ph * (1 - f) + 3))\" text-anchor=\"end\">\(esc(ReportRenderer.value(yMax * f, metric: k.metric)))</text>"
        }
        s += "<line x1=\"\(num(left))\" y1=\"\(num(top + ph))\" x2=\"\(num(W - right))\" y2=\"\(num(top + ph))\" stroke=\"#c9d1d9\"/>"
        let ticks = [0, n / 2, n]
        for (i, b) in ticks.enumerated() {
            let anchor = i == 0 ? "start" : i == 1 ? "middle" : "end"
            let label = ReportRenderer.when(d.bucketStart(b), ctx)
            let short = d.bucketNanos >= TrendBucketing.day / 4 || n * Int(d.bucketNanos / 1_000_000_000) > 2 * 86_400 ? String(label.prefix(10)) : String(label.suffix(5))
            s += "<text x=\"\(num(x(Double(min(b, total - 1)))))\" y=\"\(num(H - 6))\" text-anchor=\"\(anchor)\">\(esc(short))</text>"
        }
        // Anomalies: shaded spans.
        let step = pw / Double(total - 1)
        for a in anomalies {
            let i0 = Double((a.start.nanos - d.start.nanos) / d.bucketNanos)
            let i1 = Double((a.end.nanos - d.start.nanos) / d.bucketNanos) - 1
            s += "<rect x=\"\(num(x(i0) - step / 2))\" y=\"\(num(top))\" width=\"\(num(max(3, x(i1) - x(i0) + step)))\" height=\"\(num(ph))\" fill=\"#fbd5d5\"/>"
        }
        // Forecast band and line.
        if !points.isEmpty {
            var band = ""
            for p in points { band += "\(num(x(Double(p.bucket)))),\(num(y(p.high))) " }
            for p in points.reversed() { band += "\(num(x(Double(p.bucket)))),\(num(y(p.low))) " }
            s += "<polygon points=\"\(band)\" fill=\"#dbe9fb\"/>"
            s += "<line x1=\"\(num(x(Double(n) - 0.5)))\" y1=\"\(num(top))\" x2=\"\(num(x(Double(n) - 0.5)))\" y2=\"\(num(top + ph))\" stroke=\"#c9d1d9\" stroke-dasharray=\"2 2\"/>"
            var line = ""
            for (i, p) in points.enumerated() { line += (i == 0 ? "M" : "L") + "\(num(x(Double(p.bucket)))),\(num(y(p.value)))" }
            s += "<path d=\"\(line)\" fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"1.3\" stroke-dasharray=\"4 3\"/>"
        }
        // The series, broken where there is no data.
        var path = ""
        var pen = false
        for (i, v) in k.values.enumerated() {
            guard let v else { pen = false; continue }
            path += (pen ? "L" : "M") + "\(num(x(Double(i)))),\(num(y(v)))"
            pen = true
        }
        s += "<path d=\"\(path)\" fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.4\" stroke-linejoin=\"round\"/>"
        // Peaks of anomalies, with their expected value.
        for a in anomalies {
            let peak = peakIndex(a, k, d)
            s += "<line x1=\"\(num(x(peak) - step))\" y1=\"\(num(y(a.expected)))\" x2=\"\(num(x(peak) + step))\" y2=\"\(num(y(a.expected)))\" stroke=\"#9a9a9a\" stroke-width=\"2\"/>"
            s += "<circle cx=\"\(num(x(peak)))\" cy=\"\(num(y(a.observed)))\" r=\"3.2\" fill=\"#cf222e\"><title>\(esc(ReportRenderer.when(a.start, ctx))): \(esc(ReportRenderer.value(a.observed, metric: k.metric))) vs \(esc(ReportRenderer.value(a.expected, metric: k.metric))) expected, score \(ReportRenderer.format1(a.score))</title></circle>"
        }
        s += "</svg>\n"
        return s
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v` (1 for nothing), for round axis labels.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var p = 1.0
        while p * 10 <= v { p *= 10 }
        while p > v { p /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * p >= v { return m * p }
        return 10 * p
    }

    /// The bucket of an anomaly whose value is its observed peak (the first such in its span).
    static func peakIndex(_ a: TrendReport.Anomaly, _ k: TrendReport.KeySeries, _ d: TrendData) -> Double {
        let i0 = Int((a.start.nanos - d.start.nanos) / d.bucketNanos)
        let i1 = Int((a.end.nanos - d.start.nanos) / d.bucketNanos)
        for i in max(0, i0)..<min(k.values.count, max(i0, i1)) where k.values[i] == a.observed { return Double(i) }
        return Double(i0)
    }
}
