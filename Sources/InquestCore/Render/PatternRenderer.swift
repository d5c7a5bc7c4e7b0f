/// Renders mined log patterns as a table, JSON, CSV, or one assignment a line.
public struct PatternRenderer {
    public var style: Style
    public var width: Int
    public var time: TimeDisplay
    /// Compare with a baseline (the table has baseline records).
    public var compare: Bool
    /// Share growth or shrinkage that counts as changed.
    public var factor: Double

    public init(style: Style, width: Int, time: TimeDisplay, compare: Bool, factor: Double = 2) {
        self.style = style; self.width = width; self.time = time; self.compare = compare; self.factor = factor
    }

    /// Patterns to show: all, or with a baseline the changed ones first, most frequent first.
    public func ordered(_ table: PatternTable) -> [MinedPattern] {
        guard compare else { return table.patterns }
        func rank(_ c: PatternChange) -> Int {
            switch c { case .new: 0; case .increased: 1; case .vanished: 2; case .decreased: 3; case .same: 4 }
        }
        return table.patterns.enumerated().sorted {
            let a = rank(table.change(of: $0.element, factor: factor)), b = rank(table.change(of: $1.element, factor: factor))
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
    }

    public func text(_ table: PatternTable, limit: Int?, to out: inout some TextOutputStream) {
        let rows = ordered(table)
        let shown = limit.map { $0 > 0 ? Array(rows.prefix($0)) : rows } ?? rows
        let countW = max(5, grouped(rows.first.map { max($0.count, $0.baselineCount) } ?? 0).count)
        let changeW = compare ? 9 : 0
        let templateW = max(20, width - countW - 8 - (compare ? changeW + 1 : 0))
        var head = fit("COUNT", countW, alignRight: true) + "  " + fit("SHARE", 5, alignRight: true) + " "
        if compare { head += fit("CHANGE", changeW) + " " }
        out.write(style.bold(head + "PATTERN") + "\n")
        let indent = String(repeating: " ", count: countW + 8 + (compare ? changeW + 1 : 0))
        for p in shown {
            var line = fit(grouped(p.count), countW, alignRight: true) + "  "
            line += fit(percent(Double(p.count) / Double(max(1, table.lines))), 5, alignRight: true) + " "
            if compare {
                let (label, color) = changeLabel(p, table)
                line += (color.map { style.paint(fit(label, changeW), $0, bold: label == "new") } ?? fit(label, changeW)) + " "
            }
            let template = trimmed(fit(p.template.isEmpty ? "(empty message)" : p.template, templateW))
            // Red when most of its records are errors.
            line += p.errors * 2 > p.count ? style.level(p.level, template) : highlight(template)
            out.write(line + "\n")
            var detail = [p.id]
            if p.errors > 0 && p.errors * 2 <= p.count { detail.append("\(grouped(p.errors)) errors") }
            if let f = p.firstSeen, let l = p.lastSeen {
                let a = String(time.short(f).prefix(19)), b = String(time.short(l).prefix(19))
                // The second time without its date when both fall on one day.
                detail.append(a == b ? a : a + " – " + (a.prefix(11) == b.prefix(11) ? String(b.dropFirst(11)) : b))
            }
            let values = variablesLine(p)
            if !values.isEmpty { detail.append(values) }
            out.write(indent + style.dim(trimmed(fit(detail.joined(separator: "  "), max(10, width - indent.count)))) + "\n")
        }
        var footer = "\(grouped(table.patterns.count)) patterns in \(grouped(table.lines)) records"
        if compare { footer += " (baseline: \(grouped(table.baselineLines)) records)" }
        if shown.count < rows.count { footer += "; \(rows.count - shown.count) more not shown (--limit 0 shows all)" }
        out.write(style.dim(footer) + "\n")
    }

    func changeLabel(_ p: MinedPattern, _ table: PatternTable) -> (String, Style.Color?) {
        switch table.change(of: p, factor: factor) {
        case .new: return ("new", .red)
        case .vanished: return ("vanished", .yellow)
        case .increased, .decreased:
            let now = Double(p.count) / Double(max(1, table.lines))
            let before = Double(p.baselineCount) / Double(max(1, table.baselineLines))
            let r = now / before
            let label = r >= 1 ? "×" + ratio(r) : "÷" + ratio(1 / r)
            return (label, r >= 1 ? .red : .green)
        case .same: return ("", nil)
        }
    }

    func ratio(_ r: Double) -> String { r >= 10 ? String(Int(r.rounded())) : String((r * 10).rounded() / 10) }

    func highlight(_ template: String) -> String {
        guard style.enabled else { return template }
        return template.replacingOccurrences(of: "<*>", with: style.paint("<*>", .cyan))
    }

    /// `<*>1 root 80%, admin 5% · <*>2 …` for the sampled variable values.
    func variablesLine(_ p: MinedPattern) -> String {
        var parts: [String] = []
        for (k, values) in p.variables.enumerated() where !values.isEmpty {
            let total = max(1, p.count + p.baselineCount)
            // An empty value (`[]` under `[<*>]`) shows as "".
            let list = values.map { clip($0.value.isEmpty ? "\"\"" : $0.value, 24) + " " + percent(Double($0.count) / Double(total)) }
            parts.append("<*>\(k + 1) " + list.joined(separator: ", "))
            if parts.count == 3 { break }
        }
        return parts.joined(separator: " · ")
    }

    /// Without the padding `fit` adds at the end of a line.
    func trimmed(_ s: String) -> String {
        var s = s
        while s.last == " " { s.removeLast() }
        return s
    }

    func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    func percent(_ v: Double) -> String {
        let p = v * 100
        if p >= 10 || p == 0 { return String(Int(p.rounded())) + "%" }
        if p < 0.1 { return "<0.1%" }
        return String((p * 10).rounded() / 10) + "%"
    }

    public func json(_ table: PatternTable, skipped: Int, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginArray("patterns")
        for p in ordered(table) {
            j.beginObject()
            j.field("id", p.id)
            j.field("template", p.template)
            j.field("count", p.count)
            j.field("share", (Double(p.count) / Double(max(1, table.lines)) * 1e6).rounded() / 1e6)
            if compare {
                j.field("baseline_count", p.baselineCount)
                j.field("change", table.change(of: p, factor: factor).rawValue)
            }
            j.field("first_seen", p.firstSeen.map { $0.rfc3339() })
            j.field("last_seen", p.lastSeen.map { $0.rfc3339() })
            j.field("level", p.level == .unknown ? nil : p.level.name)
            j.field("errors", p.errors)
            j.field("example", p.example)
            j.beginArray("variables")
            for values in p.variables {
                j.beginArray()
                for v in values { j.beginObject(); j.field("value", v.value); j.field("count", v.count); j.endObject() }
                j.endArray()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.field("patterns_total", table.patterns.count)
        j.field("lines", table.lines)
        if compare { j.field("baseline_lines", table.baselineLines) }
        j.field("skipped", skipped)
        j.endObject()
        out.write(j.text + "\n")
    }

    /// One JSON object a line per pattern.
    public func ndjson(_ table: PatternTable, to out: inout some TextOutputStream) {
        for p in ordered(table) {
            var j = JSONOut()
            j.beginObject()
            j.field("id", p.id)
            j.field("template", p.template)
            j.field("count", p.count)
            if compare {
                j.field("baseline_count", p.baselineCount)
                j.field("change", table.change(of: p, factor: factor).rawValue)
            }
            j.field("first_seen", p.firstSeen.map { $0.rfc3339() })
            j.field("last_seen", p.lastSeen.map { $0.rfc3339() })
            j.field("example", p.example)
            j.endObject()
            out.write(j.text + "\n")
        }
    }

    public func csv(_ table: PatternTable, to out: inout some TextOutputStream) {
        out.write("id,count,share,\(compare ? "baseline_count,change," : "")first_seen,last_seen,template,example\n")
        for p in ordered(table) {
            var row = [p.id, String(p.count), String((Double(p.count) / Double(max(1, table.lines)) * 1e6).rounded() / 1e6)]
            if compare { row += [String(p.baselineCount), table.change(of: p, factor: factor).rawValue] }
            row += [p.firstSeen?.rfc3339() ?? "", p.lastSeen?.rfc3339() ?? "", p.template, p.example]
            out.write(row.map(csvField).joined(separator: ",") + "\n")
        }
    }

    /// `{"line": N, "pattern": ID}` per record (with `"file"` when there are several inputs).
    public static func assignments(_ result: PatternMining.Result, paths: [String]?, to out: inout some TextOutputStream) {
        var ids = result.table.patterns.map { JSONWriter.quoted($0.id) }
        ids.append("null")
        let files = paths?.map(JSONWriter.quoted)
        var line = ""
        for a in result.assignments {
            line.removeAll(keepingCapacity: true)
            line += "{"
            if let files { line += "\"file\":" + files[Int(a.input)] + "," }
            let p = result.table.patternIndex(forCluster: Int(a.cluster))
            line += "\"line\":" + String(a.line) + ",\"pattern\":" + ids[p >= 0 ? p : ids.count - 1] + "}\n"
            out.write(line)
        }
    }
}

