/// Draws one trace as a terminal waterfall: the tree indented, a bar per span on a
/// shared time axis that fits the width, duration and self time, error marks, the
/// critical path in solid bars, and the trace's log lines under their spans.
public struct WaterfallRenderer {
    public var style: Style
    public var time: TimeDisplay
    public var width: Int
    /// Most log lines shown under one span (the rest are counted).
    public var logsPerSpan: Int

    public init(style: Style, time: TimeDisplay, width: Int, logsPerSpan: Int = 8) {
        self.style = style
        self.time = time
        self.width = max(60, width)
        self.logsPerSpan = logsPerSpan
    }

    public func render(_ trace: Trace, logs: [CorrelatedLog], to out: inout some TextOutputStream) {
        let t0 = trace.start.nanos
        let total = max(1, trace.durationNanos)
        let root = trace.root
        out.write(style.bold("Trace \(printable(trace.traceID))") + "\n")
        var facts = [(root.map { "\($0.span.service) \($0.span.operation)" } ?? "?"), time.short(trace.start),
                     Duration.format(nanos: trace.durationNanos), "\(trace.nodes.count) spans", "\(trace.services.count) services"]
        let errors = trace.errorCount
        facts.append(errors == 0 ? "no errors" : "\(errors) error\(errors == 1 ? "" : "s")")
        writeWrapped(printable(facts.joined(separator: " · ")), indent: "", to: &out)
        if let f = FailureSummary.of(trace) {
            writeWrapped(style.paint("✗ " + printable(f.sentence), .red, bold: true), indent: "  ", to: &out, measureStripped: true)
        }
        for n in trace.notes { writeWrapped(style.paint("! " + printable(n), .yellow), indent: "  ", to: &out, measureStripped: true) }
        out.write("\n")

        let nameW = min(40, max(24, width * 3 / 8))
        let durW = 7, selfW = 7
        let barW = width - nameW - durW - selfW - 3
        // Axis: labels at 0, ½ and the end, ticks at quarters.
        var axis = [Character](repeating: " ", count: barW)
        let labels = [(0, "0"), (barW / 2, Duration.format(nanos: total / 2)), (barW, Duration.format(nanos: total))]
        for (pos, text) in labels {
            let start = max(0, min(barW - text.count, pos - (pos == 0 ? 0 : pos == barW ? text.count : text.count / 2)))
            for (k, c) in text.enumerated() where start + k < barW { axis[start + k] = c }
        }
        out.write(style.dim(fit("SPAN", nameW) + " " + String(axis) + " " + fit("TOTAL", durW, alignRight: true) + " " + fit("SELF", selfW, alignRight: true)) + "\n")
        var tick = [Character](repeating: "─", count: barW)
        for q in 0...4 { tick[min(barW - 1, q * (barW - 1) / 4)] = "┼" }
        out.write(style.dim(String(repeating: " ", count: nameW) + " " + String(tick)) + "\n")

        var byNode: [Int: [CorrelatedLog]] = [:]
        for l in logs { byNode[l.node, default: []].append(l) }
        for (i, n) in trace.nodes.enumerated() {
            let s = n.span
            let indent = String(repeating: " ", count: min(n.depth, 10) * 2)
            let mark = s.isError ? "✗ " : (n.flags.isEmpty ? "  " : "! ")
            var label = indent + mark + s.service + " " + s.operation
            if n.flags.contains(.orphan) { label += " (parent missing)" }
            let name = fit(label, nameW)
            let coloredName: String = {
                guard style.enabled else { return name }
                if s.isError { return style.paint(name, .red, bold: true) }
                return n.critical ? style.bold(name) : name
            }()
            // Bar.
            func column(_ t: Int64, _ rule: FloatingPointRoundingRule) -> Int {
                let x = (Double(t) - Double(t0)) / Double(total) * Double(barW)
                return x.isFinite ? Int(max(-1, min(Double(barW + 1), x.rounded(rule)))) : 0
            }
            let a = column(s.start.nanos, .down)
            var b = column(s.end.nanos, .up)
            let startCol = max(0, min(barW - 1, a))
            b = max(startCol + 1, min(barW, b))
            let glyph: Character = n.critical ? "█" : "▒"
            var bar = String(repeating: " ", count: startCol) + String(repeating: glyph, count: b - startCol)
            bar += String(repeating: " ", count: barW - b)
            let dur = fit(Duration.format(nanos: s.durationNanos), durW, alignRight: true)
            let selfTime = fit(n.selfNanos == s.durationNanos && n.children.isEmpty ? "" : Duration.format(nanos: n.selfNanos), selfW, alignRight: true)
            out.write(coloredName + " " + colorBar(bar, service: s.service, error: s.isError) + " " + dur + " " + style.dim(selfTime) + "\n")
            // Logs under the span.
            if let mine = byNode[i]?.sorted(by: { ($0.record.timestamp?.nanos ?? 0) < ($1.record.timestamp?.nanos ?? 0) }) {
                for l in mine.prefix(logsPerSpan) { writeLog(l, indent: indent + "  ", to: &out) }
                if mine.count > logsPerSpan {
                    out.write(style.dim(indent + "  ┆ … \(mine.count - logsPerSpan) more log lines (--logs-per-span)") + "\n")
                }
            }
        }
        let joinedByTime = logs.filter { $0.join == .time }.count
        out.write("\n")
        var legend = "█ critical path  ▒ other spans  ✗ error  ! adjusted (see notes)"
        if !logs.isEmpty {
            legend += "  │ log with the trace's IDs"
            if joinedByTime > 0 { legend += "  ≈ log matched by service and time only" }
        }
        writeWrapped(style.dim(legend), indent: "", to: &out, measureStripped: true)
    }

    /// The bar in the service's colour (red for errors); plain without colour.
    func colorBar(_ bar: String, service: String, error: Bool) -> String {
        guard style.enabled else { return bar }
        return error ? style.paint(bar, .red) : style.service(service, paint: bar)
    }

    func writeLog(_ l: CorrelatedLog, indent: String, to out: inout some TextOutputStream) {
        let r = l.record
        let clock = r.timestamp.map { String(time.short($0).suffix(12)) } ?? String(repeating: " ", count: 12)
        let lead = indent + (l.join == .time ? "≈ " : "│ ")
        let level = fit(r.level.short, 5)
        let firstLine = r.message.split(maxSplits: 1, whereSeparator: isLineBreak).first.map(String.init) ?? ""
        let svc = r.service.map { $0 + " " } ?? ""
        let room = width - displayWidth(lead) - 12 - 1 - 5 - 1
        let text = fit(svc + firstLine.replacingOccurrences(of: "\t", with: " "), max(10, room)).trimmingTrailingSpaces()
        out.write(style.dim(lead + clock) + " " + style.level(r.level, level) + " " + text + "\n")
    }

    func writeWrapped(_ text: String, indent: String, to out: inout some TextOutputStream, measureStripped: Bool = false) {
        // Wrap on spaces to the width; colour codes are kept on the first line only when measuring stripped text.
        let plain = measureStripped ? stripANSI(text) : text
        if displayWidth(plain) <= width { out.write(text + "\n"); return }
        var line = ""
        var first = true
        for word in plain.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if displayWidth((first ? "" : indent) + candidate) > width && !line.isEmpty {
                out.write((first ? "" : indent) + line + "\n")
                first = false
                line = String(word)
            } else {
                line = candidate
            }
        }
        if !line.isEmpty { out.write((first ? "" : indent) + line + "\n") }
    }
}
