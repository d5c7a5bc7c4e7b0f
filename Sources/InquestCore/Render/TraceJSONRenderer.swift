/// The tree of one trace as JSON: spans nested under their parents, with self time,
/// critical path, flags, attributes, events, links and the correlated log lines.
public enum TraceJSONRenderer {
    public static func render(_ trace: Trace, logs: [CorrelatedLog], to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.field("trace_id", trace.traceID)
        j.field("start", trace.start.rfc3339())
        j.field("duration_us", trace.durationNanos / 1000)
        j.field("spans_count", trace.nodes.count)
        j.field("services", strings: trace.services)
        j.field("errors", trace.errorCount)
        if let f = FailureSummary.of(trace) {
            j.beginObject("failure")
            j.field("service", f.service)
            j.field("operation", f.operation)
            j.field("span_id", trace.nodes[f.node].span.spanID)
            j.field("after_us", f.afterNanos / 1000)
            j.field("reason", f.reason)
            j.field("peer", f.peer)
            j.field("summary", f.sentence)
            j.endObject()
        }
        j.field("notes", strings: trace.notes)
        var byNode: [Int: [CorrelatedLog]] = [:]
        for l in logs { byNode[l.node, default: []].append(l) }
        j.beginArray("spans")
        // Depth-first without recursion: a hostile chain of a million spans must not overflow the stack.
        var stack: [(node: Int, open: Bool)] = trace.roots.reversed().map { ($0, false) }
        while let (i, open) = stack.popLast() {
            if open { j.endArray(); j.endObject(); continue }
            node(trace, i, byNode, &j)
            j.beginArray("children")
            stack.append((i, true))
            for c in trace.nodes[i].children.reversed() { stack.append((c, false)) }
        }
        j.endArray()
        j.endObject()
        out.write(j.text + "\n")
    }

    static func flagNames(_ f: TraceNode.Flags) -> [String] {
        var out: [String] = []
        if f.contains(.orphan) { out.append("orphan") }
        if f.contains(.duplicateID) { out.append("duplicate_id") }
        if f.contains(.splitShared) { out.append("split_shared") }
        if f.contains(.cycleBroken) { out.append("cycle_broken") }
        if f.contains(.skewAdjusted) { out.append("skew_adjusted") }
        return out
    }

    /// Writes a span's fields, leaving its object open for the children.
    static func node(_ t: Trace, _ i: Int, _ logs: [Int: [CorrelatedLog]], _ j: inout JSONOut) {
        let n = t.nodes[i]
        let s = n.span
        j.beginObject()
        j.field("span_id", s.spanID)
        j.field("parent_id", s.parentID)
        j.field("service", s.service)
        j.field("operation", s.operation)
        j.field("kind", s.kind.rawValue)
        j.field("start", s.start.rfc3339())
        j.field("duration_us", s.durationNanos / 1000)
        j.field("self_us", n.selfNanos / 1000)
        j.field("critical", n.critical)
        j.field("error", s.isError)
        if let m = s.statusMessage { j.field("status_message", m) }
        j.field("flags", strings: flagNames(n.flags))
        if n.skewNanos != 0 { j.field("skew_adjustment_us", n.skewNanos / 1000) }
        j.field("source", s.location.description)
        j.beginObject("attributes")
        for a in s.attributes { j.field(a.key, a.value) }
        j.endObject()
        j.beginArray("events")
        for e in s.events {
            j.beginObject()
            j.field("time", e.time.rfc3339())
            j.field("name", e.name)
            j.beginObject("attributes"); for a in e.attributes { j.field(a.key, a.value) }; j.endObject()
            j.endObject()
        }
        j.endArray()
        j.beginArray("links")
        for l in s.links {
            j.beginObject(); j.field("type", l.type.rawValue); j.field("trace_id", l.traceID); j.field("span_id", l.spanID); j.endObject()
        }
        j.endArray()
        j.beginArray("logs")
        for l in (logs[i] ?? []).sorted(by: { ($0.record.timestamp?.nanos ?? 0) < ($1.record.timestamp?.nanos ?? 0) }) {
            j.beginObject()
            j.field("time", l.record.timestamp.map { $0.rfc3339() })
            j.field("level", l.record.level == .unknown ? nil : l.record.level.name)
            j.field("service", l.record.service)
            j.field("message", l.record.message)
            j.field("join", l.join.rawValue)
            // The IDs the line itself carries (null for a time join), so a reader can check a join.
            j.field("trace_id", l.record.traceID)
            j.field("span_id", l.record.spanID)
            j.field("source", l.record.location.description)
            j.endObject()
        }
        j.endArray()
    }
}
