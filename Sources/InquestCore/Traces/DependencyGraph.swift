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
        Partial(traces).graph()
    }

    /// The mergeable state of a graph: edges as counted, before peers that turn out to
    /// be instrumented services are resolved (that needs every input's services).
    /// Partials over inputs that each hold whole traces merge into the graph of all.
    public struct Partial: Sendable {
        public internal(set) var edges: [Edge] = []
        public internal(set) var services: Set<String> = []
        var index: [String: Int] = [:]

        public init() {}

        public init(_ traces: [Trace]) {
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
                            add(parent.service, s.service, dependency: false, calls: 1, errors: failed ? 1 : 0, nanos: nanos)
                            continue
                        }
                    }
                    // A client span that no instrumented service answered: an uninstrumented peer.
                    if s.kind == .client, !n.children.contains(where: { t.nodes[$0].span.service != s.service }),
                       let peer = FailureSummary.peerName(s), peer != s.service {
                        add(s.service, peer, dependency: true, calls: 1, errors: s.isError ? 1 : 0, nanos: s.durationNanos)
                    }
                }
            }
        }

        mutating func add(_ from: String, _ to: String, dependency: Bool, calls: Int, errors: Int, nanos: Int64?,
                          latency: LatencyHistogram? = nil) {
            let key = from + "\u{0}" + to + (dependency ? "\u{0}d" : "")
            let i: Int
            if let e = index[key] { i = e } else {
                i = edges.count
                index[key] = i
                edges.append(Edge(caller: from, callee: to, dependency: dependency))
            }
            edges[i].calls += calls
            edges[i].errors += errors
            if let nanos { edges[i].latency.record(nanos) }
            if let latency { edges[i].latency.merge(latency) }
        }

        /// Adds another partial's counts (over other traces).
        public mutating func merge(_ other: Partial) {
            services.formUnion(other.services)
            for e in other.edges {
                add(e.caller, e.callee, dependency: e.dependency, calls: e.calls, errors: e.errors, nanos: nil, latency: e.latency)
            }
        }

        /// The graph: edges sorted, peers that are instrumented services resolved.
        public func graph() -> DependencyGraph {
            // An instrumented service's name seen as a peer is that service: one edge.
            var resolved = Partial()
            for e in edges {
                let dependency = e.dependency && !services.contains(e.callee)
                resolved.add(e.caller, e.callee, dependency: dependency, calls: e.calls, errors: e.errors, nanos: nil, latency: e.latency)
            }
            var list = resolved.edges
            list.sort { ($0.caller, $0.callee, $0.dependency ? 1 : 0) < ($1.caller, $1.callee, $1.dependency ? 1 : 0) }
            let deps = Set(list.filter(\.dependency).map(\.callee))
            return DependencyGraph(edges: list, services: services.sorted(), dependencies: deps.sorted())
        }
    }
}
