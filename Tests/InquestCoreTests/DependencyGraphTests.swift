import Foundation
import Testing
@testable import InquestCore

@Suite("Dependency graph")
struct DependencyGraphTests {
    /// One line an edge: "caller → callee (dependency) calls N errors N".
    static func rows(_ g: DependencyGraph) -> [String] {
        g.edges.map { "\($0.caller) → \($0.callee)\($0.dependency ? " (dependency)" : "") calls \($0.calls) errors \($0.errors)" }
    }

    @Test("edges between services, errors, and uninstrumented peers (peer.service, db.system, server.address, Zipkin remoteEndpoint)")
    func edges() throws {
        // deps.json (OTLP): three checkout requests; zipkin-shared.json: frontend → backend → MySQL.
        let load = TraceFixtures.load(["deps.json", "zipkin-shared.json"])
        let traces = TraceAssembler.assemble(load.spans)
        #expect(traces.count == 4)
        let g = DependencyGraph.build(traces)
        #expect(g.services == ["backend", "checkout", "frontend"])
        #expect(g.dependencies == ["inventory.internal", "mysql-orders", "redis", "stripe"])
        #expect(Self.rows(g) == [
            // A client span answered by no instrumented service: its remote endpoint is the callee.
            "backend → mysql-orders (dependency) calls 1 errors 1",
            // db.system on two client spans.
            "checkout → redis (dependency) calls 2 errors 0",
            // peer.service; the client span failed.
            "checkout → stripe (dependency) calls 1 errors 1",
            // The Zipkin server half under its client half.
            "frontend → backend calls 1 errors 1",
            // Two client → server calls (one failed in the server) and one client span whose
            // server spans were not exported, naming the instrumented service by peer.service.
            "frontend → checkout calls 3 errors 1",
            // server.address.
            "frontend → inventory.internal (dependency) calls 1 errors 0",
        ])
        let edge = { (caller: String, callee: String) in g.edges.first { $0.caller == caller && $0.callee == callee } }
        // Calls are timed from the caller's client span: 280, 80 and 50 ms.
        let checkout = try #require(edge("frontend", "checkout"))
        #expect(checkout.latency.count == 3)
        #expect(checkout.latency.maxNanos == 280 * ms)
        #expect(checkout.latency.sumNanos == Double(410 * ms))
        #expect(abs(checkout.errorRate - 1.0 / 3) < 1e-9)
        #expect(edge("frontend", "backend")?.latency.maxNanos == 80 * ms)
        #expect(edge("backend", "mysql-orders")?.latency.maxNanos == 40 * ms)
        #expect(edge("checkout", "stripe")?.errorRate == 1)
        // Calls inside one service are not edges.
        #expect(!g.edges.contains { $0.caller == $0.callee })
    }

    @Test("no traces, or traces of one service: no edges")
    func empty() throws {
        #expect(DependencyGraph.build([]).edges.isEmpty)
        let (t, _) = try TraceFixtures.trace("duplicates.json")
        let g = DependencyGraph.build([t])
        #expect(g.edges.isEmpty)
        #expect(g.services == ["search"])
        #expect(g.dependencies.isEmpty)
    }

    @Test("p50, p90 and p99 of an edge within 3 % of the exact values; errors counted", .timeLimit(.minutes(1)))
    func percentiles() throws {
        var rng = SplitMix64(seed: 3)
        var values: [Int64] = []
        var spans: [Span] = []
        let n = 3000
        for i in 0..<n {
            // Log-uniform from 1 ms to 2 s, as latencies spread.
            let v = Int64(1e6 * pow(2000, Double.random(in: 0..<1, using: &rng)))
            values.append(v)
            let start = Timestamp(nanos: fixtureT0 + Int64(i) * 10 * ms)
            spans.append(Span(traceID: "t\(i)", spanID: "c", service: "web", operation: "GET /api", kind: .client,
                              start: start, durationNanos: v))
            spans.append(Span(traceID: "t\(i)", spanID: "s", parentID: "c", service: "api", operation: "GET /api",
                              kind: .server, start: start, durationNanos: v / 2, status: i % 10 == 0 ? .error : .unset))
        }
        let g = DependencyGraph.build(TraceAssembler.assemble(spans))
        try #require(g.edges.count == 1)
        let e = g.edges[0]
        #expect(e.calls == n)
        #expect(e.errors == n / 10)
        let sorted = values.sorted()
        for q in [0.5, 0.9, 0.99] {
            let exact = sorted[Int((q * Double(n)).rounded(.up)) - 1]
            let estimate = try #require(e.latency.quantile(q))
            let error = abs(Double(estimate - exact)) / Double(exact)
            #expect(error < 0.03, "p\(Int(q * 100)): \(estimate) vs exact \(exact)")
        }
        let top = try #require(e.latency.quantile(1))
        #expect(top <= sorted.last! && Double(sorted.last! - top) / Double(sorted.last!) < 0.03, "p100 \(top) vs max \(sorted.last!)")
    }

    @Test("LatencyHistogram: merging equals recording every value in one; empty and sub-microsecond values")
    func histogramMerge() {
        var rng = SplitMix64(seed: 11)
        let values = (0..<5000).map { _ in Int64.random(in: 0..<5_000_000_000, using: &rng) }
        var all = LatencyHistogram()
        var parts = [LatencyHistogram](repeating: LatencyHistogram(), count: 3)
        for (i, v) in values.enumerated() {
            all.record(v)
            parts[i % 3].record(v)
        }
        var merged = LatencyHistogram()
        for p in parts.reversed() { merged.merge(p) }
        #expect(merged == all)
        #expect(merged.count == values.count)
        for q in [0.01, 0.5, 0.99, 1] { #expect(merged.quantile(q) == all.quantile(q)) }
        // Merging an empty histogram changes nothing; merging into one gives the other.
        var same = all
        same.merge(LatencyHistogram())
        #expect(same == all)
        var fresh = LatencyHistogram()
        fresh.merge(all)
        #expect(fresh == all)

        #expect(LatencyHistogram().quantile(0.5) == nil)
        var tiny = LatencyHistogram()
        tiny.record(300)
        tiny.record(-5)
        #expect(tiny.count == 2)
        #expect(tiny.quantile(1) == 300, "never above the largest value")
    }
}
