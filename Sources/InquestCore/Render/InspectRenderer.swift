/// Renders `inspect` results as text blocks or as JSON (the schema in DESIGN.md).
public enum InspectRenderer {
    public static func json(_ summaries: [InputSummary], problems: [InputDiscovery.Problem], to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginArray("inputs")
        for s in summaries {
            j.beginObject()
            j.field("path", s.stats.path)
            j.field("kind", s.stats.kind)
            j.field("format", s.stats.format)
            if let d = s.stats.formatDetail { j.field("format_detail", d) }
            if let y = s.stats.yearNote { j.field("year", y) }
            j.field("compression", s.stats.compression.rawValue)
            j.field("records", s.stats.records)
            j.field("parsed", s.stats.parsed)
            j.field("skipped", s.stats.skipped)
            j.field("repaired", s.stats.repaired)
            j.beginArray("errors")
            for e in s.stats.errors {
                j.beginObject(); j.field("line", e.line); j.field("reason", e.reason); j.endObject()
            }
            j.endArray()
            if s.stats.errorsOmitted > 0 { j.field("errors_omitted", s.stats.errorsOmitted) }
            j.field("first", s.first.map { $0.rfc3339() })
            j.field("last", s.last.map { $0.rfc3339() })
            j.field("services", strings: s.services.map(\.name))
            j.beginObject("levels")
            for l in s.levels { j.field(l.level == .unknown ? "unknown" : l.level.name, l.count) }
            j.endObject()
            j.field("traces", s.traces)
            j.field("spans", s.spans)
            if let c = s.stats.columns { j.field("columns", c) }
            if s.stats.kind == "metrics" {
                j.field("series", s.stats.series)
                j.field("metrics", s.metricNames)
                j.field("entities", strings: s.entities.map(\.name))
                j.field("samples", s.stats.parsed)
            }
            j.field("unreadable", s.stats.unreadable)
            j.endObject()
        }
        j.endArray()
        j.beginArray("problems")
        for p in problems { j.beginObject(); j.field("path", p.path); j.field("reason", p.reason); j.endObject() }
        j.endArray()
        j.beginObject("totals")
        j.field("inputs", summaries.count)
        j.field("records", summaries.reduce(0) { $0 + $1.stats.records })
        j.field("parsed", summaries.reduce(0) { $0 + $1.stats.parsed })
        j.field("skipped", summaries.reduce(0) { $0 + $1.stats.skipped })
        j.endObject()
        j.endObject()
        out.write(j.text)
        out.write("\n")
    }

    public static func text(_ summaries: [InputSummary], problems: [InputDiscovery.Problem], style: Style,
                            time: TimeDisplay, width: Int, to out: inout some TextOutputStream) {
        let label = 12
        let valueWidth = max(20, width - label - 2)
        func row(_ name: String, _ value: String) {
            out.write("  " + style.dim(fit(name, label - 2)) + value + "\n")
        }
        for s in summaries {
            out.write(style.bold(printable(s.stats.path)) + "\n")
            var kind = "\(s.stats.kind), \(s.stats.format)"
            if let d = s.stats.formatDetail { kind += " (\(d))" }
            if s.stats.compression != .none { kind += ", \(s.stats.compression.rawValue)" }
            func cut(_ v: String) -> String { displayWidth(v) > valueWidth ? fit(v, valueWidth) : v }
            row("kind", cut(kind))
            if let y = s.stats.yearNote { row("year", cut(y)) }
            if let c = s.stats.columns { row("columns", wrapList(c.split(separator: " ").map(String.init), width: valueWidth, indent: label)) }
            var counts = plural(s.stats.records, s.stats.kind == "spans" ? "span" : s.stats.kind == "metrics" ? "sample" : "record") + ": \(grouped(s.stats.parsed)) parsed"
            counts += s.stats.skipped > 0 ? ", " + style.paint("\(grouped(s.stats.skipped)) skipped", .red, bold: true) : ", 0 skipped"
            if s.stats.repaired > 0 { counts += ", \(grouped(s.stats.repaired)) with invalid UTF-8 repaired" }
            row("records", counts)
            if let f = s.first, let l = s.last {
                let span = style.dim("(" + Duration.format(nanos: Timestamp.distance(f, l)) + ")")
                let range = time.short(f) + " → " + time.short(l)
                if displayWidth(range) + 1 + displayWidth(stripANSI(span)) <= valueWidth {
                    row("time", range + " " + span)
                } else {
                    row("time", range)
                    row("", span)
                }
            }
            if !s.services.isEmpty {
                row("services", wrapList(s.services.map { "\(printable($0.name)) \(grouped($0.count))" }, width: valueWidth, indent: label))
            }
            if !s.levels.isEmpty {
                row("levels", wrapList(s.levels.map { style.level($0.level, $0.level == .unknown ? "no level" : $0.level.name) + " \(grouped($0.count))" },
                                       width: valueWidth, indent: label, measure: { displayWidth(stripANSI($0)) }))
            }
            if s.traces > 0 || s.stats.kind == "spans" { row("traces", grouped(s.traces)) }
            if s.stats.kind == "metrics" {
                let per = s.entities.isEmpty ? "" : " × \(plural(s.entities.count, "entity", "entities"))"
                row("series", "\(grouped(s.stats.series)) (\(plural(s.metricNames, "metric"))\(per))")
                if !s.entities.isEmpty {
                    row("entities", wrapList(s.entities.prefix(20).map { printable($0.name) } + (s.entities.count > 20 ? ["…"] : []),
                                             width: valueWidth, indent: label))
                }
            }
            for (i, e) in s.stats.errors.prefix(5).enumerated() {
                let loc = e.line > 0 ? "\(s.stats.path):\(e.line): " : "\(s.stats.path): "
                row(i == 0 ? "problems" : "", fit(loc + e.reason, valueWidth))
            }
            let more = s.stats.errors.count - 5 + s.stats.errorsOmitted
            if more > 0 { row("", style.dim("… and \(more) more (--output json lists the first \(InputStats.maxErrors))")) }
            out.write("\n")
        }
        for p in problems { out.write(style.paint("unreadable", .red, bold: true) + "  " + printable(p.description) + "\n") }
        let records = summaries.reduce(0) { $0 + $1.stats.records }
        let skipped = summaries.reduce(0) { $0 + $1.stats.skipped }
        out.write("\(plural(summaries.count, "input")), \(plural(records, "record")), \(grouped(skipped)) skipped\n")
    }

    static func wrapList(_ items: [String], width: Int, indent: Int, measure: (String) -> Int = displayWidth) -> String {
        var lines: [String] = []
        var current = ""
        var cw = 0
        for item in items {
            let w = measure(item)
            if cw > 0 && cw + 2 + w > width {
                lines.append(current + ",")
                current = ""; cw = 0
            }
            if cw > 0 { current += ", "; cw += 2 }
            current += item; cw += w
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }
}

/// Removes ANSI colour sequences (for measuring).
public func stripANSI(_ s: String) -> String {
    var out = ""
    var inEscape = false
    for u in s.unicodeScalars {
        if inEscape { if u == "m" { inEscape = false }; continue }
        if u == "\u{1B}" { inEscape = true; continue }
        out.unicodeScalars.append(u)
    }
    return out
}
