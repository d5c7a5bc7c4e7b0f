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
        if let w = r.window {
            j.field("found", w.source)
            j.field("reason", w.description)
        }
        j.endObject()
        j.field("inputs", strings: r.inputs)
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
            if !c.signals.isEmpty {
                j.beginArray("signals")
                for sg in c.signals {
                    j.beginObject()
                    j.field("signal", sg.signal)
                    j.field("score", sg.score)
                    j.field("evidence", strings: sg.evidence)
                    j.endObject()
                }
                j.endArray()
            }
            j.endObject()
        }
        j.endArray()
        j.endObject()
        out.write(j.text + "\n")
    }

    public static func text(_ r: RootCause.Result, limit: Int, style: Style, time: TimeDisplay, width: Int,
                            to out: inout some TextOutputStream) {
        var scope = "\(r.failed) failed of \(r.traces) traces, \(r.baseline) in the baseline"
        if !r.inputs.isEmpty {
            scope = (r.inputs.contains("spans") ? scope + "\n" : "") + "read: " + r.inputs.joined(separator: ", ")
        }
        if let w = r.window {
            scope += w.source == "none" ? "\nno departure from normal found: the whole input is the incident"
                : "\nincident from \(time.short(w.start)) to \(time.short(w.end))\n" + fit(w.description, width).trimmingTrailingSpaces()
        } else if r.inputs.isEmpty, let s = r.windowStart, let e = r.windowEnd {
            scope += "\nfailures from \(time.short(s)) to \(time.short(e))"
        } else if !r.inputs.isEmpty {
            scope += "\nno departure from normal found: the whole input is the incident"
        }
        out.write(style.bold("Root-cause candidates") + "\n" + style.dim(scope) + "\n\n")
        if r.candidates.isEmpty {
            out.write(r.failed == 0 ? "No failed traces and no departure in any signal: nothing to explain.\n" : "No candidate found.\n")
            return
        }
        for (i, c) in r.candidates.prefix(limit).enumerated() {
            let who = c.service + (c.dependency ? " (uninstrumented dependency)" : "")
            let head = "\(i + 1). " + who + "  " + c.operation
            let tail = "\(c.kind)  score \(String(format: "%.2f", c.score))"
            out.write(style.bold(fit(head, max(20, width - tail.count - 1))) + " " + (c.kind == "error" ? style.paint(tail, .red) : style.paint(tail, .yellow)) + "\n")
            if c.signals.isEmpty {
                for e in c.evidence { out.write("   " + fit("· " + e, width - 3).trimmingTrailingSpaces() + "\n") }
            } else {
                for sg in c.signals {
                    out.write("   " + style.dim("\(sg.signal) (\(String(format: "%.2f", sg.score)))") + "\n")
                    for e in sg.evidence { out.write("     " + fit("· " + e, width - 5).trimmingTrailingSpaces() + "\n") }
                }
            }
            if !c.exampleTrace.isEmpty {
                out.write(style.dim("   example: inquest trace \(printable(String(c.exampleTrace.prefix(16))))") + "\n")
            }
            out.write("\n")
        }
    }
}

import Foundation
