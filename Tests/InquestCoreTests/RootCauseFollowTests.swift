import Foundation
import Testing
@testable import InquestCore

/// `rca` following a fault past where it shows: to the callee whose answer made its caller
/// fail, to the caller whose every call slowed, and away from errors a healthy caller
/// absorbed. Small constructed incidents with made-up services.
@Suite("Root cause: following the fault")
struct RootCauseFollowTests {
    static let t0 = RootCauseSignalsTests.t0
    static let ms = RootCauseSignalsTests.ms
    typealias Jitter = RootCauseSignalsTests.Jitter

    /// The ranking of spans alone.
    static func rank(_ spans: [Span]) -> RootCause.Result {
        var inputs = RootCauseRanking.Inputs()
        inputs.traces = TraceAssembler.assemble(spans)
        inputs.hasSpans = true
        return RootCauseRanking.analyze(inputs)
    }

    static func span(_ trace: String, _ id: String, _ parent: String?, _ svc: String, _ op: String, _ kind: Span.Kind,
                     _ start: Int64, _ dur: Int64, error: Bool = false, peer: String? = nil) -> Span {
        var s = Span(traceID: trace, spanID: id, parentID: parent, service: svc, operation: op, kind: kind,
                     start: Timestamp(nanos: start), durationNanos: dur)
        if error { s.status = .error; s.statusMessage = "invalid response" }
        if let p = peer { s.attributes.append(LogRecord.Field("peer.service", p)) }
        return s
    }

    /// web → cart → quote (which reads its store). With `wrong`, quote answers at once
    /// without reading, and cart fails on what it got: the error is cart's, the fault quote's.
    static func order(_ n: Int, wrong: Bool, jitter: inout Jitter) -> [Span] {
        let t = String(format: "%032x", n + 1)
        let s0 = t0 + Int64(n) * 100 * ms
        func d(_ base: Int64) -> Int64 { Int64(Double(base) * jitter.next()) }
        let read = d(8 * ms)
        let quote = wrong ? d(ms / 5) : read + d(2 * ms)
        let cart = quote + d(3 * ms)
        var spans = [
            span(t, "01", nil, "web", "GET /order", .server, s0, cart + 2 * ms, error: wrong),
            span(t, "02", "01", "cart", "GET /order", .server, s0 + ms, cart, error: wrong),
            span(t, "03", "02", "quote", "GET /quote", .server, s0 + 2 * ms, quote),
        ]
        if !wrong { spans.append(span(t, "04", "03", "quote", "SELECT", .client, s0 + 2 * ms, read, peer: "store")) }
        return spans
    }

    @Test func anErrorRaisedOnAWrongAnswerIsTheCallees() {
        var j = Jitter(state: 3)
        var spans: [Span] = []
        for i in 0..<400 { spans += Self.order(i, wrong: i >= 250 && i % 2 == 0, jitter: &j) }
        let r = Self.rank(spans)
        #expect(r.candidates.first?.service == "quote", "\(r.candidates.map { ($0.service, $0.score) })")
        #expect(r.candidates.first?.kind == "error")
        #expect(r.candidates.first?.evidence.contains { $0.contains("raised by its caller cart") && $0.contains("cut short") } == true,
                "\(r.candidates.first?.evidence ?? [])")
        // Without the answer's evidence (no baseline to compare with), the error is cart's own.
        let one = RootCause.analyze(TraceAssembler.assemble(spans).filter { $0.root?.span.isError == true })
        #expect(one.candidates.first?.service == "cart")
    }

    /// api → (billing, ledger); both call the uninstrumented `db`; billing also calls `mail`.
    /// With `delay`, every call billing sends waits that long: its calls to db and mail grow,
    /// ledger's calls to db do not.
    static func request(_ n: Int, delay: Int64, dbDelay: Int64 = 0, jitter: inout Jitter) -> [Span] {
        let t = String(format: "%032x", n + 1)
        let s0 = t0 + Int64(n) * 100 * ms
        func d(_ base: Int64) -> Int64 { Int64(Double(base) * jitter.next()) }
        let bDb = d(4 * ms) + delay + dbDelay, bMail = d(6 * ms) + delay, lDb = d(4 * ms) + dbDelay
        let billing = d(2 * ms) + bDb + bMail
        let ledger = d(2 * ms) + lDb
        return [
            span(t, "01", nil, "api", "POST /pay", .server, s0, billing + ledger + 3 * ms),
            span(t, "02", "01", "billing", "POST /bill", .server, s0 + ms, billing),
            span(t, "03", "02", "billing", "SELECT", .client, s0 + 2 * ms, bDb, peer: "db"),
            span(t, "04", "02", "billing", "POST /send", .client, s0 + 2 * ms + bDb, bMail, peer: "mail"),
            span(t, "05", "01", "ledger", "POST /entry", .server, s0 + 2 * ms + billing, ledger),
            span(t, "06", "05", "ledger", "SELECT", .client, s0 + 3 * ms + billing, lDb, peer: "db"),
        ]
    }

    @Test func aCallerWhoseEveryCallSlowedIsBlamedNotItsPeers() {
        var j = Jitter(state: 5)
        var spans: [Span] = []
        for i in 0..<400 { spans += Self.request(i, delay: i >= 250 ? 12 * Self.ms : 0, jitter: &j) }
        let r = Self.rank(spans)
        #expect(r.candidates.first?.service == "billing", "\(r.candidates.map { ($0.service, $0.score) })")
        #expect(r.candidates.first?.kind == "latency")
        #expect(!r.candidates.prefix(1).contains { $0.dependency })
    }

    @Test func aSharedPeerThatSlowedForEveryCallerIsBlamed() {
        // The converse: db slows for billing and ledger alike (mail does not).
        var j = Jitter(state: 9)
        var spans: [Span] = []
        for i in 0..<400 { spans += Self.request(i, delay: 0, dbDelay: i >= 250 ? 12 * Self.ms : 0, jitter: &j) }
        let r = Self.rank(spans)
        #expect(r.candidates.first?.service == "db", "\(r.candidates.map { ($0.service, $0.score) })")
        #expect(r.candidates.first?.dependency == true)
    }

    @Test func errorLinesOfRequestsThatSucceededAreNotCounted() {
        // From the middle on, `feed` fails and its caller falls back (the request succeeds,
        // feed's span fails, feed logs errors) — many lines; `cart` fails few requests, and
        // those reach the user (the entry fails and web logs it).
        var spans: [Span] = []
        var read = LogSignal.Read()
        for i in 0..<600 {
            let t = String(format: "%032x", i + 1)
            let s0 = Self.t0 + Int64(i) * 100 * Self.ms
            let feedFails = i >= 300 && i % 2 == 0
            let cartFails = i >= 300 && i % 10 == 1
            spans += [
                Self.span(t, "01", nil, "web", "GET /", .server, s0, 20 * Self.ms, error: cartFails),
                Self.span(t, "02", "01", "feed", "GET /feed", .server, s0 + Self.ms, 5 * Self.ms, error: feedFails),
                Self.span(t, "03", "01", "cart", "GET /cart", .server, s0 + 7 * Self.ms, 5 * Self.ms, error: cartFails),
            ]
            read.timeline.append((s0, false))
            func line(_ svc: String, _ span: String, _ msg: String, _ level: Level) {
                read.timeline.append((s0 + 10 * Self.ms, true))
                read.lines.append(LogSignal.Line(time: s0 + 10 * Self.ms, service: svc, message: msg, level: level, traceID: t, spanID: span,
                                                 location: SourceLocation(path: "\(svc).log", line: i + 1)))
            }
            if feedFails {
                line("feed", "02", "feed index unavailable: shard \(i % 5) not loaded", .error)
                line("web", "01", "feed unavailable, showing defaults", .warn)
            }
            if cartFails {
                line("cart", "03", "cart store rejected write for basket \(i)", .error)
                line("web", "01", "request failed with status 502", .error)
            }
        }
        read.records = read.timeline.count
        read.first = read.timeline.map(\.time).min()
        read.last = read.timeline.map(\.time).max()
        var inputs = RootCauseRanking.Inputs()
        inputs.traces = TraceAssembler.assemble(spans)
        inputs.logs = read
        inputs.hasSpans = true
        inputs.hasLogs = true
        let r = RootCauseRanking.analyze(inputs)
        #expect(r.candidates.first?.service == "cart", "\(r.candidates.map { ($0.service, $0.score) })")
        let feed = r.candidates.first { $0.service == "feed" }
        #expect(feed?.signals.contains { $0.signal == "logs" } != true, "\(feed?.evidence ?? [])")
    }

    @Test func aTailOfRetriesThatIsAFewPointsLargerIsNoShift() {
        // 95 % near 1 ms and 5 % retried (about 80 ms), then 94 % and 6 %: the top quantile
        // jumps, the ranks do not move.
        func sample(_ n: Int, retried: Double, seed: UInt64) -> [Double] {
            var j = Jitter(state: seed)
            return (0..<n).map { i in Double(i) / Double(n) < retried ? 80_000_000 * j.next() : 1_000_000 * j.next(0.3) }
        }
        let before = sample(600, retried: 0.05, seed: 1).sorted()
        let after = sample(260, retried: 0.065, seed: 2).sorted()
        #expect(Robust.shift(before: before, after: after) > 1_000_000)
        #expect(Robust.rankSumZ(before: before, after: after) < 4)
        #expect(Robust.tailZ(before: before, after: after) < 4)
        // A tenth of the requests twice as slow: the tail shows it where the ranks barely do.
        var j = Jitter(state: 4)
        let slowed = (0..<260).map { i in 1_000_000 * j.next(0.3) * (i % 10 == 0 ? 2.2 : 1) }.sorted()
        let plain = (0..<600).map { _ in 1_000_000 * j.next(0.3) }.sorted()
        #expect(Robust.tailZ(before: plain, after: slowed) >= 4)
        #expect(Robust.rankSumZ(before: plain, after: plain.map { $0 * 1.2 }) >= 4)
        #expect(abs(Robust.rankSumZ(before: plain, after: plain)) < 0.01)
    }
}
