/// OTLP JSON traces (`ExportTraceServiceRequest`): `resourceSpans[].scopeSpans[].spans[]`,
/// hex IDs, nanosecond times as strings, `kind` as a number (or its enum name),
/// `status.code` 2 (or `STATUS_CODE_ERROR`) for errors; events and links kept.
enum OTLPTracesFormat {
    static let kinds: [Span.Kind] = [.unspecified, .internal, .server, .client, .producer, .consumer]

    static func kind(_ v: JSONNode?) -> Span.Kind {
        if let n = v?.int64, n >= 0, n < kinds.count { return kinds[Int(n)] }
        switch v?.string?.uppercased() {
        case "SPAN_KIND_INTERNAL": return .internal
        case "SPAN_KIND_SERVER": return .server
        case "SPAN_KIND_CLIENT": return .client
        case "SPAN_KIND_PRODUCER": return .producer
        case "SPAN_KIND_CONSUMER": return .consumer
        default: return .unspecified
        }
    }

    static func spans(from doc: JSONNode, path: String, into out: inout [Span], bad: inout [Issue]) {
        guard let resources = doc["resourceSpans"]?.array else {
            bad.append(Issue(line: doc.line, reason: "no resourceSpans list in this document"))
            return
        }
        for rs in resources {
            let service = OTLP.resourceService(rs["resource"]) ?? "unknown"
            let resource = OTLP.attributes(rs["resource"]?["attributes"]).filter { $0.key != "service.name" }
            for ss in rs["scopeSpans"]?.array ?? rs["instrumentationLibrarySpans"]?.array ?? [] {
                let scope = ss["scope"] ?? ss["instrumentationLibrary"]
                let scopeName = scope?["name"]?.string.flatMap { $0.isEmpty ? nil : $0 }
                let scopeVersion = scope?["version"]?.string.flatMap { $0.isEmpty ? nil : $0 }
                for s in ss["spans"]?.array ?? [] {
                    guard let o = s.object else { bad.append(Issue(line: 0, reason: "span is not an object")); continue }
                    guard !o.incomplete else { bad.append(Issue(line: o.line, reason: "span cut off")); continue }
                    guard let trace = OTLP.id(s["traceId"]), let id = OTLP.id(s["spanId"]) else {
                        bad.append(Issue(line: o.line, reason: "span without traceId or spanId")); continue
                    }
                    guard let start = OTLP.nanos(s["startTimeUnixNano"]) else {
                        bad.append(Issue(line: o.line, reason: "span without startTimeUnixNano")); continue
                    }
                    let end = OTLP.nanos(s["endTimeUnixNano"]) ?? start
                    var span = Span(traceID: trace, spanID: id, parentID: OTLP.id(s["parentSpanId"]), service: service,
                                    operation: s["name"]?.string ?? "", kind: kind(s["kind"]),
                                    start: Timestamp(nanos: start, precision: 9), durationNanos: max(0, end.subtractingReportingOverflow(start).partialValue),
                                    location: SourceLocation(path: path, line: o.line))
                    let code = s["status"]?["code"]
                    if code?.int64 == 2 || code?.string == "STATUS_CODE_ERROR" { span.status = .error }
                    else if code?.int64 == 1 || code?.string == "STATUS_CODE_OK" { span.status = .ok }
                    span.statusMessage = s["status"]?["message"]?.string.flatMap { $0.isEmpty ? nil : $0 }
                    span.resource = resource
                    span.scopeName = scopeName
                    span.scopeVersion = scopeVersion
                    span.attributes = OTLP.attributes(s["attributes"])
                    for e in s["events"]?.array ?? [] {
                        span.events.append(Span.Event(time: Timestamp(nanos: OTLP.nanos(e["timeUnixNano"]) ?? start, precision: 9),
                                                      name: e["name"]?.string ?? "", attributes: OTLP.attributes(e["attributes"])))
                    }
                    for l in s["links"]?.array ?? [] {
                        if let lt = OTLP.id(l["traceId"]), let ls = OTLP.id(l["spanId"]) {
                            // Jaeger references carried over by OpenTelemetry's translator say which they were.
                            let refType = OTLP.attributes(l["attributes"]).first(where: { $0.key == "opentracing.ref_type" })?.value
                            let type: Span.Reference.RefType = refType == "follows_from" ? .followsFrom : refType == "child_of" ? .childOf : .link
                            span.links.append(Span.Reference(type: type, traceID: lt, spanID: ls))
                        }
                    }
                    out.append(span)
                }
            }
        }
    }
}
