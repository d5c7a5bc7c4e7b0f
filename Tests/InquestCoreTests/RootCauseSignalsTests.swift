import Foundation
import Testing
@testable import InquestCore

/// `rca` from every signal, on small constructed incidents: latency judged from
/// distributions, spans without a status, logs alone, metrics alone.
@Suite("Root cause from every signal")
struct RootCauseSignalsTests {
    static let t0 = Int64(1_700_000_000) * 1_000_000_000
    static let ms: Int64 = 1_000_000

    /// Deterministic jitter in [1 - spread, 1 + spread].
    struct Jitter {
        var state: UInt64
        mutating func next(_ spread: Double = 0.1) -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 1 + spread * (Double(state >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    /// gateway → checkout → (payment, inventory), no status anywhere. Client spans hold
    /// their transport in their self time: `inventoryGap` is the network to inventory.
    static func request(_ n: Int, paymentFactor: Double = 1, inventoryGap: Int64 = 1 * ms, jitter: inout Jitter) -> [Span] {
        let t = String(format: "%032x", n + 1)
        let start = t0 + Int64(n) * 100 * ms
        func d(_ base: Int64) -> Int64 { Int64(Double(base) * jitter.next()) }
        let pay = Int64(Double(d(40 * ms)) * paymentFactor)
        let inv = d(10 * ms)
        let invCall = inv + inventoryGap
        let checkoutSelf = d(5 * ms)
        let checkout = checkoutSelf + (pay + 1 * ms) + invCall
        func span(_ id: String, _ parent: String?, _ svc: String, _ op: String, _ kind: Span.Kind, _ s: Int64, _ dur: Int64) -> Span {
            Span(traceID: t, spanID: id, parentID: parent, service: svc, operation: op, kind: kind, start: Timestamp(nanos: start + s),
                 durationNanos: dur)
        }
        return [
            span("01", nil, "gateway", "GET /buy", .server, 0, checkout + 2 * ms),
            span("02", "01", "checkout", "GET /buy", .server, 1 * ms, checkout),
            span("03", "02", "checkout", "POST /pay", .client, 1 * ms + checkoutSelf, pay + 1 * ms),
            span("04", "03", "payment", "POST /pay", .server, 1 * ms + checkoutSelf, pay),
            span("05", "02", "checkout", "GET /stock", .client, 2 * ms + checkoutSelf + pay, invCall),
            span("06", "05", "inventory", "GET /stock", .server, 2 * ms + checkoutSelf + pay + inventoryGap / 2, inv),
        ]
    }

    @Test func aSlowdownOfOneAndAHalfTimesInOneOperationIsFound() {
        var j = Jitter(state: 7)
        var spans: [Span] = []
        for i in 0..<300 { spans += Self.request(i, paymentFactor: i < 150 ? 1 : 1.5, jitter: &j) }
        var inputs = RootCauseRanking.Inputs()
        inputs.traces = TraceAssembler.assemble(spans)
        inputs.hasSpans = true
        let r = RootCauseRanking.analyze(inputs)
        #expect(r.window?.detected == true)
        // The window starts near request 150 (15 s in).
        if let w = r.window {
            #expect(abs(w.start.nanos - (Self.t0 + 150 * 100 * Self.ms)) < 3_000 * Self.ms, "\(w.start.rfc3339())")
        }
        #expect(r.candidates.first?.service == "payment", "\(r.candidates.map { ($0.service, $0.score) })")
        #expect(r.candidates.first?.kind == "latency")
        #expect(r.candidates.first?.signals.first?.signal == "spans")
    }

    @Test func spansWithoutStatusBlameTheCalleeWhoseCallsGrew() {
        // A network delay to inventory: the caller's client span grows, inventory's own span does not.
        var j = Jitter(state: 11)
        var spans: [Span] = []
        for i in 0..<300 { spans += Self.request(i, inventoryGap: i < 150 ? 1 * Self.ms : 30 * Self.ms, jitter: &j) }
        #expect(spans.allSatisfy { $0.status == .unset })
        var inputs = RootCauseRanking.Inputs()
        inputs.traces = TraceAssembler.assemble(spans)
        inputs.hasSpans = true
        let r = RootCauseRanking.analyze(inputs)
        #expect(r.failed == 0)
        #expect(r.candidates.first?.service == "inventory", "\(r.candidates.map { ($0.service, $0.score, $0.evidence) })")
    }

    @Test func aLogsOnlyIncidentBlamesTheServiceWithNewErrors() {
        var read = LogSignal.Read()
        let services = ["gateway", "checkout", "payment", "inventory"]
        for i in 0..<2_000 {
            let time = Self.t0 + Int64(i) * 50 * Self.ms
            let svc = services[i % services.count]
            read.timeline.append((time, false))
            // Everyday noise: checkout warns now and then, before and during.
            if i % 40 == 1 {
                read.timeline.append((time, true))
                read.lines.append(LogSignal.Line(time: time, service: "checkout", message: "slow cache lookup took \(i % 7 + 3) ms",
                                                 level: .warn, location: SourceLocation(path: "app.log", line: i)))
            }
            // From the middle on, payment fails.
            if i >= 1_000 && i % 3 == 0 {
                read.timeline.append((time, true))
                read.lines.append(LogSignal.Line(time: time, service: "payment", message: "charge failed: processor returned code \(500 + i % 3) for order \(i)",
                                                 level: .error, location: SourceLocation(path: "app.log", line: i)))
            }
            _ = svc
        }
        read.records = read.timeline.count
        read.first = read.timeline.map(\.time).min()
        read.last = read.timeline.map(\.time).max()
        var inputs = RootCauseRanking.Inputs()
        inputs.logs = read
        inputs.hasLogs = true
        let r = RootCauseRanking.analyze(inputs)
        #expect(r.window?.source == "error logs")
        let top = r.candidates.first
        #expect(top?.service == "payment", "\(r.candidates.map { ($0.service, $0.score) })")
        #expect(top?.signals.map(\.signal) == ["logs"])
        #expect(top?.evidence.contains { $0.contains("new error lines") } == true)
        // The everyday warnings of checkout did not grow: no candidate.
        #expect(!r.candidates.contains { $0.service == "checkout" })
    }

    @Test func aMetricsOnlyCPUFaultIsFound() {
        var j = Jitter(state: 3)
        var series: [MetricSeries] = []
        for (k, pod) in ["cart-7d9f8b6c5d-x2x4z", "shop-5c6b7d8f9b-q8r2t", "pay-6b7c8d9f5b-k4m5n"].enumerated() {
            let labels: [(key: String, value: String)] = [("pod", pod), ("service", PodName.service(pod))]
            var cpu = MetricSeries(name: "container_cpu_usage_seconds_total:rate", labels: labels)
            var mem = MetricSeries(name: "container_memory_working_set_bytes", labels: labels)
            for i in 0..<34 {
                let time = Self.t0 + Int64(i) * 60_000_000_000
                let busy = k == 2 && i >= 30
                cpu.points.append(.init(time: time, value: (busy ? 0.95 : 0.2) * j.next(0.15)))
                mem.points.append(.init(time: time, value: 200e6 * j.next(0.02)))
            }
            series += [cpu, mem]
        }
        var inputs = RootCauseRanking.Inputs()
        inputs.metrics = series
        inputs.hasMetrics = true
        let r = RootCauseRanking.analyze(inputs)
        #expect(r.window?.source == "metrics")
        let top = r.candidates.first
        #expect(top?.service == "pay", "\(r.candidates.map { ($0.service, $0.score) })")
        #expect(top?.kind == "resource")
        #expect(top?.evidence.contains { $0.contains("cpu") && $0.contains("rose") } == true)
    }

    @Test func theStretchThatDepartedIsFound() {
        // A step up that lasts to the end, and an incident that ended in the middle.
        let step = (0..<100).map { Double($0 < 60 ? 1 : 3) + Double($0 % 5) * 0.01 }
        let a = Robust.segment(step, grid: 100)
        #expect(a?.start == 60 && a?.end == 100)
        #expect((a?.z ?? 0) >= 5)
        let bump = (0..<300).map { Double((100..<180).contains($0) ? 5 : 1) + Double($0 % 7) * 0.01 }
        let b = Robust.segment(bump, grid: 300)
        // Boundaries within a few values: a neighbour of middling rank may tip the z.
        #expect(abs((b?.start ?? 0) - 100) <= 3 && abs((b?.end ?? 0) - 180) <= 3, "\(String(describing: b))")
        // Noise alone: nothing near the threshold.
        #expect(Robust.segment((0..<300).map { Double(($0 * 37) % 11) }).map { $0.z < 5 } ?? true)
    }
}
