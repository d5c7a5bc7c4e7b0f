import Foundation
import Testing
@testable import InquestCore

@Suite("Log correlation")
struct LogCorrelationTests {
    /// One line a joined record: "message → span ID (join)".
    static func placed(_ t: Trace, _ logs: [CorrelatedLog]) -> [String] {
        logs.map { "\($0.record.message) → \(t.nodes[$0.node].span.spanID) (\($0.join.rawValue))" }
    }

    static func units(_ name: String) -> [InputUnit] {
        let (units, problems) = InputDiscovery.discover([TraceFixtures.path(name)])
        #expect(problems.isEmpty)
        return units
    }

    @Test("records go under their span by span ID, else by trace ID under the service's span at that time, else by time for services that never log IDs")
    func joins() throws {
        // frontend GET /checkout [0,500] ─ POST /cart [10,210] ─ cart POST /cart [20,200] ─ redis get [30,60]
        //                                                                                ─ compute price [70,150]
        //                                ─ POST /payment [220,480] ─ payment POST /charge [230,470] ─ validate card [240,260]
        let (t, _) = try TraceFixtures.trace("split-zipkin.json", "split-otlp.json")
        let (logs, stats) = LogCorrelation.correlate(t, logUnits: Self.units("logs/checkout.jsonl"))
        #expect(Self.placed(t, logs) == [
            // The trace ID from a service with no span: under the root.
            "proxied GET /checkout → a000000000000001 (trace_id)",
            // A span ID not in the dump: by service and time instead.
            "span not exported → a000000000000001 (trace_id)",
            "calling cart → a000000000000002 (span_id)",
            // cart's deepest span running at 40 ms, then at 100 ms.
            "cache lookup → a000000000000004 (trace_id)",
            "pricing 3 items → a000000000000005 (trace_id)",
            // A 64-bit trace ID logged for a 128-bit trace: the low half matches.
            "64-bit trace id → a000000000000005 (span_id)",
            "upper-case ids → a000000000000006 (span_id)",
            // payment never logs IDs: by time, under its deepest span then, marked as such.
            "card check slow → a000000000000008 (time)",
            // After every cart span (and the slack for lines written at the end): cart's first span.
            "late line, trace id only → a000000000000003 (trace_id)",
        ])
        // Left out: frontend's line without IDs (frontend logs IDs), the other trace's line,
        // a service not in the trace, and payment's line long after its spans.
        try #require(stats.count == 1)
        #expect(stats[0].parsed == 13)
        #expect(stats[0].skipped == 0)
    }

    @Test("the server's lines carrying a Zipkin span ID shared with its client go under the server half")
    func sharedSpanID() throws {
        let (t, _) = try TraceFixtures.trace("zipkin-shared.json")
        let (logs, _) = LogCorrelation.correlate(t, logUnits: Self.units("logs/shared.jsonl"))
        #expect(Self.placed(t, logs) == [
            "sending request → d000000000000002 (span_id)",
            "query failed: deadlock → d000000000000002-server (span_id)",
        ])
    }

    @Test("IDs of 64 and 128 bits match on the low half, and only when both are at least 64 bits")
    func sameTrace() {
        #expect(LogCorrelation.sameTrace("4bf92f3577b34da6a3ce929d0e0e4736", "a3ce929d0e0e4736"))
        #expect(LogCorrelation.sameTrace("a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"))
        #expect(LogCorrelation.sameTrace("a3ce929d0e0e4736", "a3ce929d0e0e4736"))
        #expect(!LogCorrelation.sameTrace("4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6"))
        #expect(!LogCorrelation.sameTrace("e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"), "a short ID is no suffix match")
        #expect(!LogCorrelation.sameTrace("b3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"))
    }

    @Test("a plain-text service whose lines name other traces joins none of them")
    func otherTracesInText() throws {
        let (t, _) = try TraceFixtures.trace("split-zipkin.json", "split-otlp.json")
        let dir = try TempDirectory()
        // payment's spans: POST /charge [230, 470] ms, validate card [240, 260] ms.
        let path = try dir.write("payment.log", """
            2024-05-01 12:00:00.240 ERROR [payment] trace=11112222333344445555666677778888 - null pointer in handler
            2024-05-01 12:00:00.250 INFO [payment] trace=99990000aaaabbbbccccddddeeeeffff - charge accepted
            2024-05-01 12:00:00.255 INFO [payment,2222333344445555666677778888aaaa,b000000000000001] - other request
            2024-05-01 12:00:00.256 INFO [payment] spanId=b000000000000002 - a span of no span here
            2024-05-01 12:00:00.258 INFO [payment] nothing to say
            2024-05-01 12:00:00.300 WARN [payment] traceId=4bf92f3577b34da6a3ce929d0e0e4736 - retrying card

            """)
        let (units, _) = InputDiscovery.discover([path])
        let (logs, _) = LogCorrelation.correlate(t, logUnits: units)
        // The line without IDs is not joined either: payment writes IDs.
        #expect(Self.placed(t, logs) == ["[payment] traceId=4bf92f3577b34da6a3ce929d0e0e4736 - retrying card → a000000000000007 (trace_id)"])
    }

    @Test("the time join takes ID-less lines inside a span of their service only, and can be turned off")
    func timeJoinInsideTheSpan() throws {
        let (t, _) = try TraceFixtures.trace("split-zipkin.json", "split-otlp.json")
        let dir = try TempDirectory()
        let path = try dir.write("payment.log", """
            2024-05-01 12:00:00.225 INFO [payment] before the charge span
            2024-05-01 12:00:00.250 INFO [payment] validating
            2024-05-01 12:00:00.300 INFO [payment] charging
            2024-05-01 12:00:00.475 INFO [payment] just after the charge span
            2024-05-01 12:00:00.900 INFO [payment] long after

            """)
        let (units, _) = InputDiscovery.discover([path])
        let (logs, _) = LogCorrelation.correlate(t, logUnits: units)
        #expect(Self.placed(t, logs) == [
            "[payment] validating → a000000000000008 (time)",
            "[payment] charging → a000000000000007 (time)",
        ])
        #expect(LogCorrelation.correlate(t, logUnits: units, timeJoin: false).logs.isEmpty)
    }

    @Test("the time join reads a span's interval on its own host's clock, before the skew shift")
    func timeJoinWithClockSkew() throws {
        // inventory's server span was recorded at [-50, 50] ms on its host's clock (db lookup
        // [-40, 20]) and moved +200 ms to fit its client: the host's lines keep its clock.
        let (t, _) = try TraceFixtures.trace("clock-skew.json")
        let dir = try TempDirectory()
        let path = try dir.write("inventory.log", """
            2024-05-01 11:59:59.970 INFO looking up stock
            2024-05-01 12:00:00.040 INFO stock found
            2024-05-01 12:00:00.180 INFO inside the shifted span only

            """)
        let (units, _) = InputDiscovery.discover([path])
        let (logs, _) = LogCorrelation.correlate(t, logUnits: units)
        #expect(Self.placed(t, logs) == [
            "looking up stock → e000000000000004 (time)",
            "stock found → e000000000000003 (time)",
        ])
    }

    @Test("no log inputs: nothing joined")
    func noLogs() throws {
        let (t, _) = try TraceFixtures.trace("orphans.json")
        let (logs, stats) = LogCorrelation.correlate(t, logUnits: [])
        #expect(logs.isEmpty)
        #expect(stats.isEmpty)
    }
}
