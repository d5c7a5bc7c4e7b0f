/// Where a trace failed first: the error span whose children did not fail (the error
/// was raised there, not passed on), earliest first.
public struct FailureSummary: Sendable {
    public var node: Int
    public var service: String
    public var operation: String
    /// Time from the trace's start to the end of the failing span.
    public var afterNanos: Int64
    public var reason: String
    /// The failure is on a client span naming a peer (an uninstrumented dependency).
    public var peer: String?

    /// "failed in payment POST /charge after 1.2 s: connection refused".
    public var sentence: String {
        var s = "failed in \(service) \(operation)"
        if let peer { s += " (calling \(peer))" }
        s += " after \(Duration.format(nanos: afterNanos))"
        if !reason.isEmpty { s += ": \(reason)" }
        return s
    }

    public static func of(_ trace: Trace) -> FailureSummary? {
        let failing = trace.nodes.indices.filter { i in
            trace.nodes[i].span.isError && !trace.nodes[i].children.contains { trace.nodes[$0].span.isError }
        }
        guard let first = failing.min(by: { trace.nodes[$0].span.end < trace.nodes[$1].span.end }) else { return nil }
        let s = trace.nodes[first].span
        return FailureSummary(node: first, service: s.service, operation: s.operation,
                              afterNanos: s.end.nanos - trace.start.nanos, reason: errorReason(s),
                              peer: s.kind == .client ? peerName(s) : nil)
    }

    /// The best text for why a span failed: status message, error attributes, exception events.
    public static func errorReason(_ s: Span) -> String {
        if let m = s.statusMessage, !m.isEmpty { return m }
        for key in ["error.message", "exception.message", "error.msg", "otel.status_description", "error.type", "exception.type"] {
            if let v = s.attribute(key), !v.isEmpty { return v }
        }
        for e in s.events where e.name == "exception" || e.name == "error" || e.attributes.contains(where: { $0.key == "event" && $0.value == "error" }) {
            for key in ["exception.message", "message", "error.object", "error.kind", "exception.type"] {
                if let v = e.attributes.first(where: { $0.key == key })?.value, !v.isEmpty { return v }
            }
        }
        if let v = s.attribute("error"), v != "true", !v.isEmpty { return v }
        if let code = s.attribute("http.status_code") ?? s.attribute("http.response.status_code") { return "HTTP \(code)" }
        return ""
    }

    /// The peer a client span calls, as callers name uninstrumented dependencies.
    public static func peerName(_ s: Span) -> String? {
        if let r = s.remoteService, !r.isEmpty { return r }
        for key in ["peer.service", "db.name", "db.system", "server.address", "net.peer.name", "http.host"] {
            if let v = s.attribute(key), !v.isEmpty { return v }
        }
        return nil
    }
}
