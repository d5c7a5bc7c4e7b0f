/// Renders `rca` results: a ranked table with evidence, or the JSON of DESIGN.md.
public enum RootCauseRenderer {
    public static func json(_ r: RootCause.Result, limit: Int, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginObject("scope")
        j.field("traces", r.traces)
        j.field("failed", r.failed)
        j.field("baseline", r.baseline)
        j.beginObject("window")
        j.field("start", r.windowStart.map { $0.rfc3339() })
        j.field("end", r.windowEnd.map { $0.rfc3339() })
        j.endObject()
        j.endObject()
        j.beginArray("candidates")
        for (i, c) in r.candidates.prefix(limit).enumerated() {
            j.beginObject()
            j.field("rank", i + 1)
            j.field("service", c.service)
            j.field("operation", c.operation)
            j.field("kind", c.kind)
            j.field("dependency", c.dependency)
            j.field("score", c.score)
            j.field("example_trace", c.exampleTrace)
            j.field("evidence", strings: c.evidence)
            j.endObject()
        }
        j.endArray()
        j.endObject()
        out.write(j.text + "\n")
    }

    public static func text(_ r: RootCause.Result, limit: Int, style: Style, time: TimeDisplay, width: Int,
                            to out: inout some TextOutputStream) {
        var scope = "\(r.failed) failed of \(r.traces) traces, \(r.baseline) in the baseline"
        if let s = r.windowStart, let e = r.windowEnd { scope += "\nfailures from \(time.short(s)) to \(time.short(e))" }
        out.write(style.bold("Root-cause candidates") + "\n" + style.dim(scope) + "\n\n")
        if r.failed == 0 { out.write("No failed traces: nothing to explain.\n"); return }
        for (i, c) in r.candidates.prefix(limit).enumerated() {
            let who = c.service + (c.dependency ? " (uninstrumented dependency)" : "")
            let head = "\(i + 1). " + who + "  " + c.operation
            let tail = "\(c.kind)  score \(String(format: "%.2f", c.score))"
            out.write(style.bold(fit(head, max(20, width - tail.count - 1))) + " " + (c.kind == "error" ? style.paint(tail, .red) : style.paint(tail, .yellow)) + "\n")
            for e in c.evidence { out.write("   " + fit("· " + e, width - 3).trimmingTrailingSpaces() + "\n") }
            out.write(style.dim("   example: inquest trace \(printable(String(c.exampleTrace.prefix(16))))") + "\n\n")
        }
    }
}

import Foundation
