/// Pieces of the OTLP JSON encoding shared by logs and traces.
enum OTLP {
    /// An `AnyValue` (`{"stringValue": …}`, `intValue` as a string, `arrayValue`, `kvlistValue`…) as text.
    static func anyValue(_ v: JSONNode?) -> String {
        guard let o = v?.object, let (key, inner) = o.members.first.map({ ($0.key, $0.value) }) else {
            return v?.displayString ?? ""
        }
        switch key {
        case "stringValue", "intValue", "doubleValue", "boolValue", "bytesValue": return inner.displayString
        case "arrayValue":
            let items = inner["values"]?.array ?? []
            return "[" + items.map { anyValue($0) }.joined(separator: ",") + "]"
        case "kvlistValue":
            let items = inner["values"]?.array ?? []
            return "{" + items.map { ($0["key"]?.string ?? "") + "=" + anyValue($0["value"]) }.joined(separator: ",") + "}"
        default: return inner.displayString
        }
    }

    static func attributes(_ v: JSONNode?) -> [LogRecord.Field] {
        guard let list = v?.array else { return [] }
        return list.compactMap { a in
            guard let k = a["key"]?.string else { return nil }
            let value = a["value"]
            return LogRecord.Field(k, anyValue(value), type: valueType(value))
        }
    }

    /// The type of a scalar `AnyValue`; arrays, lists and bytes are kept as text.
    static func valueType(_ v: JSONNode?) -> LogRecord.Field.ValueType {
        guard let o = v?.object, let key = o.members.first?.key else { return .string }
        switch key {
        case "boolValue": return .bool
        case "intValue": return .int
        case "doubleValue": return .double
        default: return .string
        }
    }

    /// A nanosecond time written as a string or a number.
    static func nanos(_ v: JSONNode?) -> Int64? {
        guard let v else { return nil }
        if v.kind == .string, let s = v.string { return Int64(s) }
        return v.int64
    }

    /// OTLP JSON IDs are hex; some encoders write protobuf's base64 instead. Both become hex.
    static func id(_ v: JSONNode?) -> String? {
        guard let s = v?.string, !s.isEmpty else { return nil }
        let isHex = s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
        if isHex { return normalizeID(s) }
        if let bytes = base64(s), bytes.count == 16 || bytes.count == 8 {
            let hex = Array("0123456789abcdef")
            return normalizeID(String(bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }))
        }
        return normalizeID(s)
    }

    static func base64(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case 65...90: v = UInt32(c - 65)
            case 97...122: v = UInt32(c - 71)
            case 48...57: v = UInt32(c + 4)
            case 43, 45: v = 62
            case 47, 95: v = 63
            case 61: continue
            default: return nil
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8((acc >> UInt32(bits)) & 0xFF)) }
        }
        return out
    }

    static func resourceService(_ resource: JSONNode?) -> String? {
        attributes(resource?["attributes"]).first(where: { $0.key == "service.name" })?.value
    }
}

/// OTLP JSON logs (`ExportLogsServiceRequest`): `resourceLogs[].scopeLogs[].logRecords[]`.
public enum OTLPLogsFormat {
    /// The records of one request document; records that lack what a record needs are returned as issues.
    public static func records(from doc: JSONNode, path: String, context: ParseContext) -> ([LogRecord], [Issue]) {
        var out: [LogRecord] = []
        var bad: [Issue] = []
        guard let resources = doc["resourceLogs"]?.array else {
            return ([], [Issue(line: doc.line, reason: "no resourceLogs list in this document")])
        }
        for rl in resources {
            let service = OTLP.resourceService(rl["resource"]) ?? context.fallbackService
            let resAttrs = OTLP.attributes(rl["resource"]?["attributes"])
            for sl in rl["scopeLogs"]?.array ?? rl["instrumentationLibraryLogs"]?.array ?? [] {
                let scope = sl["scope"]?["name"]?.string
                for lr in sl["logRecords"]?.array ?? [] {
                    guard let o = lr.object else { bad.append(Issue(line: 0, reason: "log record is not an object")); continue }
                    if o.incomplete { bad.append(Issue(line: o.line, reason: "log record cut off")); continue }
                    let t = OTLP.nanos(lr["timeUnixNano"]).flatMap { $0 > 0 ? $0 : nil } ?? OTLP.nanos(lr["observedTimeUnixNano"])
                    var r = LogRecord(location: SourceLocation(path: path, line: o.line))
                    if let t { r.timestamp = Timestamp(nanos: t, precision: 9) }
                    if let n = lr["severityNumber"]?.int64 { r.level = Level(otlp: Int(n)) }
                    if r.level == .unknown, let text = lr["severityText"]?.string { r.level = Level(name: text) ?? .unknown }
                    r.message = OTLP.anyValue(lr["body"])
                    r.service = service
                    r.traceID = OTLP.id(lr["traceId"])
                    r.spanID = OTLP.id(lr["spanId"])
                    var fields = OTLP.attributes(lr["attributes"])
                    if let scope { fields.append(LogRecord.Field("scope", scope)) }
                    fields.append(contentsOf: resAttrs.filter { $0.key != "service.name" }.map { LogRecord.Field("resource." + $0.key, $0.value) })
                    r.fields = fields
                    out.append(r)
                }
            }
        }
        return (out, bad)
    }
}
