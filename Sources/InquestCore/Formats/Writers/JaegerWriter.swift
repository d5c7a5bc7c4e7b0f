/// Writes spans as Jaeger JSON, the shape of the UI's download and the query API:
/// `{"data": [{"traceID", "spans": [...], "processes": {"p1": {"serviceName", "tags"}}}]}`.
///
/// One trace object per trace ID, in order of first appearance. Times and durations in
/// microseconds (rounded down); IDs lower-case hex, 16 or 32 digits. The parent is a
/// `CHILD_OF` reference; links become `FOLLOWS_FROM` references (Jaeger has no other
/// kind). Kind, status and scope are tags as OpenTelemetry's Jaeger exporter writes them:
/// `span.kind`, `error=true`, `otel.status_code`, `otel.status_description`,
/// `otel.scope.name`, `otel.scope.version`. Events are span logs whose `event` field is
/// the event's name. A process is one service with its resource attributes as tags.
public enum JaegerWriter {
    public static func write(_ spans: [Span], to out: inout some TextOutputStream) {
        out.write("{\"data\":[")
        var firstTrace = true
        for group in SpanWriting.byTrace(spans) {
            var chunk = firstTrace ? "\n" : ",\n"
            firstTrace = false
            // Processes of this trace: one per distinct service and resource.
            var processes: [(service: String, resource: [LogRecord.Field])] = []
            var processOf: [Int] = []
            processOf.reserveCapacity(group.count)
            var last = -1
            for i in group {
                let s = spans[i]
                if last >= 0, processes[last].service == s.service, processes[last].resource == s.resource {
                    processOf.append(last); continue
                }
                if let k = processes.firstIndex(where: { $0.service == s.service && $0.resource == s.resource }) {
                    last = k
                } else {
                    processes.append((s.service, s.resource))
                    last = processes.count - 1
                }
                processOf.append(last)
            }
            let traceID = SpanWriting.traceID64or128(spans[group[0]].traceID)
            chunk += "{\"traceID\":"
            SpanWriting.quote(traceID, into: &chunk)
            chunk += ",\"spans\":["
            out.write(chunk)
            for (n, i) in group.enumerated() {
                chunk = n == 0 ? "\n" : ",\n"
                span(spans[i], traceID: traceID, process: processOf[n] + 1, into: &chunk)
                out.write(chunk)
            }
            chunk = "],\"processes\":{"
            for (k, p) in processes.enumerated() {
                if k > 0 { chunk += "," }
                chunk += "\"p\(k + 1)\":{\"serviceName\":"
                SpanWriting.quote(p.service, into: &chunk)
                chunk += ",\"tags\":"
                tags(p.resource, into: &chunk)
                chunk += "}"
            }
            chunk += "},\"warnings\":null}"
            out.write(chunk)
        }
        out.write("\n],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n")
    }

    static func span(_ s: Span, traceID: String, process: Int, into j: inout String) {
        j += "{\"traceID\":"
        SpanWriting.quote(traceID, into: &j)
        j += ",\"spanID\":"
        SpanWriting.quote(SpanWriting.paddedID(s.spanID, width: 16), into: &j)
        j += ",\"operationName\":"
        SpanWriting.quote(s.operation, into: &j)
        j += ",\"references\":["
        var firstRef = true
        func ref(_ type: String, _ trace: String, _ id: String) {
            if !firstRef { j += "," }
            firstRef = false
            j += "{\"refType\":\"\(type)\",\"traceID\":"
            SpanWriting.quote(SpanWriting.traceID64or128(trace), into: &j)
            j += ",\"spanID\":"
            SpanWriting.quote(SpanWriting.paddedID(id, width: 16), into: &j)
            j += "}"
        }
        if let p = s.parentID { ref("CHILD_OF", s.traceID, p) }
        for l in s.links { ref(l.type == .childOf ? "CHILD_OF" : "FOLLOWS_FROM", l.traceID, l.spanID) }
        j += "],\"startTime\":\(SpanWriting.micros(s.start.nanos)),\"duration\":\(SpanWriting.durationMicros(s))"
        var tagList: [LogRecord.Field] = []
        if s.kind != .unspecified { tagList.append(LogRecord.Field("span.kind", s.kind.rawValue)) }
        tagList.append(contentsOf: SpanWriting.plainAttributes(s))
        switch s.status {
        case .error:
            tagList.append(LogRecord.Field("error", "true", type: .bool))
            tagList.append(LogRecord.Field("otel.status_code", "ERROR"))
        case .ok: tagList.append(LogRecord.Field("otel.status_code", "OK"))
        case .unset: break
        }
        if let m = s.statusMessage, s.status != .unset { tagList.append(LogRecord.Field("otel.status_description", m)) }
        if let n = s.scopeName { tagList.append(LogRecord.Field("otel.scope.name", n)) }
        if let v = s.scopeVersion { tagList.append(LogRecord.Field("otel.scope.version", v)) }
        j += ",\"tags\":"
        tags(tagList, into: &j)
        j += ",\"logs\":["
        for (n, e) in s.events.enumerated() {
            if n > 0 { j += "," }
            j += "{\"timestamp\":\(SpanWriting.micros(e.time.nanos)),\"fields\":"
            tags(logFields(e), into: &j)
            j += "}"
        }
        j += "],\"processID\":\"p\(process)\",\"warnings\":null}"
    }

    /// A span log's fields: the event's attributes, with its name as the `event` field unless
    /// the attributes already carry it (as read from Jaeger: `event`, or a `message` equal to
    /// the name; or the reader's `log` for a log without either).
    static func logFields(_ e: Span.Event) -> [LogRecord.Field] {
        let named = e.attributes.contains { $0.key == "event" || ($0.key == "message" && $0.value == e.name) }
        if named || (e.name == "log" && !e.attributes.contains { $0.key == "message" }) || e.name.isEmpty { return e.attributes }
        return [LogRecord.Field("event", e.name)] + e.attributes
    }

    /// `[{"key", "type", "value"}]`, typed as the values were read.
    static func tags(_ fields: [LogRecord.Field], into j: inout String) {
        j += "["
        for (n, f) in fields.enumerated() {
            if n > 0 { j += "," }
            j += "{\"key\":"
            SpanWriting.quote(f.key, into: &j)
            switch SpanWriting.effectiveType(f) {
            case .string:
                j += ",\"type\":\"string\",\"value\":"
                SpanWriting.quote(f.value, into: &j)
            case .bool: j += ",\"type\":\"bool\",\"value\":" + f.value
            case .int: j += ",\"type\":\"int64\",\"value\":" + f.value
            case .double: j += ",\"type\":\"float64\",\"value\":" + f.value
            }
            j += "}"
        }
        j += "]"
    }
}
