/// Renders `check` results: when each rule fired, as an aligned table with the rules
/// below it, or as JSON.
public enum CheckRenderer {
    /// `{"rules": N, "fired": [{"alert", "severity", "expr", "start", "end", "ongoing",
    /// "duration_seconds", "peak", "peak_at", "threshold"}], "window": {…}, "skipped": N}`;
    /// times RFC 3339 in UTC, `end` null while still firing at the end of the input.
    public static func json(_ r: RuleBacktest.Result, skipped: Int, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.field("rules", r.rules)
        j.beginArray("fired")
        for f in chronological(r.firings) {
            j.beginObject()
            j.field("alert", f.alert)
            j.field("severity", f.severity)
            j.field("expr", f.expr)
            j.field("start", f.start.rfc3339())
            j.field("end", f.ongoing ? nil : f.end.rfc3339())
            j.field("ongoing", f.ongoing)
            j.field("duration_seconds", f.durationNanos / 1_000_000_000)
            j.field("peak", f.peak)
            j.field("peak_at", f.peakAt.rfc3339())
            j.field("threshold", f.threshold)
            j.endObject()
        }
        j.endArray()
        j.beginObject("window")
        j.field("start", r.bucketCount > 0 ? r.start.rfc3339() : nil)
        j.field("end", r.bucketCount > 0 ? bucketEnd(r, r.bucketCount - 1).rfc3339() : nil)
        j.field("bucket_seconds", r.bucketNanos / 1_000_000_000)
        j.field("buckets", r.bucketCount)
        j.endObject()
        j.field("skipped", skipped)
        j.endObject()
        out.write(j.text + "\n")
    }

    /// A table of firing intervals (alert, severity, start, end, duration, peak), then
    /// each rule with its expression and how often it fired.
    public static func text(_ r: RuleBacktest.Result, rules: [AlertRule], style: Style, time: TimeDisplay, width: Int,
                            to out: inout some TextOutputStream) {
        let width = max(60, width)
        let firings = chronological(r.firings)
        let clock = Clock(r, time)
        var summary = "\(r.rules) rule\(r.rules == 1 ? "" : "s"), \(r.firedAlerts.count) fired"
        if !firings.isEmpty { summary += " (\(firings.count) interval\(firings.count == 1 ? "" : "s"))" }
        out.write(style.bold("Alert rules backtested") + ": " + summary + "\n")
        if r.bucketCount > 0 {
            let zone = time.offsetSeconds == 0 ? "UTC" : String(time.full(r.start).suffix(6))
            let range = clock.range(r.start, bucketEnd(r, r.bucketCount - 1))
            let buckets = "\(r.bucketCount) bucket\(r.bucketCount == 1 ? "" : "s") of \(widthName(r.bucketNanos)) from \(range) \(zone)"
            out.write(style.dim(fit(buckets, width).trimmingTrailingSpaces()) + "\n\n")
        } else {
            out.write(style.dim("no timed data in the inputs") + "\n\n")
        }

        if firings.isEmpty {
            out.write("No rule fired.\n")
        } else {
            let rows = firings.map { f -> [String] in
                // The peak's date only when it differs from the start's.
                let sameDay = clock.date(f.peakAt) == clock.date(f.start)
                let peak = format(f.peak, f.comparison.metric) + " at " + (sameDay ? clock.clock(f.peakAt) : clock.time(f.peakAt))
                return [f.alert, f.severity ?? "-", clock.time(f.start), f.ongoing ? "ongoing" : clock.time(f.end),
                        widthName(f.durationNanos) + (f.ongoing ? "+" : ""), peak]
            }
            let headers = ["ALERT", "SEVERITY", "START", "END", "DURATION", "PEAK"]
            var widths = headers.indices.map { c in max(displayWidth(headers[c]), rows.map { displayWidth($0[c]) }.max() ?? 0) }
            // Too wide: the alert name gives way first (down to 12 columns), then severity and peak.
            let total = { widths.reduce(0, +) + 2 * (widths.count - 1) }
            if total() > width { widths[0] = max(12, widths[0] - (total() - width)) }
            if total() > width { widths[1] = max(8, widths[1] - (total() - width)) }
            if total() > width { widths[5] = max(10, widths[5] - (total() - width)) }
            let right: Set<Int> = [4]
            out.write(style.bold(headers.indices.map { fit(headers[$0], widths[$0], alignRight: right.contains($0)) }
                .joined(separator: "  ").trimmingTrailingSpaces()) + "\n")
            for (f, row) in zip(firings, rows) {
                var cells = row.indices.map { fit(row[$0], widths[$0], alignRight: right.contains($0)) }
                cells[0] = style.bold(cells[0])
                cells[1] = severityStyle(f.severity, cells[1], style)
                if f.ongoing { cells[3] = style.paint(cells[3], .red) }
                out.write(cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n")
            }
        }

        guard !rules.isEmpty else { return }
        out.write("\n" + style.bold("Rules") + "\n")
        let nameW = min(max(12, rules.map { displayWidth($0.name) }.max() ?? 0), width / 3)
        let outcomeW = 10
        let exprW = width - nameW - outcomeW - 6
        for rule in rules {
            let n = r.firings.filter { $0.alert == rule.name }.count
            let outcome = n == 0 ? "quiet" : "fired \(n)×"
            let expr = rule.expr.split(whereSeparator: { $0 == "\n" || $0 == " " }).joined(separator: " ")
                + (rule.forNanos > 0 ? " for " + widthName(rule.forNanos) : "")
            let line = "  " + fit(rule.name, nameW) + "  " + fit(expr, exprW) + "  "
                + (n == 0 ? style.dim(fit(outcome, outcomeW)) : style.paint(fit(outcome, outcomeW), .red))
            out.write(line.trimmingTrailingSpaces() + "\n")
        }
    }

    // MARK: - Helpers

    static func chronological(_ firings: [RuleBacktest.Firing]) -> [RuleBacktest.Firing] {
        firings.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
    }

    static func bucketEnd(_ r: RuleBacktest.Result, _ i: Int) -> Timestamp {
        Timestamp(nanos: r.start.nanos &+ Int64(i + 1) &* r.bucketNanos, precision: 0)
    }

    static func severityStyle(_ severity: String?, _ text: String, _ style: Style) -> String {
        switch severity?.lowercased() {
        case "page", "critical", "crit", "error", "high", "p1": return style.paint(text, .red, bold: true)
        case "warning", "warn", "ticket", "medium", "p2": return style.paint(text, .yellow)
        case nil: return style.dim(text)
        default: return text
        }
    }

    /// `1m`, `90s`, `1h30m`: a duration as rule files write it.
    static func widthName(_ nanos: Int64) -> String {
        var s = nanos / 1_000_000_000
        guard s > 0 else { return Duration.format(nanos: nanos) }
        var out = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where s >= size {
            out += "\(s / size)\(unit)"
            s %= size
        }
        return out
    }

    /// A value in its metric's unit: 6.2% for ratios, 1.2 s for latency, 3.5/s for rates.
    public static func format(_ v: Double, _ metric: String) -> String {
        guard v.isFinite else { return String(v) }
        switch RuleMetric.named(metric)?.kind {
        case .ratio: return number(v * 100) + "%"
        case .latency: return Duration.format(nanos: Int64(max(-9e18, min(9e18, v * 1e9))))
        case .rate: return number(v) + "/s"
        case .count, .gauge, nil: return number(v)
        }
    }

    /// Up to three significant digits after the point, no trailing zeros.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        let digits = abs(v) >= 100 ? 1 : abs(v) >= 1 ? 2 : 3
        var s = String(format: "%.\(digits)f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// Times of the table: `10:42` when every bucket boundary is on a whole minute and the
    /// range is one day (the date is in the header), with the date (`11-25 10:42`) across days.
    struct Clock {
        let display: TimeDisplay
        let seconds: Bool
        let oneDay: Bool

        init(_ r: RuleBacktest.Result, _ display: TimeDisplay) {
            self.display = display
            seconds = r.bucketNanos % 60_000_000_000 != 0 || r.start.nanos % 60_000_000_000 != 0
            let last = CheckRenderer.bucketEnd(r, max(0, r.bucketCount - 1))
            oneDay = display.full(r.start).prefix(10) == display.full(Timestamp(nanos: last.nanos &- 1)).prefix(10)
        }

        func date(_ t: Timestamp) -> String { String(display.full(t).prefix(10)) }

        /// `10:42` (`10:42:30` for buckets of seconds).
        func clock(_ t: Timestamp) -> String {
            String(display.full(Timestamp(nanos: t.nanos, precision: 0)).dropFirst(11).prefix(seconds ? 8 : 5))
        }

        /// What a table cell shows.
        func time(_ t: Timestamp) -> String {
            oneDay ? clock(t) : String(date(t).dropFirst(5)) + " " + clock(t)
        }

        /// `2026-11-25 10:00 to 11:30`, or with both dates across days.
        func range(_ a: Timestamp, _ b: Timestamp) -> String {
            date(a) + " " + clock(a) + " to " + (oneDay ? "" : date(b) + " ") + clock(b)
        }
    }
}

import Foundation
