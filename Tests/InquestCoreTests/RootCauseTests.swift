import Testing
@testable import InquestCore

/// The blame rules of `RootCause` on small hand-built incidents.
@Suite("Root cause")
struct RootCauseTests {
    /// A request: gateway → checkout → payment (→ an uninstrumented peer), with options.
    func request(_ n: Int, paymentFails: Bool = false, peerFails: Bool = false, paymentSlow: Bool = false,
                 callerTimesOut: Bool = false, noise404: Bool = false) -> [Span] {
        let t = String(format: "%032x", n + 1)
        let t0 = Int64(1_700_000_000) * 1_000_000_000 + Int64(n) * 10_000_000_000
        let ms: Int64 = 1_000_000
        let payDur = paymentSlow ? 3_000 * ms : 50 * ms
        func span(_ id: String, _ parent: String?, _ svc: String, _ op: String, _ kind: Span.Kind, _ start: Int64, _ dur: Int64, error: Bool = false,
                  attrs: [LogRecord.Field] = []) -> Span {
            Span(traceID: t, spanID: id, parentID: parent, service: svc, operation: op, kind: kind, start: Timestamp(nanos: t0 + start),
                 durationNanos: dur, status: error ? .error : .unset, attributes: attrs)
        }
        let failed = paymentFails || peerFails || callerTimesOut
        var spans = [
            span("01", nil, "gateway", "POST /checkout", .server, 0, payDur + 20 * ms, error: failed),
            span("02", "01", "checkout", "POST /checkout", .server, 1 * ms, payDur + 15 * ms, error: failed),
            span("03", "02", "checkout", "POST /charge", .client, 2 * ms, payDur + 10 * ms, error: failed),
            span("04", "03", "payment", "POST /charge", .server, 3 * ms, payDur + 5 * ms, error: paymentFails || peerFails),
            span("05", "04", "payment", "POST /v1/charges", .client, 4 * ms, payDur, error: peerFails,
                 attrs: [LogRecord.Field("peer.service", "stripe-api")]),
        ]
        if noise404 {
            spans.append(span("06", "02", "checkout", "GET /stock", .client, 1 * ms, 2 * ms, error: true))
            spans.append(span("07", "06", "inventory", "GET /stock", .server, 1 * ms, 1 * ms, error: true))
        }
        return spans
    }

    @Test func anErrorSwallowedByAHealthyCallerIsNotBlamed() {
        // During the incident every failed request also has a concurrent error in another
        // service that its caller swallowed (a fallback): it never reached the entry span.
        var spans: [Span] = []
        for i in 0..<40 { spans += request(i) }
        for i in 40..<60 {
            var r = request(i, paymentFails: true)
            let t = r[0].traceID, t0 = r[0].start.nanos
            r.append(Span(traceID: t, spanID: "08", parentID: "01", service: "gateway", operation: "GET /recommend", kind: .client,
                          start: Timestamp(nanos: t0 + 1_000_000), durationNanos: 5_000_000, status: .unset))
            r.append(Span(traceID: t, spanID: "09", parentID: "08", service: "recommend", operation: "GET /recommend", kind: .server,
                          start: Timestamp(nanos: t0 + 2_000_000), durationNanos: 3_000_000, status: .error))
            spans += r
        }
        let result = RootCause.analyze(TraceAssembler.assemble(spans))
        #expect(result.failed == 20)
        #expect(result.candidates.first?.service == "payment")
        #expect(!result.candidates.contains { $0.service == "recommend" })
    }

    @Test func errorRaisedDeepIsBlamedNotTheCallers() {
        var spans: [Span] = []
        for i in 0..<40 { spans += request(i, noise404: i % 4 == 0) }
        for i in 40..<50 { spans += request(i, peerFails: true, noise404: i % 4 == 0) }
        let r = RootCause.analyze(TraceAssembler.assemble(spans))
        #expect(r.failed == 10)
        let top = r.candidates.first
        #expect(top?.service == "stripe-api")
        #expect(top?.dependency == true)
        #expect(top?.kind == "error")
        // The inventory 404s are everyday noise: never first.
        #expect(r.candidates.first { $0.service == "inventory" }.map { $0.score < (top?.score ?? 0) } ?? true)
    }

    @Test func serviceFailingByItself() {
        var spans: [Span] = []
        for i in 0..<30 { spans += request(i) }
        for i in 30..<40 { spans += request(i, paymentFails: true) }
        let top = RootCause.analyze(TraceAssembler.assemble(spans)).candidates.first
        #expect(top?.service == "payment")
        #expect(top?.operation == "POST /charge")
        #expect(top?.dependency == false)
    }

    @Test func timeoutCascadeBlamesTheSlowCallee() {
        var spans: [Span] = []
        for i in 0..<30 { spans += request(i) }
        for i in 30..<40 { spans += request(i, paymentSlow: true, callerTimesOut: true) }
        let r = RootCause.analyze(TraceAssembler.assemble(spans))
        let top = r.candidates.first
        #expect(top?.service == "payment", "\(r.candidates.map { ($0.service, $0.kind) })")
        #expect(top?.kind == "latency")
    }

    @Test func slowServiceWithoutErrors() {
        var spans: [Span] = []
        for i in 0..<30 { spans += request(i) }
        for i in 30..<36 { spans += request(i, paymentSlow: true) }
        let r = RootCause.analyze(TraceAssembler.assemble(spans))
        #expect(r.failed == 6)
        let top = r.candidates.first
        #expect(top?.kind == "latency")
        #expect(top?.service == "stripe-api" || top?.service == "payment")
    }

    @Test func nothingFailedNothingBlamed() {
        var spans: [Span] = []
        for i in 0..<20 { spans += request(i) }
        let r = RootCause.analyze(TraceAssembler.assemble(spans))
        #expect(r.failed == 0)
        #expect(r.candidates.isEmpty)
    }
}
