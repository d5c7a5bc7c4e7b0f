import Foundation
import Testing
@testable import InquestCore

// Trace assembly on hand-written dumps under Fixtures/traces, read through the real
// readers. Each test writes the tree it expects as an outline: one span ID a line,
// indented two spaces a level, children in start order (the order of `Trace.nodes`).

/// 2024-05-01T12:00:00Z, the start of every fixture trace.
let fixtureT0: Int64 = 1_714_564_800_000_000_000
let ms: Int64 = 1_000_000

/// Paths and loading for the trace fixtures.
enum TraceFixtures {
    static func path(_ name: String) -> String { TestPaths.fixture("traces/" + name) }

    /// Reads the named fixtures (a name may repeat: the file is then read twice) with
    /// `SpanLoader`, checking that every input was read whole.
    static func load(_ names: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> SpanLoad {
        let (units, problems) = InputDiscovery.discover(names.map(path))
        #expect(problems.isEmpty, "discovery: \(problems)", sourceLocation: sourceLocation)
        #expect(units.count == names.count, sourceLocation: sourceLocation)
        let load = SpanLoader.load(units)
        #expect(load.unreadable.isEmpty, "\(load.unreadable.map(\.errors))", sourceLocation: sourceLocation)
        #expect(load.stats.count == names.count, "inputs read as spans: \(load.stats.map(\.path))", sourceLocation: sourceLocation)
        for s in load.stats {
            #expect(s.skipped == 0, "\(s.path): \(s.errors)", sourceLocation: sourceLocation)
            expectBalanced(s, sourceLocation: sourceLocation)
        }
        return load
    }

    /// The one trace the fixtures hold, and the number of spans read.
    static func trace(_ names: String..., options: TraceAssembler.Options = .init(),
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> (trace: Trace, read: Int) {
        let load = load(names, sourceLocation: sourceLocation)
        let traces = TraceAssembler.assemble(load.spans, options: options)
        try #require(traces.count == 1, "traces: \(traces.map(\.traceID))", sourceLocation: sourceLocation)
        expectWellFormed(traces[0], sourceLocation: sourceLocation)
        return (traces[0], load.spans.count)
    }
}

extension Trace {
    /// The tree as an outline: span IDs indented by depth, in node order.
    var outline: String {
        nodes.map { String(repeating: "  ", count: $0.depth) + $0.span.spanID }.joined(separator: "\n")
    }

    func index(of id: String) -> Int? { nodes.firstIndex { $0.span.spanID == id } }

    func node(_ id: String) -> TraceNode? { index(of: id).map { nodes[$0] } }

    /// The span ID of a node's parent in the tree (nil for a top-level node or an unknown ID).
    func parentID(of id: String) -> String? {
        guard let n = node(id), let p = n.parent else { return nil }
        return nodes[p].span.spanID
    }

    /// Flags of every node that has any, by span ID.
    var flagged: [String: TraceNode.Flags] {
        var out: [String: TraceNode.Flags] = [:]
        for n in nodes where !n.flags.isEmpty { out[n.span.spanID] = n.flags }
        return out
    }

    /// Span IDs of the nodes on the critical path, in node order.
    var criticalIDs: [String] { nodes.filter(\.critical).map(\.span.spanID) }
}

/// Checks what every assembled trace must satisfy: unique span IDs, parent and child
/// links that agree, depths that follow them, depth-first node order with children by
/// start time, roots without parents. Collects problems and reports them once (so a
/// trace of 200,000 spans costs one expectation).
func expectWellFormed(_ t: Trace, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    var problems: [String] = []
    func problem(_ s: @autoclosure () -> String) { if problems.count < 8 { problems.append(s()) } }
    var ids = Set<String>()
    ids.reserveCapacity(t.nodes.count)
    var childLinks = 0
    for (k, n) in t.nodes.enumerated() {
        if !ids.insert(n.span.spanID).inserted { problem("span ID \(n.span.spanID) twice") }
        if let p = n.parent {
            if p >= k { problem("\(n.span.spanID): parent after it in node order") }
            if !t.nodes[p].children.contains(k) { problem("\(n.span.spanID): not among its parent's children") }
            if n.depth != t.nodes[p].depth + 1 { problem("\(n.span.spanID): depth \(n.depth) under depth \(t.nodes[p].depth)") }
        } else {
            if n.depth != 0 { problem("\(n.span.spanID): top level at depth \(n.depth)") }
            if !t.roots.contains(k) { problem("\(n.span.spanID): no parent but not a root") }
        }
        childLinks += n.children.count
        var previous: Int64 = .min
        for (j, c) in n.children.enumerated() {
            if t.nodes[c].parent != k { problem("\(n.span.spanID): child \(t.nodes[c].span.spanID) names another parent") }
            if j == 0 && c != k + 1 { problem("\(n.span.spanID): first child not next in depth-first order") }
            if t.nodes[c].span.start.nanos < previous { problem("\(n.span.spanID): children not in start order") }
            previous = t.nodes[c].span.start.nanos
        }
    }
    if t.roots.count + childLinks != t.nodes.count { problem("\(t.roots.count) roots + \(childLinks) child links != \(t.nodes.count) nodes") }
    if let first = t.roots.first, first != 0 { problem("first root is not the first node") }
    #expect(problems.isEmpty, "trace \(t.traceID): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
}

/// A span built in code, times in milliseconds after `fixtureT0`.
func codeSpan(_ id: String, parent: String? = nil, trace: String = "feedfacefeedface", service: String = "svc",
              kind: Span.Kind = .unspecified, startMs: Int64, endMs: Int64, status: Span.Status = .unset) -> Span {
    Span(traceID: trace, spanID: id, parentID: parent, service: service, operation: "op " + id, kind: kind,
         start: Timestamp(nanos: fixtureT0 + startMs * ms), durationNanos: (endMs - startMs) * ms, status: status)
}

@Suite("Trace assembly")
struct TraceAssemblyTests {
    // MARK: 1. Out of order, split across files and formats

    @Test("spans out of order, half in Zipkin v2 and half in OTLP: one trace, the right tree, no span lost")
    func splitAcrossFormats() throws {
        let load = TraceFixtures.load(["split-zipkin.json", "split-otlp.json"])
        #expect(load.stats.map(\.format) == ["zipkin-v2", "otlp-traces"])
        #expect(load.stats.map(\.parsed) == [4, 4])
        let traces = TraceAssembler.assemble(load.spans)
        try #require(traces.count == 1)
        let t = traces[0]
        expectWellFormed(t)
        let expected = """
            a000000000000001
              a000000000000002
                a000000000000003
                  a000000000000004
                  a000000000000005
              a000000000000006
                a000000000000007
                  a000000000000008
            """
        #expect(t.outline == expected)
        #expect(t.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(t.nodes.map(\.span.service) == ["frontend", "frontend", "cart", "cart", "cart", "frontend", "payment", "payment"])
        #expect(t.nodes.map(\.depth) == [0, 1, 2, 3, 3, 1, 2, 3])
        #expect(t.root?.span.spanID == "a000000000000001")
        #expect(t.roots == [0])
        #expect(t.flagged.isEmpty)
        #expect(t.notes.isEmpty, "\(t.notes)")
        #expect(t.mergedDuplicates == 0)
        #expect(t.services == ["frontend", "cart", "payment"])
        #expect(t.start.nanos == fixtureT0)
        #expect(t.durationNanos == 500 * ms)
        #expect(t.nodes.allSatisfy { $0.skewNanos == 0 })

        // The tree does not depend on the order spans arrive in, nor on which file comes first.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5 {
            let shuffled = TraceAssembler.assemble(load.spans.shuffled(using: &rng))
            #expect(shuffled.count == 1)
            #expect(shuffled.first?.outline == expected)
        }
        let reversed = TraceFixtures.load(["split-otlp.json", "split-zipkin.json"])
        #expect(TraceAssembler.assemble(reversed.spans).map(\.outline) == [expected])
    }

    @Test("a file alone is half a trace: its spans whose parents are in the other file are orphans, none lost")
    func halfATrace() throws {
        let (t, read) = try TraceFixtures.trace("split-zipkin.json")
        #expect(read == 4)
        #expect(t.nodes.count == 4)
        #expect(t.outline == """
            a000000000000002
            a000000000000004
            a000000000000007
              a000000000000008
            """)
        #expect(t.flagged == ["a000000000000002": .orphan, "a000000000000004": .orphan, "a000000000000007": .orphan])
        #expect(t.notes == ["3 spans whose parent is missing hung under the trace root"])
        // No real root: the entry span is the earliest orphan.
        #expect(t.root?.span.spanID == "a000000000000002")
    }

    // MARK: 2. Missing parents

    @Test("missing parents: orphans hang at top level after the real root, flagged, with a note")
    func orphans() throws {
        let (t, read) = try TraceFixtures.trace("orphans.json")
        #expect(read == 5)
        #expect(t.outline == """
            b100000000000001
              b100000000000002
            b100000000000003
              b100000000000004
            b100000000000005
            """)
        #expect(t.flagged == ["b100000000000003": .orphan, "b100000000000005": .orphan])
        #expect(t.notes == ["2 spans whose parent is missing hung under the trace root"])
        #expect(t.hasOrphans)
        // The orphan "handle order" starts 50 ms before the root: the root is still the real one.
        #expect(t.node("b100000000000003")?.span.start.nanos == fixtureT0 - 50 * ms)
        #expect(t.root?.span.spanID == "b100000000000001")
        #expect(t.root?.span.service == "api")
        #expect(t.start.nanos == fixtureT0 - 50 * ms, "the trace's time range covers its orphans")
        #expect(TraceSummary(t).rootOperation == "GET /orders")
        // The critical path starts from the real root, not from an orphan.
        #expect(t.criticalIDs == ["b100000000000001", "b100000000000002"])
        // The orphan's own child is not an orphan: its parent is there.
        #expect(t.parentID(of: "b100000000000004") == "b100000000000003")
    }

    @Test("a trace made only of orphans has the earliest orphan as its root")
    func onlyOrphans() throws {
        let load = TraceFixtures.load(["orphans.json"])
        let spans = load.spans.filter { !["b100000000000001", "b100000000000002"].contains($0.spanID) }
        let traces = TraceAssembler.assemble(spans)
        try #require(traces.count == 1)
        expectWellFormed(traces[0])
        #expect(traces[0].roots.count == 2)
        #expect(traces[0].root?.span.spanID == "b100000000000003")
        #expect(traces[0].nodes.filter(\.critical).map(\.span.spanID) == ["b100000000000003", "b100000000000004"])
    }

    // MARK: 3. Duplicate span IDs

    @Test("the same file read twice: exact duplicates merged and counted; a different span reusing an ID renamed and flagged")
    func duplicates() throws {
        let expected = """
            c000000000000001
              c000000000000002
                c000000000000003
              c000000000000002#2
            """
        let (twice, readTwice) = try TraceFixtures.trace("duplicates.json", "duplicates.json")
        #expect(readTwice == 8)
        #expect(twice.mergedDuplicates == 4)
        #expect(twice.nodes.count + twice.mergedDuplicates == readTwice, "no span lost")
        #expect(twice.outline == expected)
        #expect(twice.flagged == ["c000000000000002#2": .duplicateID])
        #expect(twice.node("c000000000000002")?.span.operation == "query index", "the first keeps its ID")
        #expect(twice.node("c000000000000002#2")?.span.operation == "rank results")
        #expect(twice.parentID(of: "c000000000000003") == "c000000000000002", "children of a reused ID stay under the first")
        #expect(twice.notes.contains("4 spans read twice merged"), "\(twice.notes)")
        #expect(twice.notes.contains("span ID c000000000000002 used twice: the second renamed c000000000000002#2"), "\(twice.notes)")

        let (once, readOnce) = try TraceFixtures.trace("duplicates.json")
        #expect(readOnce == 4)
        #expect(once.mergedDuplicates == 0)
        #expect(once.outline == expected)
        #expect(once.flagged == ["c000000000000002#2": .duplicateID])
        #expect(!once.notes.contains { $0.contains("read twice") })
    }

    @Test("the same span in Zipkin and in OTLP (microseconds and nanoseconds) is one span read twice")
    func duplicateAcrossFormats() throws {
        let zipkin = TraceFixtures.load(["split-zipkin.json"]).spans
        let otlp = TraceFixtures.load(["split-otlp.json"]).spans
        // Span a…07 as OTLP would have exported it: same times, same parent.
        var again = try #require(zipkin.first { $0.spanID == "a000000000000007" })
        again.start = Timestamp(nanos: again.start.nanos, precision: 9)
        again.attributes = []
        let traces = TraceAssembler.assemble(zipkin + otlp + [again])
        try #require(traces.count == 1)
        #expect(traces[0].mergedDuplicates == 1)
        #expect(traces[0].nodes.count == 8)
        #expect(traces[0].flagged.isEmpty)
    }

    @Test("three spans with one ID, none a Zipkin client/server pair: the later two renamed #2 and #3")
    func threeWithOneID() throws {
        let spans = [
            codeSpan("r", startMs: 0, endMs: 100),
            codeSpan("x", parent: "r", startMs: 10, endMs: 20),
            codeSpan("x", parent: "r", startMs: 30, endMs: 40),
            codeSpan("x", parent: "r", startMs: 50, endMs: 60),
        ]
        let t = TraceAssembler.assembleOne(traceID: "feedfacefeedface", spans: spans)
        expectWellFormed(t)
        #expect(t.outline == "r\n  x\n  x#2\n  x#3")
        #expect(t.flagged == ["x#2": .duplicateID, "x#3": .duplicateID])
    }

    // MARK: 4. Zipkin shared span IDs

    @Test("Zipkin client and server sharing one span ID: split, server under client, server-side children moved under it")
    func zipkinShared() throws {
        let (t, read) = try TraceFixtures.trace("zipkin-shared.json")
        #expect(read == 6)
        #expect(t.nodes.count == 6)
        #expect(t.outline == """
            d000000000000001
              d000000000000002
                d000000000000005
                d000000000000002-server
                  d000000000000003
                  d000000000000004
            """)
        let client = try #require(t.node("d000000000000002"))
        let server = try #require(t.node("d000000000000002-server"))
        #expect(client.span.service == "frontend")
        #expect(client.span.kind == .client)
        #expect(client.flags.isEmpty)
        #expect(server.span.service == "backend")
        #expect(server.span.kind == .server)
        #expect(server.span.parentID == "d000000000000002")
        #expect(t.flagged == ["d000000000000002-server": .splitShared])
        // The frontend's own child of the shared ID stays with the client half.
        #expect(t.parentID(of: "d000000000000005") == "d000000000000002")
        #expect(t.notes == ["client and server shared span ID d000000000000002: split in two"])
        #expect(t.services == ["frontend", "backend"])
    }

    @Test("the Zipkin dump read twice: duplicates merged first, then the shared ID split once")
    func zipkinSharedTwice() throws {
        let (t, read) = try TraceFixtures.trace("zipkin-shared.json", "zipkin-shared.json")
        #expect(read == 12)
        #expect(t.mergedDuplicates == 6)
        #expect(t.nodes.count == 6)
        #expect(t.flagged == ["d000000000000002-server": .splitShared])
        #expect(t.parentID(of: "d000000000000003") == "d000000000000002-server")
    }

    @Test("Zipkin v1: one span with cs/sr/ss/cr becomes a client and a server half; the server's call goes under its half")
    func zipkinV1() throws {
        let load = SpanLoader.load(InputDiscovery.discover([TestPaths.fixture("spans/zipkin-v1.json")]).units)
        #expect(load.spans.count == 3)
        let traces = TraceAssembler.assemble(load.spans)
        try #require(traces.count == 1)
        let t = traces[0]
        expectWellFormed(t)
        #expect(t.outline == """
            6b221d5bc9e6496c
              6b221d5bc9e6496c-server
                352bff9a74ca9ad2
            """)
        #expect(t.nodes.map(\.span.service) == ["frontend", "backend", "backend"])
        #expect(t.flagged == ["6b221d5bc9e6496c-server": .splitShared])
        // The server half keeps its own times (sr to ss): it fits in the client, nothing moved.
        #expect(t.nodes[1].span.start.nanos == fixtureT0 + 10 * ms)
        #expect(t.nodes[1].span.durationNanos == 230 * ms)
        #expect(t.nodes.allSatisfy { $0.skewNanos == 0 })
    }

    // MARK: 5. Clock skew

    @Test("clock skew: a server child outside its client parent is centred in it with its subtree, flagged and noted")
    func clockSkew() throws {
        let (t, _) = try TraceFixtures.trace("clock-skew.json")
        let expectedTree = """
            e000000000000001
              e000000000000002
                e000000000000003
                  e000000000000004
              e000000000000005
                e000000000000006
              e000000000000007
                e000000000000008
              e000000000000009
                e00000000000000a
              e00000000000000b
            """
        #expect(t.outline == expectedTree)
        #expect(t.flagged == ["e000000000000003": .skewAdjusted, "e000000000000006": .skewAdjusted])

        func start(_ id: String) -> Int64? { t.node(id).map { ($0.span.start.nanos - fixtureT0) / ms } }
        func skew(_ id: String) -> Int64? { t.node(id)?.skewNanos }
        // inventory started 150 ms before its client (200 ms long) and took 100 ms: centred at 100 + 50.
        #expect(start("e000000000000003") == 150)
        #expect(skew("e000000000000003") == 200 * ms)
        // Its child moves with it (and is not itself flagged).
        #expect(start("e000000000000004") == 160)
        #expect(skew("e000000000000004") == 200 * ms)
        // pricing ended 100 ms after its client [400, 600] and took 150 ms: centred at 400 + 25.
        #expect(start("e000000000000006") == 425)
        #expect(skew("e000000000000006") == -125 * ms)
        // Not shifted: a child longer than its parent, an asynchronous consumer, a same-service child.
        #expect(start("e000000000000008") == 640)
        #expect(start("e00000000000000a") == 690)
        #expect(start("e00000000000000b") == 950)
        for id in ["e000000000000001", "e000000000000002", "e000000000000005", "e000000000000007", "e000000000000008",
                   "e000000000000009", "e00000000000000a", "e00000000000000b"] {
            #expect(skew(id) == 0, "\(id)")
        }
        // Durations never change.
        #expect(t.node("e000000000000003")?.span.durationNanos == 100 * ms)
        #expect(t.node("e000000000000006")?.span.durationNanos == 150 * ms)
        // Said so, once a shifted span.
        #expect(t.notes.count == 2, "\(t.notes)")
        #expect(t.notes.allSatisfy { $0.contains("clock skew") })
        #expect(t.notes.contains { $0.hasPrefix("inventory GET /inventory moved 200 ms to fit its parent in web") }, "\(t.notes)")
        #expect(t.notes.contains { $0.hasPrefix("pricing GET /pricing moved -125 ms to fit its parent in web") }, "\(t.notes)")

        // Switched off: times as written, nothing flagged or noted.
        var off = TraceAssembler.Options()
        off.adjustClockSkew = false
        let (raw, _) = try TraceFixtures.trace("clock-skew.json", options: off)
        #expect(raw.outline == expectedTree)
        #expect(raw.flagged.isEmpty)
        #expect(raw.notes.isEmpty, "\(raw.notes)")
        #expect(raw.nodes.allSatisfy { $0.skewNanos == 0 })
        #expect(raw.node("e000000000000003").map { ($0.span.start.nanos - fixtureT0) / ms } == -50)
        #expect(raw.node("e000000000000006").map { ($0.span.start.nanos - fixtureT0) / ms } == 550)
    }

    @Test("a FOLLOWS_FROM or producer/consumer child is never shifted; shifts add up down a chain of services")
    func skewRules() throws {
        // web client [0, 100] → api server starting 1 s early (20 ms long) → db server in a third
        // service, itself outside the api span as the api host's clock sees it.
        let spans = [
            codeSpan("c", service: "web", kind: .client, startMs: 0, endMs: 100),
            codeSpan("s", parent: "c", service: "api", kind: .server, startMs: -1000, endMs: -980),
            codeSpan("a", parent: "s", service: "api", kind: .client, startMs: -995, endMs: -985),
            codeSpan("d", parent: "a", service: "db", kind: .server, startMs: -2000, endMs: -1996),
            // A consumer child of the client, from another service, far away: asynchronous, left alone.
            codeSpan("q", parent: "c", service: "queue", kind: .consumer, startMs: 5000, endMs: 5010),
        ]
        let t = TraceAssembler.assembleOne(traceID: "feedfacefeedface", spans: spans)
        expectWellFormed(t)
        func start(_ id: String) -> Int64? { t.node(id).map { ($0.span.start.nanos - fixtureT0) / ms } }
        #expect(start("s") == 40)  // (100 - 20) / 2
        #expect(start("a") == 45)  // moved with s
        #expect(start("d") == 48)  // centred in a [45, 55]: 45 + (10 - 4) / 2
        #expect(t.node("d")?.skewNanos == (48 + 2000) * ms)
        #expect(t.flagged == ["s": .skewAdjusted, "d": .skewAdjusted])
        #expect(start("q") == 5000)
    }

    // MARK: 6. Cycles

    @Test("a cycle of three parent links and a span its own parent: cut, flagged, every span kept")
    func cycles() throws {
        let (t, read) = try TraceFixtures.trace("cycles.json")
        #expect(read == 7)
        #expect(t.nodes.count == 7)
        // The cycle a → c → b → a is cut above its earliest span, b.
        #expect(t.outline == """
            f000000000000001
              f00000000000000f
            f00000000000000b
              f00000000000000c
                f00000000000000a
                  f00000000000000d
            f00000000000000e
            """)
        #expect(t.flagged == ["f00000000000000b": .cycleBroken, "f00000000000000e": .cycleBroken])
        #expect(t.notes.contains("parent links formed a cycle of 3 spans: cut above f00000000000000b"), "\(t.notes)")
        #expect(t.notes.contains("span f00000000000000e named itself as parent: link cut"), "\(t.notes)")
        #expect(t.root?.span.spanID == "f000000000000001")
    }

    @Test("cycles with no root at all, and a two-span cycle: every span kept, each cycle cut once")
    func rootlessCycles() throws {
        let spans = [
            codeSpan("p", parent: "q", startMs: 10, endMs: 20),
            codeSpan("q", parent: "p", startMs: 5, endMs: 30),
            codeSpan("x", parent: "z", startMs: 100, endMs: 110),
            codeSpan("y", parent: "x", startMs: 101, endMs: 109),
            codeSpan("z", parent: "y", startMs: 102, endMs: 108),
        ]
        let t = TraceAssembler.assembleOne(traceID: "feedfacefeedface", spans: spans)
        expectWellFormed(t)
        #expect(t.nodes.count == 5)
        #expect(t.outline == "q\n  p\nx\n  y\n    z")
        #expect(t.flagged == ["q": .cycleBroken, "x": .cycleBroken])
        #expect(t.notes.filter { $0.contains("cycle") }.count == 2)
        #expect(t.root?.span.spanID == "q")
    }

    @Test("a cycle that starts before the real root does not take the root's place")
    func cycleBeforeRoot() throws {
        let spans = [
            codeSpan("root", service: "api", kind: .server, startMs: 0, endMs: 100),
            codeSpan("child", parent: "root", service: "api", startMs: 10, endMs: 90),
            codeSpan("m", parent: "n", service: "worker", startMs: -30, endMs: -20),
            codeSpan("n", parent: "m", service: "worker", startMs: -25, endMs: -21),
        ]
        let t = TraceAssembler.assembleOne(traceID: "feedfacefeedface", spans: spans)
        expectWellFormed(t)
        #expect(t.flagged == ["m": .cycleBroken])
        #expect(t.root?.span.spanID == "root")
        #expect(TraceSummary(t).rootService == "api")
        #expect(t.criticalIDs == ["root", "child"])
    }

    // MARK: 7. Links

    @Test("Jaeger FOLLOWS_FROM references stay links, whatever their place among the references")
    func jaegerFollowsFrom() throws {
        let (t, _) = try TraceFixtures.trace("jaeger-links.json")
        let tid = "8a1b2c3d4e5f60718293a4b5c6d7e8f9"
        #expect(t.outline == """
            1000000000000001
              1000000000000002
              1000000000000004
              1000000000000005
            1000000000000003
            """)
        // Only a FOLLOWS_FROM reference: a top-level span of its own, not an orphan.
        let confirm = try #require(t.node("1000000000000003"))
        #expect(confirm.span.parentID == nil)
        #expect(confirm.span.links == [Span.Reference(type: .followsFrom, traceID: tid, spanID: "1000000000000001")])
        #expect(confirm.flags.isEmpty)
        // FOLLOWS_FROM listed before CHILD_OF: the CHILD_OF one is the parent.
        let audit = try #require(t.node("1000000000000004"))
        #expect(audit.span.parentID == "1000000000000001")
        #expect(audit.span.links == [Span.Reference(type: .followsFrom, traceID: tid, spanID: "1000000000000002")])
        // A FOLLOWS_FROM into another trace keeps that trace's ID.
        let charge = try #require(t.node("1000000000000005"))
        #expect(charge.span.parentID == "1000000000000001")
        #expect(charge.span.links == [Span.Reference(type: .followsFrom, traceID: "0123456789abcdef0123456789abcdef", spanID: "00000000000000ab")])
        #expect(t.node("1000000000000001")?.span.links.isEmpty == true)
        #expect(t.root?.span.spanID == "1000000000000001")
        #expect(t.flagged.isEmpty)
        #expect(t.notes.isEmpty, "\(t.notes)")
    }

    @Test("OTLP links stay links of type LINK, inside the trace and to other traces; only parentSpanId makes a parent")
    func otlpLinks() throws {
        let (t, _) = try TraceFixtures.trace("otlp-links.json")
        let tid = "9b7c6d5e4f30211203f4e5d6c7b8a990"
        #expect(t.outline == """
            2000000000000001
              2000000000000002
            2000000000000003
              2000000000000004
            """)
        let batch = try #require(t.node("2000000000000003"))
        #expect(batch.span.parentID == nil)
        #expect(batch.flags.isEmpty)
        #expect(batch.span.links == [
            Span.Reference(type: .link, traceID: tid, spanID: "2000000000000002"),
            Span.Reference(type: .link, traceID: "11111111111111112222222222222222", spanID: "3333333333333333"),
        ])
        #expect(t.node("2000000000000004")?.span.links == [Span.Reference(type: .link, traceID: tid, spanID: "2000000000000001")])
        #expect(t.parentID(of: "2000000000000004") == "2000000000000003")
        #expect(t.root?.span.spanID == "2000000000000001")
    }

    // MARK: 8. Self time and critical path

    @Test("self time (children's union, clipped) and Jaeger's critical path on parallel and sequential children")
    func selfTimeAndCriticalPath() throws {
        let (t, _) = try TraceFixtures.trace("critical-path.json")
        // A [0,100] ─ B [5,35] ─ H [30,40] (runs past B's end)
        //           ─ D [20,30] (in parallel with B)
        //           ─ C [40,95] ─ E [45,70]
        //                       ─ F [50,90] ─ J [50,70], K [70,90] (one after the other)
        //                       ─ G [72,80]
        #expect(t.outline == """
            300000000000000a
              300000000000000b
                3000000000000011
              300000000000000d
              300000000000000c
                300000000000000e
                300000000000000f
                  3000000000000012
                  3000000000000013
                3000000000000010
            """)
        let selfMs = Dictionary(uniqueKeysWithValues: t.nodes.map { ($0.span.spanID, $0.selfNanos) })
        #expect(selfMs == [
            "300000000000000a": 15 * ms,  // 100 − ([5,35] ∪ [20,30] ∪ [40,95])
            "300000000000000b": 25 * ms,  // 30 − H clipped to [30,35]
            "3000000000000011": 10 * ms,
            "300000000000000d": 10 * ms,
            "300000000000000c": 10 * ms,  // 55 − [45,90]
            "300000000000000e": 25 * ms,
            "300000000000000f": 0,        // J and K cover it
            "3000000000000012": 20 * ms,
            "3000000000000013": 20 * ms,
            "3000000000000010": 8 * ms,
        ])
        // From A's end: C finished last; under C, F; under F, K then J (which ended as K began).
        // Back in C at F's start (50): E and G were still running then, so they did not hold C up.
        // Back in A at C's start (40): B ended before it; under B, H (clipped). D ended after B began.
        #expect(t.criticalIDs == ["300000000000000a", "300000000000000b", "3000000000000011", "300000000000000c",
                                  "300000000000000f", "3000000000000012", "3000000000000013"])
        #expect(t.durationNanos == 100 * ms)
    }

    @Test("critical path: an asynchronous child that began before its parent and ran past it is not on the path")
    func criticalPathSkipsAsync() throws {
        let spans = [
            codeSpan("r", startMs: 0, endMs: 100),
            codeSpan("w", parent: "r", startMs: 10, endMs: 60),
            codeSpan("late", parent: "w", service: "other", kind: .consumer, startMs: 5, endMs: 300),
            codeSpan("x", parent: "w", startMs: 20, endMs: 50),
        ]
        let t = TraceAssembler.assembleOne(traceID: "feedfacefeedface", spans: spans)
        expectWellFormed(t)
        #expect(t.criticalIDs == ["r", "w", "x"])
    }

    // MARK: 9. Where it failed

    @Test("FailureSummary names the error raised deepest (earliest first), with its reason and the dependency it called")
    func failureSummary() throws {
        let (t, _) = try TraceFixtures.trace("failure.json")
        // gateway POST /checkout ✗ ─ POST /pay ✗ ─ payment POST /pay ✗ ─ SELECT payments ✗ (ends at 600 ms)
        //                                                             ─ retry backoff ✓
        //                        ─ GET /cache ✗ (ends at 890 ms)
        let f = try #require(FailureSummary.of(t))
        #expect(t.nodes[f.node].span.spanID == "4000000000000004")
        #expect(f.service == "payment")
        #expect(f.operation == "SELECT payments")
        #expect(f.reason == "connection refused", "from the exception event")
        #expect(f.peer == "payments", "db.name of a client span to an uninstrumented database")
        #expect(f.afterNanos == 600 * ms)
        #expect(f.sentence == "failed in payment SELECT payments (calling payments) after 600 ms: connection refused")
        // The other error raised here: its reason from error tags, its peer from peer.service.
        let cache = try #require(t.node("4000000000000006")?.span)
        #expect(FailureSummary.errorReason(cache) == "timeout after 80ms")
        #expect(FailureSummary.peerName(cache) == "memcached")
        #expect(FailureSummary.errorReason(try #require(t.root?.span)) == "upstream failed", "status message first")
    }

    @Test("FailureSummary on Zipkin (error tag, remoteEndpoint) and Jaeger (error tag, error log event)")
    func failureSummaryOtherFormats() throws {
        let (zipkin, _) = try TraceFixtures.trace("zipkin-shared.json")
        let z = try #require(FailureSummary.of(zipkin))
        #expect(zipkin.nodes[z.node].span.spanID == "d000000000000003")
        #expect(z.service == "backend")
        #expect(z.peer == "mysql-orders", "Zipkin remoteEndpoint.serviceName")
        #expect(z.reason == "Deadlock found when trying to get lock")
        #expect(z.afterNanos == 60 * ms)

        let load = SpanLoader.load(InputDiscovery.discover([TestPaths.fixture("spans/jaeger-follows-from.json")]).units)
        let jaeger = try #require(TraceAssembler.assemble(load.spans).first)
        let j = try #require(FailureSummary.of(jaeger))
        #expect(j.operation == "reserve-stock")
        #expect(j.reason == "out of stock", "the message of the error log event")
        #expect(j.peer == nil, "a client span naming no peer")
        #expect(j.sentence == "failed in orders reserve-stock after 50 ms: out of stock")
    }

    @Test("error reasons in order: status message, error attributes, exception events, error tag, HTTP status; none without errors")
    func errorReasons() throws {
        var s = codeSpan("x", kind: .client, startMs: 0, endMs: 10, status: .error)
        #expect(FailureSummary.errorReason(s) == "")
        s.attributes = [.init("http.status_code", "503")]
        #expect(FailureSummary.errorReason(s) == "HTTP 503")
        s.attributes.append(.init("error", "true"))
        #expect(FailureSummary.errorReason(s) == "HTTP 503", "error=true says nothing")
        s.attributes.append(.init("error", "connection reset"))
        s.attributes.removeAll { $0.value == "true" }
        #expect(FailureSummary.errorReason(s) == "connection reset")
        s.events = [Span.Event(time: s.start, name: "log", attributes: [.init("event", "error"), .init("message", "boom")])]
        #expect(FailureSummary.errorReason(s) == "boom")
        s.attributes.append(.init("exception.type", "IOError"))
        #expect(FailureSummary.errorReason(s) == "IOError")
        s.attributes.append(.init("error.message", "disk full"))
        #expect(FailureSummary.errorReason(s) == "disk full")
        s.statusMessage = "deadline exceeded"
        #expect(FailureSummary.errorReason(s) == "deadline exceeded")

        // Peer names, as callers name uninstrumented dependencies.
        var c = codeSpan("c", kind: .client, startMs: 0, endMs: 1)
        #expect(FailureSummary.peerName(c) == nil)
        c.attributes = [.init("server.address", "api.example.com")]
        #expect(FailureSummary.peerName(c) == "api.example.com")
        c.attributes.append(.init("db.system", "postgresql"))
        #expect(FailureSummary.peerName(c) == "postgresql")
        c.attributes.append(.init("peer.service", "billing-db"))
        #expect(FailureSummary.peerName(c) == "billing-db")
        c.remoteService = "zipkin-remote"
        #expect(FailureSummary.peerName(c) == "zipkin-remote")

        let (ok, _) = try TraceFixtures.trace("split-otlp.json", "split-zipkin.json")
        #expect(FailureSummary.of(ok) == nil)
    }

    @Test("analyzeTiming off (trace listing): no self time, no critical path, the same tree")
    func timingOff() throws {
        var options = TraceAssembler.Options()
        options.analyzeTiming = false
        let (t, _) = try TraceFixtures.trace("critical-path.json", options: options)
        let (full, _) = try TraceFixtures.trace("critical-path.json")
        #expect(t.outline == full.outline)
        #expect(t.nodes.allSatisfy { $0.selfNanos == 0 && !$0.critical })
        #expect(TraceSummary(t).durationNanos == TraceSummary(full).durationNanos)
    }

    // MARK: 11. Hostile inputs

    @Test("a chain of 100,000 spans, each the parent of the next, given last first: no stack overflow, depths right, all critical",
          .timeLimit(.minutes(2)))
    func longChain() throws {
        let n = 100_000
        var spans: [Span] = []
        spans.reserveCapacity(n)
        // Span i runs [i, 2n − i] µs: each one just inside its parent, 2 µs of its own.
        for i in stride(from: n - 1, through: 0, by: -1) {
            spans.append(Span(traceID: "c4a1c4a1c4a1c4a1", spanID: String(i + 1),
                              parentID: i == 0 ? nil : String(i), service: i % 2 == 0 ? "a" : "b",
                              operation: "step", start: Timestamp(nanos: fixtureT0 + Int64(i) * 1000),
                              durationNanos: Int64(2 * n - 2 * i) * 1000))
        }
        let traces = TraceAssembler.assemble(spans)
        try #require(traces.count == 1)
        let t = traces[0]
        #expect(t.nodes.count == n)
        expectWellFormed(t)
        #expect(t.roots == [0])
        #expect(t.nodes.last?.depth == n - 1)
        #expect(t.nodes.enumerated().allSatisfy { $0.element.depth == $0.offset })
        #expect(t.nodes.allSatisfy { $0.critical })
        #expect(t.nodes.allSatisfy { $0.selfNanos == 2000 })
        #expect(t.flagged.isEmpty)
        #expect(t.notes.isEmpty)
    }

    @Test("200,000 spans with random parents (cycles, self-parents, missing parents) finish with every span placed",
          .timeLimit(.minutes(2)))
    func randomParents() throws {
        let n = 200_000
        var rng = SplitMix64(seed: 42)
        var spans: [Span] = []
        spans.reserveCapacity(n)
        let services = ["a", "b", "c"]
        let kinds: [Span.Kind] = [.client, .server, .unspecified, .consumer]
        for i in 0..<n {
            // Mostly an earlier span; sometimes any span (cycles, itself) or one that is not there.
            let r = Int.random(in: 0..<100, using: &rng)
            let parent: String?
            if i == 0 || r < 2 { parent = nil }
            else if r < 4 { parent = "missing\(r)" }
            else if r < 10 { parent = String(Int.random(in: 0..<n, using: &rng)) }
            else { parent = String(Int.random(in: 0..<i, using: &rng)) }
            spans.append(Span(traceID: "4a4d4a4d4a4d4a4d", spanID: String(i), parentID: parent,
                              service: services[Int.random(in: 0..<3, using: &rng)], operation: "op",
                              kind: kinds[Int.random(in: 0..<4, using: &rng)],
                              start: Timestamp(nanos: fixtureT0 + Int64.random(in: 0..<1_000_000_000, using: &rng)),
                              durationNanos: Int64.random(in: 0..<100_000_000, using: &rng)))
        }
        // Certain cycles besides the random ones: a span its own parent, and 10 → 12 → 11 → 10.
        spans[5].parentID = "5"
        spans[10].parentID = "12"
        spans[11].parentID = "10"
        spans[12].parentID = "11"
        let traces = TraceAssembler.assemble(spans)
        try #require(traces.count == 1)
        let t = traces[0]
        #expect(t.nodes.count == n, "every span placed")
        expectWellFormed(t)
        #expect(t.nodes.contains { $0.flags.contains(.cycleBroken) })
        #expect(t.nodes.contains { $0.flags.contains(.orphan) })
        #expect(t.nodes.filter(\.critical).count >= 1)
        #expect(t.nodes.allSatisfy { $0.selfNanos >= 0 && $0.selfNanos <= $0.span.durationNanos })
    }

    @Test("many traces (assembled in parallel) come out ordered by start, none lost or mixed", .timeLimit(.minutes(1)))
    func manyTraces() throws {
        var spans: [Span] = []
        let count = 500
        // Interleaved: span k of every trace, then span k + 1 of every trace.
        for k in 0..<4 {
            for i in 0..<count {
                let trace = "t\(i)"
                let start = Int64((i * 7919) % count) * 10  // starts in a scrambled order
                spans.append(codeSpan("s\(k)", parent: k == 0 ? nil : "s\(k - 1)", trace: trace,
                                      startMs: start + Int64(k), endMs: start + 100 - Int64(k)))
            }
        }
        let traces = TraceAssembler.assemble(spans)
        #expect(traces.count == count)
        #expect(traces.allSatisfy { $0.outline == "s0\n  s1\n    s2\n      s3" })
        #expect(Set(traces.map(\.traceID)).count == count)
        #expect(zip(traces, traces.dropFirst()).allSatisfy { $0.start <= $1.start })
        #expect(traces.allSatisfy { t in t.nodes.allSatisfy { $0.span.traceID == t.traceID } })
    }

    @Test("spans without a timestamp (Zipkin halves that arrived alone) take their parent's start")
    func untimed() throws {
        var late = codeSpan("s", parent: "c", service: "api", kind: .server, startMs: 0, endMs: 0)
        late.start = Timestamp(nanos: 0)
        late.durationNanos = 0
        let spans = [codeSpan("c", service: "web", kind: .client, startMs: 10, endMs: 50), late]
        let t = TraceAssembler.assembleOne(traceID: "feedfacefeedface", spans: spans)
        expectWellFormed(t)
        #expect(t.node("s")?.span.start.nanos == fixtureT0 + 10 * ms)
        #expect(t.start.nanos == fixtureT0 + 10 * ms)
        #expect(t.notes.contains("1 span without a timestamp placed at its parent's start"), "\(t.notes)")
    }
}

@Suite("Trace assembly on real exporter files", .enabled(if: TestPaths.hasSharedFormats, "../shared/formats is absent"))
struct RealTraceAssemblyTests {
    @Test("every real span dump assembles with no span lost", arguments: sharedFiles(under: "spans"))
    func noSpanLost(file: String) throws {
        let read = try readSpans(TestPaths.shared(file))
        #expect(!read.spans.isEmpty)
        let traces = TraceAssembler.assemble(read.spans)
        #expect(traces.reduce(0) { $0 + $1.nodes.count + $1.mergedDuplicates } == read.spans.count,
                "\(file): \(traces.map { ($0.traceID, $0.nodes.count, $0.mergedDuplicates) })")
        for t in traces {
            expectWellFormed(t)
            let root = try #require(t.rootIndex)
            #expect(t.nodes[root].critical, "\(file): the critical path starts at the root")
            #expect(t.nodes.allSatisfy { $0.selfNanos >= 0 && $0.selfNanos <= $0.span.durationNanos })
        }
    }

    @Test("zipkin/skew.json (from zipkin-lens): the shared span is split and the server half moved into its client")
    func zipkinSkew() throws {
        let read = try readSpans(TestPaths.shared("spans/zipkin/skew.json"))
        let traces = TraceAssembler.assemble(read.spans)
        try #require(traces.count == 1)
        let t = traces[0]
        expectWellFormed(t)
        #expect(t.outline == """
            bf396325699c84bf
              74280ae0c10d8062
                74280ae0c10d8062-server
                  43210ae0c10d1234
            """)
        #expect(t.flagged == ["74280ae0c10d8062-server": [.splitShared, .skewAdjusted]])
        // The server half (93 577 µs) is centred in the client half (94 539 µs): 481 µs after its start.
        let server = try #require(t.node("74280ae0c10d8062-server"))
        #expect(server.span.start.nanos == 1_470_150_004_074_683_000)
        #expect(server.skewNanos == 65_922_000)
        #expect(server.span.service == "serviceb")
        // Its child ("async", same service) moves with it.
        #expect(t.node("43210ae0c10d1234")?.skewNanos == 65_922_000)
        #expect(t.node("43210ae0c10d1234")?.span.start.nanos == 1_470_150_004_074_684_000)
        #expect(t.notes.contains("client and server shared span ID 74280ae0c10d8062: split in two"), "\(t.notes)")
        #expect(t.notes.contains { $0.hasPrefix("serviceb post moved 65.9 ms") && $0.contains("clock skew") }, "\(t.notes)")
        #expect(t.root?.span.service == "servicea")
    }
}
