/// Writes spans as a Zipkin v2 JSON array, as `POST /api/v2/spans` takes it.
///
/// Times and durations in microseconds (rounded down; a zero duration or time is left
/// out, as Zipkin does); IDs lower-case hex, 16 or 32 digits. `kind` is CLIENT, SERVER,
/// PRODUCER or CONSUMER; an internal span has no kind and a `span.kind=internal` tag.
/// Tags are strings (Zipkin has no types). An error is an `error` tag holding the status
/// message; an OK status is `otel.status_code=OK`; the scope is `otel.scope.name` and
/// `otel.scope.version`. The service is `localEndpoint.serviceName`, with the resource's
/// `ip`, `ipv6` and `port` in the endpoint; `remoteEndpoint.serviceName` is the remote
/// service, or `peer.service`.
///
/// What Zipkin cannot hold is kept in tags that Inquest reads back: other resource
/// attributes as `resource.KEY`, and links (Zipkin has none) as `link.N` =
/// `TYPE:TRACEID:SPANID`. An event with attributes is an annotation
/// `name|{"key":"value"}|0`, as OpenTelemetry's Zipkin exporter writes it.
public enum ZipkinWriter {
    public static func write(_ spans: [Span], to out: inout some TextOutputStream) {
        out.write("[")
        var chunk = ""
        for (n, s) in spans.enumerated() {
            chunk = n == 0 ? "\n" : ",\n"
            span(s, into: &chunk)
            out.write(chunk)
        }
        out.write("\n]\n")
    }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in p.count <= 3 && UInt8(p) != nil }
    }

    static func span(_ s: Span, into j: inout String) {
        j += "{\"traceId\":"
        SpanWriting.quote(SpanWriting.hexID(s.traceID, width: SpanWriting.isHex(s.traceID) ? 16 : 32), into: &j)
        if let p = s.parentID {
            j += ",\"parentId\":"
            SpanWriting.quote(SpanWriting.hexID(p, width: 16), into: &j)
        }
        j += ",\"id\":"
        SpanWriting.quote(SpanWriting.hexID(s.spanID, width: 16), into: &j)
        switch s.kind {
        case .client: j += ",\"kind\":\"CLIENT\""
        case .server: j += ",\"kind\":\"SERVER\""
        case .producer: j += ",\"kind\":\"PRODUCER\""
        case .consumer: j += ",\"kind\":\"CONSUMER\""
        case .internal, .unspecified: break
        }
        j += ",\"name\":"
        SpanWriting.quote(s.operation, into: &j)
        let start = SpanWriting.micros(s.start.nanos)
        if start != 0 { j += ",\"timestamp\":\(start)" }
        let duration = SpanWriting.durationMicros(s)
        if duration != 0 { j += ",\"duration\":\(duration)" }
        j += ",\"localEndpoint\":{\"serviceName\":"
        SpanWriting.quote(s.service, into: &j)
        var resourceTags: [LogRecord.Field] = []
        var endpointKeys = Set<String>()
        for f in s.resource {
            if f.key == "ip", isIPv4(f.value), !endpointKeys.contains("ip") {
                j += ",\"ipv4\":"; SpanWriting.quote(f.value, into: &j); endpointKeys.insert(f.key)
            } else if f.key == "ipv6", f.value.contains(":"), !endpointKeys.contains("ipv6") {
                j += ",\"ipv6\":"; SpanWriting.quote(f.value, into: &j); endpointKeys.insert(f.key)
            } else if f.key == "port", let p = UInt16(f.value), !endpointKeys.contains("port") {
                j += ",\"port\":\(p)"; endpointKeys.insert(f.key)
            } else {
                resourceTags.append(f)
            }
        }
        j += "}"
        let attributes = SpanWriting.plainAttributes(s)
        let remote = s.remoteService ?? attributes.first(where: { $0.key == "peer.service" })?.value
        if let remote {
            j += ",\"remoteEndpoint\":{\"serviceName\":"
            SpanWriting.quote(remote, into: &j)
            j += "}"
        }
        if !s.events.isEmpty {
            j += ",\"annotations\":["
            for (n, e) in s.events.enumerated() {
                if n > 0 { j += "," }
                j += "{\"timestamp\":\(SpanWriting.micros(e.time.nanos)),\"value\":"
                SpanWriting.quote(annotationValue(e), into: &j)
                j += "}"
            }
            j += "]"
        }
        var tags: [(String, String)] = []
        // peer.service is read back from remoteEndpoint: written once, not twice.
        var peerWritten = false
        for a in attributes {
            if a.key == "peer.service", a.value == remote, !peerWritten { peerWritten = true; continue }
            tags.append((a.key, a.value))
        }
        if s.kind == .internal { tags.append(("span.kind", "internal")) }
        switch s.status {
        case .error: tags.append(("error", s.statusMessage ?? ""))
        case .ok:
            tags.append(("otel.status_code", "OK"))
            if let m = s.statusMessage { tags.append(("otel.status_description", m)) }
        case .unset: break
        }
        if let n = s.scopeName { tags.append(("otel.scope.name", n)) }
        if let v = s.scopeVersion { tags.append(("otel.scope.version", v)) }
        for f in resourceTags { tags.append(("resource." + f.key, f.value)) }
        for (n, l) in s.links.enumerated() {
            tags.append(("link.\(n)", "\(l.type.rawValue):\(SpanWriting.hexID(l.traceID, width: SpanWriting.isHex(l.traceID) ? 16 : 32)):\(SpanWriting.hexID(l.spanID, width: 16))"))
        }
        if !tags.isEmpty {
            // A JSON object: a key repeated in the span's attributes keeps its first value.
            var seen = Set<String>()
            j += ",\"tags\":{"
            var first = true
            for (k, v) in tags where seen.insert(k).inserted {
                if !first { j += "," }
                first = false
                SpanWriting.quote(k, into: &j)
                j += ":"
                SpanWriting.quote(v, into: &j)
            }
            j += "}"
        }
        if s.shared { j += ",\"shared\":true" }
        j += "}"
    }

    /// An annotation's value: the event's name, with its attributes as OpenTelemetry's
    /// Zipkin exporter writes them (`name|{json}|0`). An `event` attribute equal to the name
    /// (as read from Jaeger) is not repeated.
    static func annotationValue(_ e: Span.Event) -> String {
        let attrs = e.attributes.filter { !($0.key == "event" && $0.value == e.name) }
        guard !attrs.isEmpty else { return e.name }
        var v = e.name + "|{"
        for (n, a) in attrs.enumerated() {
            if n > 0 { v += "," }
            SpanWriting.quote(a.key, into: &v)
            v += ":"
            switch SpanWriting.effectiveType(a) {
            case .string: SpanWriting.quote(a.value, into: &v)
            case .bool, .int, .double: v += a.value
            }
        }
        return v + "}|0"
    }
}
