/// One trace as a single self-contained HTML page (inline CSS and a few lines of
/// script, no network): the waterfall on a shared time axis, span details on click,
/// the critical path, errors, and the log lines under their spans.
public enum WaterfallHTMLRenderer {
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#86bcb6", "#8cd17d"]

    static func color(_ service: String) -> String {
        palette[serviceColorIndex(service, count: palette.count)]
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    public static func render(_ trace: Trace, logs: [CorrelatedLog], time: TimeDisplay, to out: inout some TextOutputStream) {
        let t0 = trace.start.nanos
        let total = Double(max(1, trace.durationNanos))
        let root = trace.root
        let title = "\(root?.span.service ?? "?") \(root?.span.operation ?? "") — trace \(trace.traceID)"
        var byNode: [Int: [CorrelatedLog]] = [:]
        for l in logs { byNode[l.node, default: []].append(l) }

        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        :root { --name: 34%; --dur: 7em; }
        * { box-sizing: border-box; }
        body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d232b; background: #fff; }
        header { padding: 14px 20px 10px; border-bottom: 1px solid #d8dee6; background: #f6f8fa; }
        h1 { font-size: 16px; margin: 0 0 4px; font-weight: 600; }
        h1 code { font-size: 13px; color: #57606a; font-weight: normal; }
        .facts { color: #57606a; }
        .facts span + span::before { content: " · "; }
        .failure { margin: 10px 0 0; padding: 8px 12px; border-left: 4px solid #cf222e; background: #ffebe9; color: #82071e; font-weight: 600; }
        .note { margin: 6px 0 0; padding: 4px 12px; border-left: 4px solid #d4a72c; background: #fff8c5; color: #633c01; }
        main { padding: 8px 20px 40px; }
        .row { display: flex; align-items: center; min-height: 22px; border-bottom: 1px solid #f0f2f5; cursor: pointer; }
        .row:hover { background: #f3f6fa; }
        .row.sel { background: #e8f0fe; }
        .name { width: var(--name); flex: none; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: 8px; }
        .name .svc { font-weight: 600; }
        .name .dot { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
        .name .err { color: #cf222e; font-weight: 700; margin-right: 3px; }
        .name .flag { color: #9a6700; margin-left: 4px; font-size: 11px; }
        .lane { position: relative; flex: 1; height: 16px; }
        .bar { position: absolute; top: 3px; height: 10px; border-radius: 2px; min-width: 2px; opacity: .55; }
        .bar.crit { opacity: 1; top: 2px; height: 12px; }
        .bar.error { background: #cf222e !important; }
        .dur { width: var(--dur); flex: none; text-align: right; font-variant-numeric: tabular-nums; color: #24292f; }
        .self { width: var(--dur); flex: none; text-align: right; font-variant-numeric: tabular-nums; color: #8c959f; }
        .axis { display: flex; color: #57606a; font-size: 11px; border-bottom: 1px solid #d8dee6; padding: 4px 0; position: sticky; top: 0; background: #fff; z-index: 1; }
        .axis .lane { height: 14px; }
        .axis .tick { position: absolute; transform: translateX(-50%); white-space: nowrap; }
        .axis .tick:first-child { transform: none; }
        .axis .tick:last-child { transform: translateX(-100%); }
        .log { display: flex; font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; color: #3b434b; padding: 1px 0; }
        .log .when { flex: none; color: #8c959f; margin-right: 8px; }
        .log .lvl { flex: none; width: 4.8em; font-weight: 600; }
        .log .msg { white-space: pre-wrap; word-break: break-word; }
        .log summary { color: #57606a; cursor: pointer; font-style: normal; }
        .log.time { font-style: italic; }
        .log .join { flex: none; width: 1.2em; color: #9a6700; font-style: normal; }
        .lvl.error, .lvl.fatal { color: #cf222e; } .lvl.warn { color: #9a6700; } .lvl.info { color: #1a7f37; } .lvl.debug, .lvl.trace { color: #8c959f; }
        .details { display: none; margin: 4px 0 10px; padding: 8px 12px; background: #f6f8fa; border: 1px solid #d8dee6; border-radius: 6px; }
        .details.open { display: block; }
        .details table { border-collapse: collapse; }
        .details td { padding: 1px 12px 1px 0; vertical-align: top; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
        .details td:first-child { color: #57606a; }
        .details h3 { font-size: 12px; margin: 8px 0 2px; color: #57606a; text-transform: uppercase; letter-spacing: .04em; }
        .legend { margin-top: 16px; color: #57606a; font-size: 12px; }
        .legend i { display: inline-block; width: 18px; height: 10px; border-radius: 2px; vertical-align: -1px; margin: 0 4px 0 12px; }
        </style></head><body>
        <header>
        <h1>\(escape(root.map { "\($0.span.service) \($0.span.operation)" } ?? "trace")) <code>\(escape(trace.traceID))</code></h1>
        <div class="facts"><span>\(escape(time.full(trace.start)))</span><span>\(escape(Duration.format(nanos: trace.durationNanos)))</span><span>\(trace.nodes.count) spans</span><span>\(trace.services.count) services</span><span>\(trace.errorCount) error\(trace.errorCount == 1 ? "" : "s")</span><span>\(logs.count) log lines</span></div>

        """
        if let f = FailureSummary.of(trace) { h += "<div class=\"failure\">✗ \(escape(f.sentence))</div>\n" }
        for n in trace.notes { h += "<div class=\"note\">\(escape(n))</div>\n" }
        h += "</header>\n<main>\n<div class=\"axis\"><div class=\"name\">span</div><div class=\"lane\">"
        for q in 0...4 {
            let pct = Double(q) * 25
            h += "<span class=\"tick\" style=\"left:\(pct)%\">\(escape(Duration.format(nanos: Int64(total * Double(q) / 4))))</span>"
        }
        h += "</div><div class=\"dur\">total</div><div class=\"self\">self</div></div>\n"
        for (i, n) in trace.nodes.enumerated() {
            let s = n.span
            let left = Double(s.start.nanos - t0) / total * 100
            let w = max(0.15, Double(s.durationNanos) / total * 100)
            let c = color(s.service)
            var flags: [String] = TraceJSONRenderer.flagNames(n.flags)
            if n.skewNanos != 0 { flags.append("moved \(Duration.format(nanos: n.skewNanos))") }
            let tip = "\(s.service) \(s.operation) — \(Duration.format(nanos: s.durationNanos)), self \(Duration.format(nanos: n.selfNanos))\(s.isError ? " — error" : "")"
            h += "<div class=\"row\" data-i=\"\(i)\" title=\"\(escape(tip))\"><div class=\"name\" style=\"padding-left:\(min(n.depth, 16) * 14)px\">"
            if s.isError { h += "<span class=\"err\">✗</span>" }
            h += "<span class=\"dot\" style=\"background:\(c)\"></span><span class=\"svc\">\(escape(s.service))</span> \(escape(s.operation))"
            if !flags.isEmpty { h += "<span class=\"flag\">\(escape(flags.joined(separator: ", ")))</span>" }
            h += "</div><div class=\"lane\"><div class=\"bar\(n.critical ? " crit" : "")\(s.isError ? " error" : "")\" style=\"left:\(fmt(left))%;width:\(fmt(min(w, 100 - left)))%;background:\(c)\"></div></div>"
            h += "<div class=\"dur\">\(escape(Duration.format(nanos: s.durationNanos)))</div><div class=\"self\">\(escape(Duration.format(nanos: n.selfNanos)))</div></div>\n"
            // Details, opened by a click.
            h += "<div class=\"details\" id=\"d\(i)\"><table>"
            let rows: [(String, String)] = [("span", s.spanID), ("parent", s.parentID ?? "—"), ("kind", s.kind.rawValue),
                                            ("start", time.full(s.start)), ("duration", Duration.format(nanos: s.durationNanos)),
                                            ("self time", Duration.format(nanos: n.selfNanos)), ("critical path", n.critical ? "yes" : "no"),
                                            ("status", s.status.rawValue + (s.statusMessage.map { ": " + $0 } ?? "")), ("source", s.location.description)]
            for (k, v) in rows { h += "<tr><td>\(escape(k))</td><td>\(escape(v))</td></tr>" }
            h += "</table>"
            if !s.attributes.isEmpty {
                h += "<h3>attributes</h3><table>"
                for a in s.attributes { h += "<tr><td>\(escape(a.key))</td><td>\(escape(a.value))</td></tr>" }
                h += "</table>"
            }
            if !s.events.isEmpty {
                h += "<h3>events</h3><table>"
                for e in s.events {
                    h += "<tr><td>+\(escape(Duration.format(nanos: Timestamp.distance(trace.start, e.time))))</td><td>\(escape(e.name))\(e.attributes.isEmpty ? "" : " — " + escape(e.attributes.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))</td></tr>"
                }
                h += "</table>"
            }
            if !s.links.isEmpty {
                h += "<h3>links</h3><table>"
                for l in s.links { h += "<tr><td>\(escape(l.type.rawValue))</td><td>\(escape(l.traceID)) / \(escape(l.spanID))</td></tr>" }
                h += "</table>"
            }
            h += "</div>\n"
            for l in (byNode[i] ?? []).sorted(by: { ($0.record.timestamp?.nanos ?? 0) < ($1.record.timestamp?.nanos ?? 0) }) {
                let r = l.record
                let lvl = r.level == .unknown ? "" : r.level.name
                h += "<div class=\"log\(l.join == .time ? " time" : "")\" style=\"padding-left:\(min(n.depth, 16) * 14 + 24)px\" title=\"\(escape(l.join == .time ? "matched by service and time only" : "joined by \(l.join.rawValue)")) — \(escape(r.location.description))\">"
                h += "<span class=\"join\">\(l.join == .time ? "≈" : "")</span><span class=\"when\">\(escape(r.timestamp.map { String(time.short($0).suffix(12)) } ?? ""))</span><span class=\"lvl \(lvl)\">\(escape(lvl.uppercased()))</span>"
                let lines = r.message.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: isLineBreak)
                let head = escape((r.service.map { $0 + ": " } ?? "") + (lines.first.map(String.init) ?? ""))
                if lines.count > 1 {
                    let rest = String(lines[1])
                    let n = rest.split(omittingEmptySubsequences: false, whereSeparator: isLineBreak).count
                    h += "<span class=\"msg\">\(head)<details><summary>\(n) more line\(n == 1 ? "" : "s")</summary>\(escape(rest))</details></span></div>\n"
                } else {
                    h += "<span class=\"msg\">\(head)</span></div>\n"
                }
            }
        }
        h += """
        <div class="legend">Click a span for its details.<i style="background:#4e79a7"></i>critical path<i style="background:#4e79a7;opacity:.55"></i>other spans<i style="background:#cf222e"></i>error · ≈ log lines in italics carry no ID and were matched by service and time only.</div>
        </main>
        <script>
        document.querySelectorAll('.row').forEach(function (r) {
          r.addEventListener('click', function () {
            var d = document.getElementById('d' + r.dataset.i);
            d.classList.toggle('open'); r.classList.toggle('sel');
          });
        });
        </script>
        </body></html>

        """
        out.write(h)
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        return String(max(0, r))
    }
}
