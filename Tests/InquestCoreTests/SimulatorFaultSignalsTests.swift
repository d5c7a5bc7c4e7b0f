import Foundation
import Testing
@testable import InquestCore

/// `simulate --fault` with what real faults look like: logs-only code faults, resource
/// faults in latency and metrics, spans without status, two faults at once, low rates.
@Suite struct SimulatorFaultSignalsTests {
    static let small = SimulationConfig(seed: 42, durationSeconds: 60 * 60, requests: 300)

    static func config(seed: UInt64, requests: Int = 300) -> SimulationConfig {
        var c = small
        c.seed = seed
        c.requests = requests
        return c
    }

    static func run(_ kinds: [SimFaultKind], _ options: SimFaultOptions = SimFaultOptions(), seed: UInt64 = 42,
                    requests: Int = 300) throws -> Simulator.Incident {
        try Simulator(config: config(seed: seed, requests: requests)).runFault(kinds, options: options)
    }

    static func spans(_ incident: Simulator.Incident) throws -> [Span] {
        var out: [Span] = []
        for f in incident.files where f.kind == "spans" {
            let r = try SpanReader.read(unit: .memory(f.bytes, name: f.path))
            #expect(r.stats.skipped == 0, "\(f.path): \(r.stats.errors)")
            out += r.spans
        }
        return out
    }

    static func logs(_ incident: Simulator.Incident, service: String) throws -> [LogRecord] {
        let f = try #require(incident.files.first { $0.kind == "logs" && $0.service == service }, "no log file for \(service)")
        let reader = try LogReader(unit: .memory(f.bytes, name: f.path))
        var out: [LogRecord] = []
        while let r = reader.next() { out.append(r) }
        #expect(reader.stats.skipped == 0, "\(f.path): \(reader.stats.errors)")
        #expect(reader.format.name == f.format, "\(f.path) read as \(reader.format.name), written as \(f.format)")
        #expect(out.count == f.records)
        return out
    }

    static func metrics(_ incident: Simulator.Incident, service: String) throws -> [MetricSeries] {
        let f = try #require(incident.files.first { $0.kind == "metrics" && $0.service == service })
        let r = try MetricReader.read(unit: .memory(f.bytes, name: f.path))
        #expect(r.stats.skipped == 0, "\(f.path): \(r.stats.errors)")
        return r.series
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? .nan : s[s.count / 2]
    }

    // MARK: - Old kinds stay as they were

    /// FNV-1a of the ground truth and the three span files, as the simulator wrote them
    /// before the newer kinds existed (seed 42, 60 minutes, 300 requests).
    static let golden: [SimFaultKind: UInt64] = [
        .deepError: 0x8474_8ba0_d5a0_ecaa, .selfError: 0xf6cc_ad61_5c15_b05b, .latency: 0xdaa2_2ebb_6e0c_7570,
        .timeoutCascade: 0x505b_b951_7782_0541, .oneOperation: 0x7008_99a6_9b74_6d0d, .dependency: 0x6c7f_7047_0cd1_13d4,
    ]

    @Test(arguments: SimFaultKind.allCases.filter(\.isSpanOnly))
    func spanOnlyKindsWriteTheSameBytesAsBefore(_ kind: SimFaultKind) throws {
        let incident = try Simulator(config: Self.small).runFault(kind)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for path in ["ground-truth.json", "spans/jaeger.json", "spans/zipkin.json", "spans/otlp.json"] {
            let f = try #require(incident.files.first { $0.path == path })
            for b in f.bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        #expect(incident.files.count == 4)
        #expect(h == Self.golden[kind], "\(kind.rawValue): the bytes changed")
    }

    // MARK: - The newer kinds

    @Test(arguments: SimFaultKind.allCases.filter { !$0.isSpanOnly })
    func newerKindsAreDeterministicAndWriteEverySignal(_ kind: SimFaultKind) throws {
        let a = try Self.run([kind])
        let b = try Self.run([kind])
        #expect(a.files.map(\.path) == b.files.map(\.path))
        for (x, y) in zip(a.files, b.files) { #expect(x.bytes == y.bytes, "\(kind.rawValue): \(x.path) differs") }
        let truth = try #require(a.groundTruth.fault)
        #expect(truth.signals == .all && truth.extended)
        #expect(truth.faults.count == 1 && truth.faults[0].kind == kind)
        #expect(truth.faults[0].affectedTraces > 0)
        let services = Set(try Self.spans(a).map(\.service))
        // A log file and a metric file for every service.
        for s in services {
            #expect(a.files.contains { $0.kind == "logs" && $0.service == s }, "\(s) has no log")
            #expect(a.files.contains { $0.kind == "metrics" && $0.service == s }, "\(s) has no metrics")
        }
        let truthFile = try #require(a.files.first { $0.path == "ground-truth.json" })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(truthFile.bytes)) as? [String: Any])
        let causes = try #require(json["root_causes"] as? [[String: Any]])
        #expect(causes.count == 1 && causes[0]["fault"] as? String == kind.rawValue)
        #expect((json["root_cause"] as? [String: Any])?["service"] as? String == truth.service)
        #expect(json["accepted"] as? [String] == truth.accepted)
        // Messages read as a person writes them: a duration is `3.7 ms`, never a
        // field value's Swift description (`decimal(37, digits: 1)`).
        for s in services {
            for r in try Self.logs(a, service: s) {
                #expect(!r.message.contains("digits:") && !r.message.contains("decimal("), "\(s): \(r.message)")
            }
        }
    }

    @Test func exceptionIsOnlyInTheLogs() throws {
        let incident = try Self.run([.exception])
        let truth = try #require(incident.groundTruth.fault)
        let spans = try Self.spans(incident)
        #expect(!spans.contains { $0.isError }, "a span has an error status")
        #expect(!spans.contains { $0.events.contains { $0.name == "exception" } })
        #expect(!spans.contains { $0.attribute("http.status_code") != nil })
        #expect(!incident.groundTruth.failedTraceIDs.isEmpty)
        // The faulty service logs the exception in the failed requests, under their trace IDs.
        let logs = try Self.logs(incident, service: truth.service)
        let errors = logs.filter { $0.level == .error }
        let failed = Set(incident.groundTruth.failedTraceIDs)
        let errorTraces = Set(errors.compactMap(\.traceID))
        #expect(!errorTraces.isEmpty && errorTraces.isSubset(of: failed))
        #expect(errorTraces.count * 10 >= failed.count * 9, "\(errorTraces.count) of \(failed.count) failed requests have the exception logged")
        // And none before the fault started.
        #expect(!errors.contains { $0.traceID != nil && ($0.timestamp?.nanos ?? 0) < incident.groundTruth.incidentStart.nanos })
    }

    @Test func wrongReturnMakesTheCallerLogErrors() throws {
        let incident = try Self.run([.wrongReturn], seed: 7)
        let truth = try #require(incident.groundTruth.fault)
        let chain = truth.chain
        let i = try #require(chain.firstIndex(of: truth.service))
        let caller = chain[i - 1]
        let failed = Set(incident.groundTruth.failedTraceIDs)
        let own = try Self.logs(incident, service: truth.service)
        #expect(!own.contains { $0.level >= .warn && failed.contains($0.traceID ?? "") }, "the faulty service logs a problem in a failed request")
        #expect(own.contains { $0.level == .info && failed.contains($0.traceID ?? "") })
        let callerErrors = try Self.logs(incident, service: caller).filter { $0.level == .error && $0.message.contains(truth.service) }
        #expect(callerErrors.count >= 3)
        // The faulty operation's spans in failed requests made none of their own calls.
        let spans = try Self.spans(incident)
        let parents = Set(spans.compactMap(\.parentID))
        let faulty = spans.filter { failed.contains($0.traceID) && $0.service == truth.service && $0.operation == truth.operation && $0.kind == .server }
        #expect(!faulty.isEmpty)
        #expect(faulty.allSatisfy { !parents.contains($0.spanID) })
        #expect(!faulty.contains { $0.isError })
    }

    @Test func cpuContentionLiftsItsCPUSeriesInTheFaultWindow() throws {
        for format in SimMetricFormat.allCases {
            let incident = try Self.run([.cpuContention], SimFaultOptions(metricFormat: format), requests: 600)
            let truth = try #require(incident.groundTruth.fault)
            let start = incident.groundTruth.incidentStart.nanos, end = incident.groundTruth.incidentEnd.nanos
            func cpu(_ service: String) throws -> (before: Double, during: Double) {
                let series = try Self.metrics(incident, service: service)
                #expect(series.count == SimFaultSignals.series.count, "\(format): \(series.map(\.name))")
                let c = try #require(series.first { $0.name.hasPrefix("cpu_usage") })
                let before = c.points.filter { $0.time < start && !$0.value.isNaN }.map(\.value)
                let during = c.points.filter { $0.time >= start && $0.time < end && !$0.value.isNaN }.map(\.value)
                return (Self.median(before), Self.median(during))
            }
            let faulty = try cpu(truth.service)
            #expect(faulty.during > faulty.before + 25, "\(format): \(faulty)")
            // The other services on the chain are not lifted (only the decoy may be, elsewhere).
            let decoy = incident.groundTruth.decoys.first { $0.kind == "resource" }?.service
            for s in truth.chain.dropFirst(2) where s != truth.service && s != decoy {
                let other = try cpu(s)
                #expect(other.during < other.before + 10, "\(format): \(s) \(other)")
            }
            // Its latency shows it too, if only a little when its own work is a small part of its time.
            let series = try Self.metrics(incident, service: truth.service)
            let p50 = try #require(series.first { $0.name.contains("latency_p50") && !$0.name.contains("client") })
            let before = Self.median(p50.points.filter { $0.time < start }.map(\.value).filter { !$0.isNaN })
            let during = Self.median(p50.points.filter { $0.time >= start && $0.time < end }.map(\.value).filter { !$0.isNaN })
            #expect(during > before, "\(format): p50 \(before) → \(during)")
        }
    }

    @Test func networkDelayLengthensTheCallersView() throws {
        let incident = try Self.run([.networkDelay], SimFaultOptions(faultRate: 1, slowdown: 2), requests: 600)
        let truth = try #require(incident.groundTruth.fault)
        #expect((truth.faults[0].delayMillis ?? 0) > 0 && truth.faults[0].slowdown == 2)
        let spans = try Self.spans(incident)
        let byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { a, _ in a })
        let start = incident.groundTruth.incidentStart.nanos, end = incident.groundTruth.incidentEnd.nanos
        // Client spans calling the faulty service's chain operation.
        var before: [Double] = [], during: [Double] = []
        for s in spans where s.service == truth.service && s.operation == truth.operation && s.kind == .server {
            guard let p = s.parentID.flatMap({ byID[$0] }) else { continue }
            let d = Double(p.durationNanos)
            if s.start.nanos < start { before.append(d) } else if s.start.nanos < end { during.append(d) }
        }
        #expect(Self.median(during) > 1.5 * Self.median(before), "\(Self.median(before)) → \(Self.median(during))")
        // Nothing fails on its server side (its client spans may show a callee's swallowed errors).
        #expect(!spans.contains { $0.isError && $0.service == truth.service && $0.kind == .server })
    }

    @Test func noSpanStatusLeavesTheErrorsToTheLogs() throws {
        let incident = try Self.run([.deepError], SimFaultOptions(spanStatus: false))
        let truth = try #require(incident.groundTruth.fault)
        #expect(truth.signals == .all && !truth.spanStatus)
        let spans = try Self.spans(incident)
        #expect(!spans.contains { $0.isError || $0.statusMessage != nil || !$0.events.isEmpty })
        let errors = try Self.logs(incident, service: truth.service).filter { $0.level == .error && $0.traceID != nil }
        #expect(Set(errors.compactMap(\.traceID)).isSubset(of: Set(incident.groundTruth.failedTraceIDs)))
        #expect(errors.count >= incident.groundTruth.failedTraceIDs.count * 9 / 10)
    }

    @Test func swallowedErrorsComeWhileTheFaultIsOn() throws {
        let incident = try Self.run([.cpuContention])
        let burst = try #require(incident.groundTruth.decoys.first { $0.description.contains("cached answer") })
        let start = incident.groundTruth.incidentStart, end = incident.groundTruth.incidentEnd
        let burstStart = try #require(burst.start)
        #expect(burstStart >= start && burstStart < end)
        let spans = try Self.spans(incident)
        let failed = spans.filter { $0.service == burst.service && $0.kind == .server && $0.isError }
        #expect(failed.count >= 3)
        // Every request in which it failed succeeded for the user.
        let byTrace = Dictionary(grouping: spans, by: \.traceID)
        for f in failed {
            let root = try #require(byTrace[f.traceID]?.first { $0.parentID == nil })
            #expect(!root.isError)
        }
    }

    @Test func twoFaultsAreBothInTheTruth() throws {
        for pair in [[SimFaultKind.exception, .cpuContention], [.deepError, .networkDelay], [.wrongReturn, .selfError]] {
            for seed in UInt64(1)...4 {
                let incident = try Self.run(pair, seed: seed)
                let truth = try #require(incident.groundTruth.fault)
                #expect(truth.faults.map(\.kind) == pair)
                #expect(truth.faults[0].caller != truth.faults[1].caller, "\(pair) seed \(seed): one service")
                for f in truth.faults {
                    #expect(f.affectedTraces > 0, "\(f.kind.rawValue) seed \(seed) hit nothing")
                    for a in f.accepted { #expect(truth.accepted.contains(a)) }
                }
                let json = String(decoding: try #require(incident.files.first { $0.path == "ground-truth.json" }).bytes, as: UTF8.self)
                let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                #expect((doc["root_causes"] as? [[String: Any]])?.count == 2)
            }
        }
    }

    @Test(arguments: [0.05, 0.1, 0.2])
    func lowRateHitsThatShareOfRequests(_ rate: Double) throws {
        let incident = try Self.run([.selfError], SimFaultOptions(faultRate: rate), requests: 2000)
        let truth = try #require(incident.groundTruth.fault)
        #expect(truth.faultRate == rate)
        let spans = try Self.spans(incident)
        let start = incident.groundTruth.incidentStart.nanos, end = incident.groundTruth.incidentEnd.nanos
        let through = spans.filter { $0.service == truth.service && $0.operation == truth.operation && $0.kind == .server
            && $0.start.nanos >= start && $0.start.nanos < end }
        let hit = through.filter(\.isError).count
        let share = Double(hit) / Double(max(1, through.count))
        #expect(through.count >= 200)
        #expect(share >= rate * 0.6 && share <= rate * 1.5, "\(hit) of \(through.count) = \(share) at rate \(rate)")
    }

    @Test func slowdownScalesTheOwnTime() throws {
        let incident = try Self.run([.latency], SimFaultOptions(faultRate: 1, slowdown: 1.5), requests: 600)
        let truth = try #require(incident.groundTruth.fault)
        #expect(truth.faults[0].slowdown == 1.5)
        let spans = try Self.spans(incident)
        let start = incident.groundTruth.incidentStart.nanos, end = incident.groundTruth.incidentEnd.nanos
        let own = spans.filter { $0.service == truth.service && $0.operation == truth.operation && $0.kind == .server }
        // Self time: the server span less its direct children.
        let children = Dictionary(grouping: spans.filter { $0.parentID != nil }, by: { $0.parentID ?? "" })
        func selfTime(_ s: Span) -> Double { Double(s.durationNanos - (children[s.spanID] ?? []).reduce(0) { $0 + $1.durationNanos }) }
        let before = Self.median(own.filter { $0.start.nanos < start }.map(selfTime))
        let during = Self.median(own.filter { $0.start.nanos >= start && $0.start.nanos < end }.map(selfTime))
        #expect(during > 1.25 * before && during < 1.8 * before, "\(before) → \(during)")
    }

    @Test func optionsAreChecked() {
        #expect(SimFaultOptions(faultRate: 0).problem(kinds: [.exception]) != nil)
        #expect(SimFaultOptions(slowdown: 1).problem(kinds: [.latency]) != nil)
        #expect(SimFaultOptions().problem(kinds: [.latency, .latency]) != nil)
        #expect(SimFaultOptions().problem(kinds: [.latency, .exception, .deepError]) != nil)
        #expect(SimFaultOptions(signals: .spans, spanStatus: false).problem(kinds: [.deepError]) != nil)
        #expect(SimFaultOptions().problem(kinds: [.latency, .exception]) == nil)
    }
}
