/// Jaeger JSON: a UI download (`{"traceID", "spans", "processes"}`, or a list of them
/// under `data` as the query API `/api/traces` returns). Times in microseconds;
/// `references` give CHILD_OF parents and FOLLOWS_FROM links; `error=true` tags mark errors.
enum JaegerFormat {
    static func spans(from doc: JSONNode, path: String, into out: inout [Span], bad: inout [Issue]) {
        if let data = doc["data"]?.array {
            for t in data { trace(t, path: path, into: &out, bad: &bad) }
        } else if let list = doc.array {
            for t in list { trace(t, path: path, into: &out, bad: &bad) }
        } else {
            trace(doc, path: path, into: &out, bad: &bad)
        }
    }

    static func tagValue(_ t: JSONNode) -> String { t["value"]?.displayString ?? "" }

    static func trace(_ t: JSONNode, path: String, into out: inout [Span], bad: inout [Issue]) {
        var services: [String: (String, [LogRecord.Field])] = [:]
        if let procs = t["processes"]?.object {
            for (pid, p) in procs.members {
                let tags = (p["tags"]?.array ?? []).compactMap { tag -> LogRecord.Field? in
                    guard let k = tag["key"]?.string else { return nil }
                    return LogRecord.Field(k, tagValue(tag))
                }
                services[pid] = (p["serviceName"]?.string ?? "unknown", tags)
            }
        }
        for s in t["spans"]?.array ?? [] {
            guard let o = s.object else { bad.append(Issue(line: 0, reason: "span is not an object")); continue }
            guard !o.incomplete else { bad.append(Issue(line: o.line, reason: "span cut off")); continue }
            guard let traceID = (s["traceID"] ?? t["traceID"])?.string, let spanID = s["spanID"]?.string else {
                bad.append(Issue(line: o.line, reason: "span without traceID or spanID")); continue
            }
            guard let startMicros = s["startTime"]?.int64 else {
                bad.append(Issue(line: o.line, reason: "span without startTime")); continue
            }
            let durationMicros = s["duration"]?.int64 ?? 0
            var span = Span(traceID: normalizeID(traceID), spanID: normalizeID(spanID), operation: s["operationName"]?.string ?? "",
                            start: Timestamp(nanos: startMicros &* 1000, precision: 6), durationNanos: max(0, durationMicros) &* 1000,
                            location: SourceLocation(path: path, line: o.line))
            if let pid = s["processID"]?.string, let (name, _) = services[pid] { span.service = name }
            else if let name = s["process"]?["serviceName"]?.string { span.service = name }
            for r in s["references"]?.array ?? [] {
                guard let rs = r["spanID"]?.string else { continue }
                let rt = normalizeID(r["traceID"]?.string ?? traceID)
                if r["refType"]?.string == "FOLLOWS_FROM" {
                    span.links.append(Span.Reference(type: .followsFrom, traceID: rt, spanID: normalizeID(rs)))
                } else if span.parentID == nil && rt == span.traceID {
                    span.parentID = normalizeID(rs)
                } else {
                    span.links.append(Span.Reference(type: .childOf, traceID: rt, spanID: normalizeID(rs)))
                }
            }
            if span.parentID == nil, let p = s["parentSpanID"]?.string, p != "0", !p.isEmpty { span.parentID = normalizeID(p) }
            var attrs: [LogRecord.Field] = []
            for tag in s["tags"]?.array ?? [] {
                guard let k = tag["key"]?.string else { continue }
                let v = tagValue(tag)
                switch k {
                case "span.kind": span.kind = Span.Kind(rawValue: v.lowercased()) ?? .unspecified
                case "error": if v == "true" { span.status = .error }
                case "otel.status_code":
                    if v == "ERROR" { span.status = .error } else if v == "OK" && span.status != .error { span.status = .ok }
                case "otel.status_description": span.statusMessage = v
                default: break
                }
                attrs.append(LogRecord.Field(k, v))
            }
            span.attributes = attrs
            for l in s["logs"]?.array ?? [] {
                let fields = (l["fields"]?.array ?? []).compactMap { f -> LogRecord.Field? in
                    guard let k = f["key"]?.string else { return nil }
                    return LogRecord.Field(k, tagValue(f))
                }
                let name = fields.first(where: { $0.key == "event" || $0.key == "message" })?.value ?? "log"
                span.events.append(Span.Event(time: Timestamp(nanos: (l["timestamp"]?.int64 ?? startMicros) &* 1000, precision: 6),
                                              name: name, attributes: fields))
            }
            out.append(span)
        }
    }
}
