/// The service dependency graph of a set of traces: who calls whom, how often, how
/// often it fails, and how long it takes. Uninstrumented peers named by client spans
/// (`peer.service`, `db.name`/`db.system`, `server.address`, Zipkin `remoteEndpoint`)
/// are nodes of their own.
public struct DependencyGraph: Sendable {
    public struct Edge: Sendable {
        public var caller: String
        public var callee: String
        /// The callee is not instrumented: known only from the caller's client spans.
        public var dependency: Bool
        public var calls = 0
        public var errors = 0
        public var latency = LatencyHistogram()
        public var errorRate: Double { calls == 0 ? 0 : Double(errors) / Double(calls) }
    }

    public var edges: [Edge]
    public var services: [String]
    public var dependencies: [String]

    public static func build(_ traces: [Trace]) -> DependencyGraph {
        var index: [String: Int] = [:]
        var edges: [Edge] = []
        func add(_ from: String, _ to: String, dependency: Bool, error: Bool, nanos: Int64) {
            let key = from + "\u{0}" + to
            let i: Int
            if let e = index[key] { i = e } else {
                i = edges.count
                index[key] = i
                edges.append(Edge(caller: from, callee: to, dependency: dependency))
            }
            edges[i].calls += 1
            if error { edges[i].errors += 1 }
            edges[i].latency.record(nanos)
        }
        var services = Set<String>()
        for t in traces {
            for n in t.nodes {
                let s = n.span
                services.insert(s.service)
                if let p = n.parent {
                    let parent = t.nodes[p].span
                    if parent.service != s.service {
                        // Measured from the caller's side when the parent is its client span.
                        let nanos = parent.kind == .client ? parent.durationNanos : s.durationNanos
                        let failed = s.isError || (parent.kind == .client && parent.isError)
                        add(parent.service, s.service, dependency: false, error: failed, nanos: nanos)
                        continue
                    }
                }
                // A client span that no instrumented service answered: an uninstrumented peer.
                if s.kind == .client, !n.children.contains(where: { t.nodes[$0].span.service != s.service }),
                   let peer = FailureSummary.peerName(s), peer != s.service {
                    add(s.service, peer, dependency: true, error: s.isError, nanos: s.durationNanos)
                }
            }
        }
        edges.sort { ($0.caller, $0.callee) < ($1.caller, $1.callee) }
        let deps = Set(edges.filter(\.dependency).map(\.callee)).subtracting(services)
        // A peer name that is also an instrumented service is that service.
        for i in edges.indices where edges[i].dependency && services.contains(edges[i].callee) { edges[i].dependency = false }
        return DependencyGraph(edges: edges, services: services.sorted(), dependencies: deps.sorted())
    }
}
