/// Writes spans as one OTLP JSON `ExportTraceServiceRequest`:
/// `{"resourceSpans": [{"resource", "scopeSpans": [{"scope", "spans": [...]}]}]}`.
///
/// The OTLP JSON encoding: the proto3 JSON mapping with lowerCamelCase field names, with
/// OTLP's exceptions — trace and span IDs as hex strings (32 and 16 digits), not base64;
/// enums (`kind`, `status.code`) as integers; 64-bit integers (`startTimeUnixNano`,
/// `intValue`) as strings. A resource is a service (`service.name`) with its other
/// resource attributes; spans are grouped under it by instrumentation scope, resources and
/// scopes in order of first appearance. Attributes are typed `AnyValue`s where the input
/// had types (Jaeger tags, OTLP), strings otherwise. Jaeger references other than the
/// parent are links with an `opentracing.ref_type` attribute, as OpenTelemetry's Jaeger
/// receiver writes them.
public enum OTLPTraceWriter {
    struct Scope { var name: String?; var version: String?; var spans: [Int] }
    struct Resource { var service: String; var attributes: [LogRecord.Field]; var scopes: [Scope] }

    /// A service with its resource attributes, hashed by content (a dump may hold one
    /// process per trace: tens of thousands of resources).
    struct ResourceKey: Hashable {
        var service: String
        var attributes: [LogRecord.Field]
        func hash(into h: inout Hasher) {
            h.combine(service)
            for f in attributes { h.combine(f.key); h.combine(f.value) }
        }
        static func == (a: ResourceKey, b: ResourceKey) -> Bool { a.service == b.service && a.attributes == b.attributes }
    }

    public static func write(_ spans: [Span], to out: inout some TextOutputStream) {
        // Resources: service and resource attributes; under each, scopes.
        var resources: [Resource] = []
        var index: [ResourceKey: Int] = [:]
        var last = -1
        for i in spans.indices {
            let s = spans[i]
            var r = -1
            if last >= 0, resources[last].service == s.service, resources[last].attributes == s.resource { r = last }
            else if let k = index[ResourceKey(service: s.service, attributes: s.resource)] { r = k }
            else {
                resources.append(Resource(service: s.service, attributes: s.resource, scopes: []))
                r = resources.count - 1
                index[ResourceKey(service: s.service, attributes: s.resource)] = r
            }
            last = r
            if let k = resources[r].scopes.lastIndex(where: { $0.name == s.scopeName && $0.version == s.scopeVersion }) {
                resources[r].scopes[k].spans.append(i)
            } else {
                resources[r].scopes.append(Scope(name: s.scopeName, version: s.scopeVersion, spans: [i]))
            }
        }
        out.write("{\"resourceSpans\":[")
        var chunk = ""
        for (n, r) in resources.enumerated() {
            chunk = n == 0 ? "\n{\"resource\":" : ",\n{\"resource\":"
            resource(service: r.service, attributes: r.attributes, into: &chunk)
            chunk += ",\"scopeSpans\":["
            out.write(chunk)
            for (k, sc) in r.scopes.enumerated() {
                chunk = k == 0 ? "{\"scope\":{" : ",{\"scope\":{"
                if let name = sc.name { chunk += "\"name\":"; SpanWriting.quote(name, into: &chunk) }
                if let v = sc.version { chunk += sc.name == nil ? "\"version\":" : ",\"version\":"; SpanWriting.quote(v, into: &chunk) }
                chunk += "},\"spans\":["
                out.write(chunk)
                for (m, i) in sc.spans.enumerated() {
                    chunk = m == 0 ? "\n" : ",\n"
                    span(spans[i], into: &chunk)
                    out.write(chunk)
                }
                out.write("]}")
            }
            out.write("]}")
        }
        out.write("\n]}\n")
    }

    /// `{"attributes": [service.name, …]}`.
    static func resource(service: String, attributes: [LogRecord.Field], into j: inout String) {
        j += "{\"attributes\":"
        OTLPValues.attributes([LogRecord.Field("service.name", service)] + attributes.filter { $0.key != "service.name" }, into: &j)
        j += "}"
    }

    static let kindNumbers: [Span.Kind: Int] = [.unspecified: 0, .internal: 1, .server: 2, .client: 3, .producer: 4, .consumer: 5]

    static func span(_ s: Span, into j: inout String) {
        j += "{\"traceId\":"
        SpanWriting.quote(SpanWriting.hexID(s.traceID, width: 32), into: &j)
        j += ",\"spanId\":"
        SpanWriting.quote(SpanWriting.hexID(s.spanID, width: 16), into: &j)
        if let p = s.parentID {
            j += ",\"parentSpanId\":"
            SpanWriting.quote(SpanWriting.hexID(p, width: 16), into: &j)
        }
        j += ",\"name\":"
        SpanWriting.quote(s.operation, into: &j)
        j += ",\"kind\":\(kindNumbers[s.kind] ?? 0)"
        j += ",\"startTimeUnixNano\":\"\(s.start.nanos)\",\"endTimeUnixNano\":\"\(s.start.nanos &+ s.durationNanos)\""
        j += ",\"attributes\":"
        OTLPValues.attributes(SpanWriting.plainAttributes(s), into: &j)
        if !s.events.isEmpty {
            j += ",\"events\":["
            for (n, e) in s.events.enumerated() {
                if n > 0 { j += "," }
                j += "{\"timeUnixNano\":\"\(e.time.nanos)\",\"name\":"
                SpanWriting.quote(e.name, into: &j)
                j += ",\"attributes\":"
                // An `event` field equal to the name is the name (Jaeger span logs carry it so).
                OTLPValues.attributes(e.attributes.filter { !($0.key == "event" && $0.value == e.name) }, into: &j)
                j += "}"
            }
            j += "]"
        }
        if !s.links.isEmpty {
            j += ",\"links\":["
            for (n, l) in s.links.enumerated() {
                if n > 0 { j += "," }
                j += "{\"traceId\":"
                SpanWriting.quote(SpanWriting.hexID(l.traceID, width: 32), into: &j)
                j += ",\"spanId\":"
                SpanWriting.quote(SpanWriting.hexID(l.spanID, width: 16), into: &j)
                switch l.type {
                case .followsFrom: j += ",\"attributes\":[{\"key\":\"opentracing.ref_type\",\"value\":{\"stringValue\":\"follows_from\"}}]"
                case .childOf: j += ",\"attributes\":[{\"key\":\"opentracing.ref_type\",\"value\":{\"stringValue\":\"child_of\"}}]"
                case .link: break
                }
                j += "}"
            }
            j += "]"
        }
        switch s.status {
        case .unset: j += ",\"status\":{}"
        case .ok, .error:
            j += ",\"status\":{"
            if let m = s.statusMessage { j += "\"message\":"; SpanWriting.quote(m, into: &j); j += "," }
            j += "\"code\":\(s.status == .ok ? 1 : 2)}"
        }
        j += "}"
    }
}

/// OTLP JSON `KeyValue` lists and `AnyValue`s, shared by the trace and log writers.
enum OTLPValues {
    /// `[{"key": …, "value": {"stringValue"|"intValue"|"doubleValue"|"boolValue": …}}]`.
    static func attributes(_ fields: [LogRecord.Field], into j: inout String) {
        j += "["
        for (n, f) in fields.enumerated() {
            if n > 0 { j += "," }
            j += "{\"key\":"
            SpanWriting.quote(f.key, into: &j)
            j += ",\"value\":"
            anyValue(f, into: &j)
            j += "}"
        }
        j += "]"
    }

    static func anyValue(_ f: LogRecord.Field, into j: inout String) {
        switch SpanWriting.effectiveType(f) {
        case .string: j += "{\"stringValue\":"; SpanWriting.quote(f.value, into: &j); j += "}"
        case .bool: j += "{\"boolValue\":\(f.value)}"
        case .int: j += "{\"intValue\":\"\(f.value)\"}"
        case .double: j += "{\"doubleValue\":\(f.value)}"
        }
    }
}
