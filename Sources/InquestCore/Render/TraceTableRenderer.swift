/// Renders `inquest traces` rows as an aligned table, JSON (DESIGN.md schema) or CSV.
public enum TraceTableRenderer {
    public static func text(_ rows: [TraceSummary], total: Int, style: Style, time: TimeDisplay, width: Int,
                            to out: inout some TextOutputStream) {
        let idW = 16, startW = 14, durW = 8, spansW = 5, svcW = 3, errW = 3
        let rootW = max(16, width - (idW + startW + durW + spansW + svcW + errW + 6))
        let header = fit("TRACE", idW) + " " + fit("START", startW) + " " + fit("DURATION", durW, alignRight: true) + " "
            + fit("SPANS", spansW, alignRight: true) + " " + fit("SVC", svcW, alignRight: true) + " " + fit("ERR", errW, alignRight: true) + " "
            + "ROOT"
        out.write(style.bold(header) + "\n")
        for r in rows {
            // MM-DD hh:mm:ss; the trace ID's first 16 digits (enough for `inquest trace`).
            let start = String(time.short(r.start).dropFirst(5).prefix(14))
            var line = fit(String(r.traceID.prefix(idW)), idW) + " " + style.dim(fit(start, startW)) + " "
            line += fit(Duration.format(nanos: r.durationNanos), durW, alignRight: true) + " "
            line += fit(String(r.spans), spansW, alignRight: true) + " " + fit(String(r.services), svcW, alignRight: true) + " "
            let err = fit(r.errors == 0 ? "-" : String(r.errors), errW, alignRight: true)
            line += (r.errors > 0 ? style.paint(err, .red, bold: r.rootError) : style.dim(err)) + " "
            let root = fit(r.rootService + " " + r.rootOperation, rootW)
            line += r.rootError ? style.paint(root, .red) : style.service(root)
            out.write(line.trimmingTrailingSpaces() + "\n")
        }
        let shown = rows.count == total ? "\(grouped(total)) trace\(total == 1 ? "" : "s")" : "\(grouped(rows.count)) of \(grouped(total)) traces"
        out.write(style.dim(shown) + "\n")
    }

    public static func json(_ rows: [TraceSummary], skipped: Int, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginArray("traces")
        for r in rows {
            j.beginObject()
            j.field("trace_id", r.traceID)
            j.field("root_service", r.rootService)
            j.field("root_operation", r.rootOperation)
            j.field("start", r.start.rfc3339())
            j.field("duration_us", r.durationNanos / 1000)
            j.field("spans", r.spans)
            j.field("services", r.services)
            j.field("errors", r.errors)
            j.field("root_error", r.rootError)
            j.endObject()
        }
        j.endArray()
        j.field("skipped", skipped)
        j.endObject()
        out.write(j.text + "\n")
    }

    public static func csv(_ rows: [TraceSummary], to out: inout some TextOutputStream) {
        out.write("trace_id,root_service,root_operation,start,duration_us,spans,services,errors\n")
        for r in rows {
            out.write([r.traceID, r.rootService, r.rootOperation, r.start.rfc3339(), String(r.durationNanos / 1000),
                       String(r.spans), String(r.services), String(r.errors)].map(csvField).joined(separator: ",") + "\n")
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
