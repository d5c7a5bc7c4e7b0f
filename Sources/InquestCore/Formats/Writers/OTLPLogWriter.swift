/// Writes log records as one OTLP JSON `ExportLogsServiceRequest`:
/// `{"resourceLogs": [{"resource", "scopeLogs": [{"scope", "logRecords": [...]}]}]}`.
///
/// Records come in time order and are grouped by service (`service.name`, with any
/// `resource.KEY` fields as resource attributes) and scope (a `scope` field). To keep memory
/// bounded, records are held as encoded text up to `windowBytes`; when a window fills, its
/// groups are written and a new window begins, so a long stream may name a service in
/// several `resourceLogs` (valid OTLP, each in time order). Each record has
/// `timeUnixNano` (a string), `severityNumber` and `severityText`, `body.stringValue`,
/// `traceId`/`spanId` as hex (IDs that are not hex stay as `trace_id`/`span_id`
/// attributes) and its other fields as typed attributes.
public struct OTLPLogWriter {
    struct Group { var service: String?; var resource: [LogRecord.Field]; var scope: String?; var records: [String] }

    public var windowBytes: Int
    var groups: [Group] = []
    var index: [String: Int] = [:]
    var held = 0
    var wroteAny = false

    public init(windowBytes: Int = 32 << 20) { self.windowBytes = windowBytes }

    public mutating func begin(to out: inout some TextOutputStream) {
        out.write("{\"resourceLogs\":[")
    }

    public mutating func write(_ r: LogRecord, to out: inout some TextOutputStream) {
        var resource: [LogRecord.Field] = []
        var scope: String?
        var attributes: [LogRecord.Field] = []
        for f in r.fields {
            if f.key.hasPrefix("resource."), f.key.utf8.count > 9 { resource.append(LogRecord.Field(String(f.key.dropFirst(9)), f.value, type: f.type)) }
            else if f.key == "scope", scope == nil { scope = f.value }
            else { attributes.append(f) }
        }
        var key = r.service ?? ""
        key += "\u{1}" + (scope ?? "")
        for f in resource { key += "\u{1}" + f.key + "=" + f.value }
        let text = Self.record(r, attributes: attributes)
        if let g = index[key] { groups[g].records.append(text) } else {
            index[key] = groups.count
            groups.append(Group(service: r.service, resource: resource, scope: scope, records: [text]))
        }
        held += text.utf8.count
        if held >= windowBytes { flush(to: &out) }
    }

    public mutating func end(to out: inout some TextOutputStream) {
        flush(to: &out)
        out.write("\n]}\n")
    }

    mutating func flush(to out: inout some TextOutputStream) {
        for g in groups {
            var j = wroteAny ? ",\n{\"resource\":{\"attributes\":" : "\n{\"resource\":{\"attributes\":"
            wroteAny = true
            var res = g.resource
            if let s = g.service { res.insert(LogRecord.Field("service.name", s), at: 0) }
            OTLPValues.attributes(res, into: &j)
            j += "},\"scopeLogs\":[{\"scope\":{"
            if let s = g.scope { j += "\"name\":"; JSONWriter.quote(s, into: &j) }
            j += "},\"logRecords\":["
            out.write(j)
            for (n, rec) in g.records.enumerated() {
                out.write(n == 0 ? "\n" : ",\n")
                out.write(rec)
            }
            out.write("]}]}")
        }
        groups.removeAll()
        index.removeAll()
        held = 0
    }

    /// OpenTelemetry severity numbers: the first of each level's range (INFO2 for notice).
    static func severity(_ l: Level) -> (Int, String)? {
        switch l {
        case .unknown: return nil
        case .trace: return (1, "TRACE")
        case .debug: return (5, "DEBUG")
        case .info: return (9, "INFO")
        case .notice: return (10, "NOTICE")
        case .warn: return (13, "WARN")
        case .error: return (17, "ERROR")
        case .fatal: return (21, "FATAL")
        }
    }

    static func record(_ r: LogRecord, attributes: [LogRecord.Field]) -> String {
        var j = "{"
        if let t = r.timestamp { j += "\"timeUnixNano\":\"\(t.nanos)\"," }
        if let sev = severity(r.level) { j += "\"severityNumber\":\(sev.0),\"severityText\":\"\(sev.1)\"," }
        j += "\"body\":{\"stringValue\":"
        JSONWriter.quote(r.message, into: &j)
        j += "}"
        var attrs = attributes
        if let t = r.traceID {
            if SpanWriting.isHex(t) && t.utf8.count <= 32 {
                j += ",\"traceId\":"; JSONWriter.quote(SpanWriting.paddedID(t, width: 32), into: &j)
            } else { attrs.insert(LogRecord.Field("trace_id", t), at: 0) }
        }
        if let s = r.spanID {
            if SpanWriting.isHex(s) && s.utf8.count <= 16 {
                j += ",\"spanId\":"; JSONWriter.quote(SpanWriting.paddedID(s, width: 16), into: &j)
            } else { attrs.insert(LogRecord.Field("span_id", s), at: 0) }
        }
        j += ",\"attributes\":"
        OTLPValues.attributes(attrs, into: &j)
        j += "}"
        return j
    }
}
