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
            for ss in rs["scopeSpans"]?.array ?? rs["instrumentationLibrarySpans"]?.array ?? [] {
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
                    span.statusMessage = s["status"]?["message"]?.string
                    span.attributes = OTLP.attributes(s["attributes"])
                    for e in s["events"]?.array ?? [] {
                        span.events.append(Span.Event(time: Timestamp(nanos: OTLP.nanos(e["timeUnixNano"]) ?? start, precision: 9),
                                                      name: e["name"]?.string ?? "", attributes: OTLP.attributes(e["attributes"])))
                    }
                    for l in s["links"]?.array ?? [] {
                        if let lt = OTLP.id(l["traceId"]), let ls = OTLP.id(l["spanId"]) {
                            span.links.append(Span.Reference(type: .link, traceID: lt, spanID: ls))
                        }
                    }
                    out.append(span)
                }
            }
        }
    }
}
