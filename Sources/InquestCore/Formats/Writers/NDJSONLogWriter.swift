/// Writes log records as normalized NDJSON: one object a line,
/// `{"time", "level", "service", "message", "trace_id", "span_id", …other fields}`.
///
/// `time` is RFC 3339 in UTC with the input's precision; keys without a value are left
/// out (`message` is always there). Other fields follow as top-level keys, typed where
/// the input had types; a field whose key is one of the normalized keys (or repeats an
/// earlier one) is written as `field.KEY`. Inquest's own JSON lines reader reads it back.
public enum NDJSONLogWriter {
    static let normalizedKeys: Set<String> = ["time", "level", "service", "message", "trace_id", "span_id"]

    public static func line(_ r: LogRecord) -> String {
        var j = "{"
        var first = true
        func key(_ k: String) {
            if !first { j += "," }
            first = false
            JSONWriter.quote(k, into: &j)
            j += ":"
        }
        if let t = r.timestamp { key("time"); JSONWriter.quote(t.rfc3339(), into: &j) }
        if r.level != .unknown { key("level"); JSONWriter.quote(r.level.name, into: &j) }
        if let s = r.service { key("service"); JSONWriter.quote(s, into: &j) }
        key("message"); JSONWriter.quote(r.message, into: &j)
        if let t = r.traceID { key("trace_id"); JSONWriter.quote(t, into: &j) }
        if let s = r.spanID { key("span_id"); JSONWriter.quote(s, into: &j) }
        var seen = Set<String>()
        for f in r.fields {
            var k = f.key
            if normalizedKeys.contains(k) || !seen.insert(k).inserted { k = "field." + k }
            key(k)
            switch SpanWriting.effectiveType(f) {
            case .string: JSONWriter.quote(f.value, into: &j)
            case .bool, .int, .double: j += f.value
            }
        }
        j += "}\n"
        return j
    }

    public static func write(_ r: LogRecord, to out: inout some TextOutputStream) {
        out.write(line(r))
    }
}
