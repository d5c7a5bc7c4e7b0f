/// Zipkin JSON: v2 (`[{"traceId", "id", "parentId", "kind", "timestamp", "duration",
/// "localEndpoint", "remoteEndpoint", "tags", "annotations", "shared"}]`, or one span a
/// line) and v1 (`annotations` with `cs`/`sr`/`ss`/`cr` and endpoints,
/// `binaryAnnotations`). Times in microseconds; an `error` tag marks an error.
enum ZipkinFormat {
    static func spans(from doc: JSONNode, path: String, v1: Bool, into out: inout [Span], bad: inout [Issue]) {
        let list: [JSONNode]
        if let a = doc.array {
            // Zipkin's /api/v2/traces returns an array of traces (arrays of spans).
            if a.first?.array != nil {
                for x in a where x.array == nil { bad.append(Issue(line: x.line, reason: "not a list of spans in a list of traces")) }
                list = a.flatMap { $0.array ?? [] }
            } else { list = a }
        } else {
            list = [doc]
        }
        for s in list {
            if v1 { spanV1(s, path: path, into: &out, bad: &bad) } else { spanV2(s, path: path, into: &out, bad: &bad) }
        }
    }

    static func common(_ s: JSONNode, path: String, bad: inout [Issue]) -> Span? {
        guard let o = s.object else { bad.append(Issue(line: 0, reason: "span is not an object")); return nil }
        guard !o.incomplete else { bad.append(Issue(line: o.line, reason: "span cut off")); return nil }
        guard let t = s["traceId"]?.string, let id = s["id"]?.string else {
            bad.append(Issue(line: o.line, reason: "span without traceId or id")); return nil
        }
        var span = Span(traceID: normalizeID(t), spanID: normalizeID(id), operation: s["name"]?.string ?? "",
                        location: SourceLocation(path: path, line: o.line))
        if let p = s["parentId"]?.string, !p.isEmpty { span.parentID = normalizeID(p) }
        return span
    }

    static func spanV2(_ s: JSONNode, path: String, into out: inout [Span], bad: inout [Issue]) {
        guard var span = common(s, path: path, bad: &bad) else { return }
        // A span without a timestamp is a late-arriving half (Zipkin keeps it; its time comes from its peer).
        let ts = s["timestamp"]?.int64 ?? 0
        span.start = Timestamp(nanos: Timestamp.nanos(micros: ts) ?? .max, precision: 6)
        span.durationNanos = Timestamp.nanos(micros: max(0, s["duration"]?.int64 ?? 0)) ?? .max
        span.service = s["localEndpoint"]?["serviceName"]?.string ?? "unknown"
        span.remoteService = s["remoteEndpoint"]?["serviceName"]?.string
        if let ep = s["localEndpoint"] {
            if let ip = ep["ipv4"]?.string { span.resource.append(LogRecord.Field("ip", ip)) }
            if let ip = ep["ipv6"]?.string { span.resource.append(LogRecord.Field("ipv6", ip)) }
            if let port = ep["port"]?.int64 { span.resource.append(LogRecord.Field("port", String(port), type: .int)) }
        }
        span.kind = Span.Kind(rawValue: (s["kind"]?.string ?? "").lowercased()) ?? .unspecified
        span.shared = s["shared"]?.bool ?? false
        var attrs: [LogRecord.Field] = []
        if let tags = s["tags"]?.object {
            for (k, v) in tags.members {
                let value = v.displayString
                // What Zipkin cannot hold, as `convert` writes it: resource attributes and links.
                if k.hasPrefix("resource."), k.count > 9 { span.resource.append(LogRecord.Field(String(k.dropFirst(9)), value)); continue }
                if k.hasPrefix("link."), let link = ZipkinFormat.link(value) { span.links.append(link); continue }
                attrs.append(LogRecord.Field(k, value))
                switch k {
                case "error": span.status = .error; span.statusMessage = value.isEmpty ? nil : value
                case "otel.status_code":
                    if value == "ERROR" { span.status = .error } else if value == "OK" && span.status != .error { span.status = .ok }
                case "otel.status_description": if !value.isEmpty { span.statusMessage = value }
                case "span.kind": if span.kind == .unspecified { span.kind = Span.Kind(rawValue: value.lowercased()) ?? .unspecified }
                case "otel.scope.name", "otel.library.name": span.scopeName = value
                case "otel.scope.version", "otel.library.version": span.scopeVersion = value
                default: break
                }
            }
        }
        if let r = span.remoteService, !attrs.contains(where: { $0.key == "peer.service" }) { attrs.append(LogRecord.Field("peer.service", r)) }
        span.attributes = attrs
        for a in s["annotations"]?.array ?? [] {
            let (name, attributes) = annotation(a["value"]?.string ?? "")
            span.events.append(Span.Event(time: Timestamp(nanos: Timestamp.nanos(micros: a["timestamp"]?.int64 ?? ts) ?? span.start.nanos, precision: 6),
                                          name: name, attributes: attributes))
        }
        out.append(span)
    }

    /// A link written as a tag by `convert`: `TYPE:TRACEID:SPANID`.
    static func link(_ v: String) -> Span.Reference? {
        let parts = v.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let type = Span.Reference.RefType(rawValue: String(parts[0])), !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        return Span.Reference(type: type, traceID: normalizeID(String(parts[1])), spanID: normalizeID(String(parts[2])))
    }

    /// An annotation's value; an event with attributes is written as OpenTelemetry's Zipkin
    /// exporter does, `name|{"key":"value",…}|droppedAttributesCount`.
    static func annotation(_ v: String) -> (String, [LogRecord.Field]) {
        let u = Array(v.utf8)
        guard let last = u.last, last >= 0x30 && last <= 0x39,
              let open = u.indices.dropLast().first(where: { u[$0] == 0x7C && u[$0 + 1] == 0x7B }),
              let close = u.indices.dropLast().last(where: { u[$0] == 0x7D && u[$0 + 1] == 0x7C }), open + 1 <= close,
              u[(close + 2)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return (v, []) }
        let tape = JSONTape(bytes: Array(u[(open + 1)...close]), maxDepth: 64)
        guard tape.error == nil, let root = tape.root, root.kind == .object else { return (v, []) }
        var attrs: [LogRecord.Field] = []
        for (k, x) in root.members {
            let type: LogRecord.Field.ValueType
            switch x.kind {
            case .bool: type = .bool
            case .number: type = Int64(x.displayString) != nil ? .int : .double
            default: type = .string
            }
            attrs.append(LogRecord.Field(k, x.displayString, type: type))
        }
        return (String(decoding: u[..<open], as: UTF8.self), attrs)
    }

    static func spanV1(_ s: JSONNode, path: String, into out: inout [Span], bad: inout [Issue]) {
        guard var span = common(s, path: path, bad: &bad) else { return }
        var cs: Int64?, sr: Int64?, ss: Int64?, cr: Int64?
        var clientService: String?, serverService: String?, anyService: String?
        for a in s["annotations"]?.array ?? [] {
            let t = a["timestamp"]?.int64
            let svc = a["endpoint"]?["serviceName"]?.string
            anyService = anyService ?? svc
            switch a["value"]?.string {
            case "cs": cs = t; clientService = svc
            case "cr": cr = t; clientService = clientService ?? svc
            case "sr": sr = t; serverService = svc
            case "ss": ss = t; serverService = serverService ?? svc
            default:
                span.events.append(Span.Event(time: Timestamp(nanos: Timestamp.nanos(micros: t ?? 0) ?? 0, precision: 6), name: a["value"]?.string ?? "", attributes: []))
            }
        }
        var attrs: [LogRecord.Field] = []
        for b in s["binaryAnnotations"]?.array ?? [] {
            guard let k = b["key"]?.string else { continue }
            let v = b["value"]?.displayString ?? ""
            if k == "error" { span.status = .error; span.statusMessage = v }
            if k == "sa", let n = b["endpoint"]?["serviceName"]?.string { span.remoteService = n }
            else if k == "lc" { anyService = anyService ?? b["endpoint"]?["serviceName"]?.string }
            attrs.append(LogRecord.Field(k, v))
            if span.service == "unknown", let n = b["endpoint"]?["serviceName"]?.string { anyService = anyService ?? n }
        }
        let ts = s["timestamp"]?.int64 ?? cs ?? sr ?? 0
        let dur = s["duration"]?.int64 ?? (cr ?? ss ?? ts).subtractingReportingOverflow(cs ?? sr ?? ts).partialValue
        span.start = Timestamp(nanos: Timestamp.nanos(micros: ts) ?? .max, precision: 6)
        span.durationNanos = Timestamp.nanos(micros: max(0, dur)) ?? .max
        span.attributes = attrs
        // A v1 span with both client and server annotations is two spans sharing an ID.
        if cs != nil && sr != nil {
            var client = span
            client.kind = .client
            client.service = clientService ?? anyService ?? "unknown"
            client.remoteService = serverService
            var server = span
            server.kind = .server
            server.shared = true
            server.service = serverService ?? "unknown"
            if let sr { server.start = Timestamp(nanos: Timestamp.nanos(micros: sr) ?? .max, precision: 6) }
            if let sr, let ss { server.durationNanos = Timestamp.nanos(micros: max(0, ss.subtractingReportingOverflow(sr).partialValue)) ?? .max }
            out.append(client)
            out.append(server)
            return
        }
        span.kind = cs != nil ? .client : sr != nil ? .server : .unspecified
        span.service = (cs != nil ? clientService : serverService) ?? anyService ?? "unknown"
        out.append(span)
    }
}
