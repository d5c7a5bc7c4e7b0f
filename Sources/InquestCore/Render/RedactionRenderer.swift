/// Renders the summary of `redact`: what each detector found in each file.
public enum RedactionRenderer {
    /// `{"files":[{"path","out","format","lines","detections":{"email":N,…},"issues":[…]}],
    /// "totals":{"files","lines","detections":{…}},"problems":[…],"dry_run":bool}`.
    /// Every detector appears in every `detections` object, zeros included.
    public static func json(_ s: RedactionSummary, dryRun: Bool, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginArray("files")
        for f in s.files {
            j.beginObject()
            j.field("path", f.path)
            j.field("out", f.out)
            j.field("format", f.format)
            j.field("lines", f.lines)
            counts(f.detections, into: &j)
            j.beginArray("issues")
            for i in f.issues {
                j.beginObject()
                j.field("line", i.line)
                j.field("reason", i.reason)
                j.endObject()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.beginObject("totals")
        j.field("files", s.files.count)
        j.field("lines", s.lines)
        counts(s.totals, into: &j)
        j.endObject()
        j.field("problems", strings: s.problems)
        j.field("dry_run", dryRun)
        j.endObject()
        out.write(j.text)
        out.write("\n")
    }

    static func counts(_ c: RedactionCounts, into j: inout JSONOut) {
        j.beginObject("detections")
        for k in RedactionKind.allCases { j.field(k.rawValue, c[k]) }
        j.endObject()
    }

    /// A table: one row per file with its lines and the count of each detector that
    /// found anything in the run, a total row, then issues and where the files went.
    public static func text(_ s: RedactionSummary, dryRun: Bool, outDirectory: String, style: Style, width: Int,
                            to out: inout some TextOutputStream) {
        let totals = s.totals
        let kinds = RedactionKind.allCases.filter { totals[$0] > 0 }
        var headers = ["file", "lines"] + kinds.map(\.rawValue)
        headers.append("total")
        var rows: [[String]] = s.files.map { f in
            // Made printable before widths are measured, so the columns line up.
            [printable(f.path), grouped(f.lines)] + kinds.map { f.detections[$0] == 0 ? "·" : grouped(f.detections[$0]) } + [grouped(f.detections.total)]
        }
        rows.append(["total (\(s.files.count) file\(s.files.count == 1 ? "" : "s"))", grouped(s.lines)] + kinds.map { grouped(totals[$0]) } + [grouped(totals.total)])
        var widths = headers.indices.map { c in max(displayWidth(headers[c]), rows.map { displayWidth($0[c]) }.max() ?? 0) }
        let numbers = widths.dropFirst().reduce(0) { $0 + $1 + 2 }
        widths[0] = min(widths[0], max(16, width - numbers))
        func fit(_ s: String, _ w: Int) -> String {
            let d = displayWidth(s)
            if d <= w { return s + String(repeating: " ", count: w - d) }
            return "…" + String(s.suffix(max(1, w - 1)))
        }
        func line(_ cells: [String], bold: Bool = false) -> String {
            var l = fit(cells[0], widths[0])
            for c in 1..<cells.count {
                l += "  " + String(repeating: " ", count: max(0, widths[c] - displayWidth(cells[c]))) + cells[c]
            }
            while l.hasSuffix(" ") { l.removeLast() }
            return bold ? style.bold(l) : l
        }
        out.write(line(headers, bold: true) + "\n")
        for (i, r) in rows.enumerated() { out.write(line(r, bold: i == rows.count - 1) + "\n") }
        var issues: [String] = []
        for f in s.files { for i in f.issues { issues.append(i.line > 0 ? "\(f.path):\(i.line): \(i.reason)" : "\(f.path): \(i.reason)") } }
        issues += s.problems
        if !issues.isEmpty {
            out.write("\n")
            for i in issues.prefix(20) { out.write(style.paint("! ", .yellow, bold: true) + printable(i) + "\n") }
            if issues.count > 20 { out.write("  … and \(issues.count - 20) more\n") }
        }
        let written = s.files.filter { $0.out != nil }.count
        out.write("\n")
        if dryRun {
            out.write("dry run: nothing written\n")
        } else {
            out.write("\(written) file\(written == 1 ? "" : "s") written to \(outDirectory) (mode 0600)\n")
        }
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        guard n >= 10_000 else { return s }
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
