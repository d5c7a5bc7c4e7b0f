/// Writes simulated spans as the three span exports Inquest reads: Jaeger's query API
/// JSON, a Zipkin v2 span array and an OTLP JSON `ExportTraceServiceRequest`.
///
/// Each writer puts one trace (Jaeger) or one span (Zipkin, OTLP) a line, so the files
/// stay readable with `grep` and `less` while being single JSON documents.
enum SimSpanRenderer {
    /// Attributes whose values are integers in every format.
    static let integerKeys: Set<String> = ["http.status_code", "http.resend_count"]

    static func isInteger(_ f: LogRecord.Field) -> Bool {
        integerKeys.contains(f.key) && !f.value.isEmpty && f.value.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func micros(_ t: Timestamp) -> Int64 { t.nanos / 1000 }

    // MARK: - Jaeger

    /// `{"data":[{"traceID","spans":[…],"processes":{…}}],"total":0,"limit":0,"offset":0,"errors":null}`.
    static func jaeger(traces: [[Span]], hosts: [String: String]) -> String {
        var out = "{\"data\":[\n"
        for (ti, spans) in traces.enumerated() {
            guard let first = spans.first else { continue }
            if ti > 0 { out += ",\n" }
            // Processes numbered in order of first appearance, as Jaeger's UI does.
            var pids: [String: String] = [:]
            var order: [String] = []
            for s in spans where pids[s.service] == nil {
                order.append(s.service)
                pids[s.service] = "p\(order.count)"
            }
            out += "{\"traceID\":\"\(first.traceID)\",\"spans\":["
            for (si, s) in spans.enumerated() {
                if si > 0 { out += "," }
                out += "{\"traceID\":\"\(s.traceID)\",\"spanID\":\"\(s.spanID)\",\"operationName\":"
                JSONWriter.quote(s.operation, into: &out)
                out += ",\"references\":["
                if let p = s.parentID { out += "{\"refType\":\"CHILD_OF\",\"traceID\":\"\(s.traceID)\",\"spanID\":\"\(p)\"}" }
                out += "],\"startTime\":\(micros(s.start)),\"duration\":\(s.durationNanos / 1000),\"tags\":["
                out += "{\"key\":\"span.kind\",\"type\":\"string\",\"value\":\"\(s.kind.rawValue)\"}"
                for a in s.attributes { out += "," + jaegerTag(a) }
                if s.isError {
                    out += ",{\"key\":\"error\",\"type\":\"bool\",\"value\":true}"
                    out += ",{\"key\":\"otel.status_code\",\"type\":\"string\",\"value\":\"ERROR\"}"
                    if let m = s.statusMessage { out += "," + jaegerTag(LogRecord.Field("otel.status_description", m)) }
                }
                out += "],\"logs\":["
                for (ei, e) in s.events.enumerated() {
                    if ei > 0 { out += "," }
                    out += "{\"timestamp\":\(micros(e.time)),\"fields\":[" + jaegerTag(LogRecord.Field("event", e.name))
                    for a in e.attributes { out += "," + jaegerTag(a) }
                    out += "]}"
                }
                out += "],\"processID\":\"\(pids[s.service] ?? "p1")\"}"
            }
            out += "],\"processes\":{"
            for (i, name) in order.enumerated() {
                if i > 0 { out += "," }
                out += "\"p\(i + 1)\":{\"serviceName\":\"\(name)\",\"tags\":["
                if let h = hosts[name] { out += jaegerTag(LogRecord.Field("hostname", h)) }
                out += "]}"
            }
            out += "},\"warnings\":null}"
        }
        out += "\n],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n"
        return out
    }

    static func jaegerTag(_ f: LogRecord.Field) -> String {
        var s = "{\"key\":"
        JSONWriter.quote(f.key, into: &s)
        if isInteger(f) {
            s += ",\"type\":\"int64\",\"value\":\(f.value)}"
        } else {
            s += ",\"type\":\"string\",\"value\":"
            JSONWriter.quote(f.value, into: &s)
            s += "}"
        }
        return s
    }

    // MARK: - Zipkin v2

    /// `[{"traceId","parentId","id","kind","name","timestamp","duration","localEndpoint","remoteEndpoint","tags"}]`.
    static func zipkin(traces: [[Span]], ips: [String: String]) -> String {
        var out = "["
        var firstSpan = true
        for spans in traces {
            for s in spans {
                out += firstSpan ? "\n" : ",\n"
                firstSpan = false
                out += "{\"traceId\":\"\(s.traceID)\""
                if let p = s.parentID { out += ",\"parentId\":\"\(p)\"" }
                out += ",\"id\":\"\(s.spanID)\""
                switch s.kind {
                case .client: out += ",\"kind\":\"CLIENT\""
                case .server: out += ",\"kind\":\"SERVER\""
                case .producer: out += ",\"kind\":\"PRODUCER\""
                case .consumer: out += ",\"kind\":\"CONSUMER\""
                default: break
                }
                out += ",\"name\":"
                JSONWriter.quote(s.operation, into: &out)
                out += ",\"timestamp\":\(micros(s.start)),\"duration\":\(s.durationNanos / 1000)"
                out += ",\"localEndpoint\":{\"serviceName\":\"\(s.service)\""
                if let ip = ips[s.service] { out += ",\"ipv4\":\"\(ip)\"" }
                out += "}"
                if let r = s.remoteService { out += ",\"remoteEndpoint\":{\"serviceName\":\"\(r)\"}" }
                if !s.events.isEmpty {
                    out += ",\"annotations\":["
                    for (i, e) in s.events.enumerated() {
                        if i > 0 { out += "," }
                        let text = e.attributes.first(where: { $0.key == "exception.type" }).map { "\(e.name): \($0.value)" } ?? e.name
                        out += "{\"timestamp\":\(micros(e.time)),\"value\":"
                        JSONWriter.quote(text, into: &out)
                        out += "}"
                    }
                    out += "]"
                }
                out += ",\"tags\":{"
                var firstTag = true
                for a in s.attributes {
                    if !firstTag { out += "," }
                    firstTag = false
                    // Zipkin tags are strings, numbers included.
                    JSONWriter.quote(a.key, into: &out)
                    out += ":"
                    JSONWriter.quote(a.value, into: &out)
                }
                if s.isError {
                    if !firstTag { out += "," }
                    out += "\"error\":"
                    JSONWriter.quote(s.statusMessage ?? "true", into: &out)
                }
                out += "}}"
            }
        }
        out += "\n]\n"
        return out
    }

    // MARK: - OTLP JSON

    /// `{"resourceSpans":[{"resource":{"attributes":[service.name…]},"scopeSpans":[{"scope","spans":[…]}]}]}`,
    /// one resource per service in `serviceOrder`.
    static func otlp(traces: [[Span]], serviceOrder: [String], hosts: [String: String], scopes: [String: String]) -> String {
        var byService: [String: [Span]] = [:]
        for spans in traces { for s in spans { byService[s.service, default: []].append(s) } }
        var out = "{\"resourceSpans\":["
        var firstResource = true
        for service in serviceOrder {
            guard let spans = byService[service], !spans.isEmpty else { continue }
            if !firstResource { out += "," }
            firstResource = false
            out += "\n{\"resource\":{\"attributes\":["
            out += otlpAttribute(LogRecord.Field("service.name", service))
            if let h = hosts[service] { out += "," + otlpAttribute(LogRecord.Field("host.name", h)) }
            out += "]},\"scopeSpans\":[{\"scope\":{\"name\":"
            JSONWriter.quote(scopes[service] ?? "manual", into: &out)
            out += "},\"spans\":["
            for (i, s) in spans.enumerated() {
                out += i > 0 ? ",\n" : "\n"
                out += "{\"traceId\":\"\(s.traceID)\",\"spanId\":\"\(s.spanID)\""
                if let p = s.parentID { out += ",\"parentSpanId\":\"\(p)\"" }
                out += ",\"name\":"
                JSONWriter.quote(s.operation, into: &out)
                let kind: Int
                switch s.kind {
                case .internal: kind = 1
                case .server: kind = 2
                case .client: kind = 3
                case .producer: kind = 4
                case .consumer: kind = 5
                default: kind = 0
                }
                out += ",\"kind\":\(kind),\"startTimeUnixNano\":\"\(s.start.nanos)\",\"endTimeUnixNano\":\"\(s.start.nanos + s.durationNanos)\""
                out += ",\"attributes\":["
                for (ai, a) in s.attributes.enumerated() {
                    if ai > 0 { out += "," }
                    out += otlpAttribute(a)
                }
                out += "]"
                if !s.events.isEmpty {
                    out += ",\"events\":["
                    for (ei, e) in s.events.enumerated() {
                        if ei > 0 { out += "," }
                        out += "{\"timeUnixNano\":\"\(e.time.nanos)\",\"name\":"
                        JSONWriter.quote(e.name, into: &out)
                        out += ",\"attributes\":["
                        for (ai, a) in e.attributes.enumerated() {
                            if ai > 0 { out += "," }
                            out += otlpAttribute(a)
                        }
                        out += "]}"
                    }
                    out += "]"
                }
                if s.isError {
                    out += ",\"status\":{\"code\":2"
                    if let m = s.statusMessage {
                        out += ",\"message\":"
                        JSONWriter.quote(m, into: &out)
                    }
                    out += "}}"
                } else {
                    out += ",\"status\":{}}"
                }
            }
            out += "\n]}]}"
        }
        out += "\n]}\n"
        return out
    }

    static func otlpAttribute(_ f: LogRecord.Field) -> String {
        var s = "{\"key\":"
        JSONWriter.quote(f.key, into: &s)
        if isInteger(f) {
            s += ",\"value\":{\"intValue\":\"\(f.value)\"}}"
        } else {
            s += ",\"value\":{\"stringValue\":"
            JSONWriter.quote(f.value, into: &s)
            s += "}}"
        }
        return s
    }

    /// The span files for `formats`: traces dealt round-robin to each format asked for,
    /// each file described by `notes[format]` in the ground truth.
    static func files(traces: [[Span]], formats: SimSpanFormats, serviceOrder: [String], hosts: [String: String],
                      ips: [String: String], scopes: [String: String], notes: [SimSpanFormats: String]) -> [SimulatedFile] {
        let list = formats.formats
        var parts = Array(repeating: [[Span]](), count: list.count)
        for (i, t) in traces.enumerated() { parts[i % list.count].append(t) }
        return zip(list, parts).map { format, part in
            let n = part.reduce(0) { $0 + $1.count }
            let note = notes[format] ?? ""
            switch format {
            case .jaeger, .all:
                return SimulatedFile(path: "spans/jaeger.json", bytes: Array(jaeger(traces: part, hosts: hosts).utf8), kind: "spans",
                                     format: SpanFormat.jaeger.rawValue, records: n, traces: part.count, note: note)
            case .zipkin:
                return SimulatedFile(path: "spans/zipkin.json", bytes: Array(zipkin(traces: part, ips: ips).utf8), kind: "spans",
                                     format: SpanFormat.zipkinV2.rawValue, records: n, traces: part.count, note: note)
            case .otlp:
                return SimulatedFile(path: "spans/otlp.json",
                                     bytes: Array(otlp(traces: part, serviceOrder: serviceOrder, hosts: hosts, scopes: scopes).utf8),
                                     kind: "spans", format: SpanFormat.otlpTraces.rawValue, records: n, traces: part.count, note: note)
            }
        }
    }
}
