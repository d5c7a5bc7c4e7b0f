/// Writes log records as aligned text, NDJSON, CSV or one JSON document.
public struct LogRenderer {
    public enum Format: String, Sendable, CaseIterable { case text, ndjson, csv, json }

    public var format: Format
    public var style: Style
    public var time: TimeDisplay
    /// Terminal width for wrapping text output; nil when not a terminal (no wrapping).
    public var width: Int?
    public var serviceWidth = 12
    var count = 0

    public init(format: Format, style: Style, time: TimeDisplay, width: Int?) {
        self.format = format
        self.style = style
        self.time = time
        self.width = width
    }

    public mutating func begin(to out: inout some TextOutputStream) {
        switch format {
        case .csv: out.write("time,level,service,trace_id,span_id,message,source\n")
        case .json: out.write("{\"records\":[")
        default: break
        }
    }

    public mutating func write(_ r: LogRecord, to out: inout some TextOutputStream) {
        defer { count += 1 }
        switch format {
        case .text: text(r, to: &out)
        case .ndjson: out.write(Self.jsonObject(r)); out.write("\n")
        case .json:
            if count > 0 { out.write(",") }
            out.write("\n"); out.write(Self.jsonObject(r))
        case .csv:
            let cols = [r.timestamp.map { $0.rfc3339() } ?? "", r.level == .unknown ? "" : r.level.name, r.service ?? "",
                        r.traceID ?? "", r.spanID ?? "", r.message, r.location.description]
            out.write(cols.map(csvField).joined(separator: ",")); out.write("\n")
        }
    }

    /// Closes the document; `skipped` is the number of records that could not be read.
    public mutating func end(skipped: Int, to out: inout some TextOutputStream) {
        if format == .json { out.write("\n],\"count\":\(count),\"skipped\":\(skipped)}\n") }
    }

    public static func jsonObject(_ r: LogRecord) -> String {
        var j = JSONOut()
        j.beginObject()
        j.field("time", r.timestamp.map { $0.rfc3339() })
        j.field("level", r.level == .unknown ? nil : r.level.name)
        j.field("service", r.service)
        j.field("message", r.message)
        if let t = r.traceID { j.field("trace_id", t) }
        if let s = r.spanID { j.field("span_id", s) }
        j.field("source", r.location.description)
        if !r.fields.isEmpty {
            j.beginObject("fields")
            for f in r.fields { j.field(f.key, f.value) }
            j.endObject()
        }
        j.endObject()
        return j.text
    }

    mutating func text(_ r: LogRecord, to out: inout some TextOutputStream) {
        let ts = style.dim(time.short(r.timestamp))
        let lv = style.level(r.level, fit(r.level.short, 5))
        let svc = style.service(fit(r.service ?? "", serviceWidth))
        let prefix = ts + " " + lv + " " + svc + " "
        let indent = 23 + 1 + 5 + 1 + serviceWidth + 1
        var lines = r.message.split(omittingEmptySubsequences: false, whereSeparator: isLineBreak).map(String.init)
        if lines.isEmpty { lines = [""] }
        var first = true
        for line in lines {
            let clean = printable(line.replacingOccurrences(of: "\t", with: "    "))
            let chunks = wrap(clean, width.map { max(20, $0 - indent) })
            for chunk in chunks {
                out.write(first ? prefix : String(repeating: " ", count: indent))
                out.write(first && r.level >= .error ? style.bold(chunk) : chunk)
                out.write("\n")
                first = false
            }
        }
    }

    func wrap(_ s: String, _ width: Int?) -> [String] {
        guard let width, displayWidth(s) > width else { return [s] }
        var out: [String] = []
        var current = ""
        var w = 0
        for c in s {
            let cw = displayWidth(String(c))
            if w + cw > width { out.append(current); current = ""; w = 0 }
            current.append(c); w += cw
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
