import Foundation
import Testing
@testable import InquestCore

/// `inquest simulate`: deterministic output, a ground truth that matches the spans,
/// and files that Inquest's own readers take without a skipped record.
@Suite struct SimulatorTests {
    /// A small run keeps the tests quick; the shape of the incident does not depend on size.
    static let small = SimulationConfig(seed: 42, durationSeconds: 60 * 60, requests: 300)

    static func run(_ config: SimulationConfig = small) throws -> Simulator.Incident {
        try Simulator(config: config).run()
    }

    static func file(_ incident: Simulator.Incident, _ path: String) -> SimulatedFile? {
        incident.files.first { $0.path == path }
    }

    /// Writes the incident to a fresh temporary directory and returns its path.
    static func written(_ incident: Simulator.Incident) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("inquest-sim-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)").path
        try incident.write(to: dir)
        return dir
    }

    @Test func sameSeedGivesIdenticalBytes() throws {
        let a = try Self.run()
        let b = try Self.run()
        #expect(a.files.map(\.path) == b.files.map(\.path))
        for (x, y) in zip(a.files, b.files) {
            #expect(x.bytes == y.bytes, "\(x.path) differs between two runs with the same seed")
        }
    }

    @Test func differentSeedGivesDifferentBytes() throws {
        let a = try Self.run()
        var config = Self.small
        config.seed = 43
        let b = try Self.run(config)
        for path in ["spans/jaeger.json", "payment.log", "api-gateway.log.gz", "ground-truth.json"] {
            let x = try #require(Self.file(a, path))
            let y = try #require(Self.file(b, path))
            #expect(x.bytes != y.bytes, "\(path) is the same for seeds 42 and 43")
        }
    }

    @Test func failedTracesAreErrorsInTheSpans() throws {
        let incident = try Self.run()
        let truth = incident.groundTruth
        #expect(!truth.failedTraceIDs.isEmpty)
        let dir = try Self.written(incident)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var spans: [Span] = []
        for name in ["jaeger", "zipkin", "otlp"] {
            let (units, problems) = InputDiscovery.discover(["\(dir)/spans/\(name).json"])
            #expect(problems.isEmpty)
            let unit = try #require(units.first)
            let result = try SpanReader.read(unit: unit)
            #expect(result.stats.skipped == 0, "\(name): \(result.stats.errors)")
            #expect(result.stats.format == Self.file(incident, "spans/\(name).json")?.format)
            spans += result.spans
        }
        #expect(spans.count == truth.totalSpans)
        let byTrace = Dictionary(grouping: spans, by: \.traceID)
        #expect(byTrace.count == truth.totalTraces)

        let failed = Set(truth.failedTraceIDs)
        for id in truth.failedTraceIDs {
            let trace = try #require(byTrace[id], "failed trace \(id) has no spans")
            let root = try #require(trace.first { $0.parentID == nil })
            #expect(root.isError, "root of failed trace \(id) is not an error")
            #expect(trace.contains { $0.service == "payment" && $0.kind == .server && $0.isError })
            #expect(trace.contains { $0.service == "payment" && $0.kind == .client && $0.isError
                && $0.attribute("peer.service") == "stripe-api" })
            let t = root.start.nanos
            #expect(t >= truth.incidentStart.nanos && t < truth.incidentEnd.nanos, "failed trace \(id) outside the incident window")
        }
        for (id, trace) in byTrace where !failed.contains(id) {
            let root = try #require(trace.first { $0.parentID == nil })
            #expect(!root.isError, "trace \(id) failed but is not in the ground truth")
        }
        // Every span's parent is in its trace: nothing is split or orphaned.
        for (_, trace) in byTrace {
            let ids = Set(trace.map(\.spanID))
            #expect(trace.allSatisfy { $0.parentID.map(ids.contains) ?? true })
        }
    }

    @Test func logFilesReadBackWithoutSkippedRecords() throws {
        let incident = try Self.run()
        let dir = try Self.written(incident)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in incident.files where f.kind == "logs" {
            let (units, problems) = InputDiscovery.discover(["\(dir)/\(f.path)"])
            #expect(problems.isEmpty, "\(f.path): \(problems)")
            var records = 0
            for unit in units {
                #expect(unit.compression == f.compression, "\(unit.path)")
                let reader = try LogReader(unit: unit)
                var n = 0
                var withTrace = 0
                while let r = reader.next() {
                    n += 1
                    if r.traceID != nil { withTrace += 1 }
                    #expect(r.timestamp != nil, "\(r.location): no time")
                }
                #expect(reader.format.name == f.format, "\(unit.path) read as \(reader.format.name)")
                #expect(reader.stats.skipped == 0, "\(unit.path): \(reader.stats.errors)")
                #expect(reader.stats.records == n)
                if let m = f.members.first(where: { unit.path.hasSuffix(":" + $0.name) }) { #expect(m.records == n) }
                // JSON and logfmt carry trace IDs in fields the readers pick up.
                if ["json", "logfmt", "docker-json"].contains(f.format) { #expect(withTrace > n / 2, "\(unit.path)") }
                records += n
            }
            #expect(records == f.records, "\(f.path): read \(records), ground truth says \(f.records)")
        }
    }

    @Test func gzipIsMultiMemberAndDecompresses() throws {
        let incident = try Self.run()
        let gz = try #require(Self.file(incident, "api-gateway.log.gz"))
        #expect(gz.gzipMembers == 2)
        #expect(gz.bytes.starts(with: [0x1f, 0x8b, 0x08]))
        // Two members: a second header after the first.
        let second = (10..<(gz.bytes.count - 2)).contains { gz.bytes[$0] == 0x1f && gz.bytes[$0 + 1] == 0x8b && gz.bytes[$0 + 2] == 0x08 }
        #expect(second)
        // Fixed header: no mtime, Unix.
        #expect(Array(gz.bytes[4..<8]) == [0, 0, 0, 0])
        #expect(gz.bytes[9] == 3)

        let dir = try Self.written(incident)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unit = try #require(InputDiscovery.discover(["\(dir)/api-gateway.log.gz"]).units.first)
        let source = try unit.open()
        let text = try source.readFully(upTo: 1 << 26)
        let lines = text.split(separator: 0x0A)
        #expect(lines.count == gz.records)
        #expect(!source.endedEarly)

        // The system's zcat agrees, when there is one.
        if FileManager.default.isExecutableFile(atPath: "/bin/zcat") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/zcat")
            p.arguments = ["\(dir)/api-gateway.log.gz"]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            #expect(Array(out) == text)
        }
    }

    @Test func gzipRoundTripsEmptyAndLargeInput() throws {
        for input in [[UInt8](), Array(repeating: UInt8(ascii: "x"), count: 300_000), (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }] {
            let z = try #require(GzipEncoding.member(input))
            let source = try GzipSource(input: SimulatorTestBytes(z), path: "mem")
            let back = try source.readFully(upTo: 1 << 24)
            #expect(back == input)
        }
    }

    @Test func tarArchiveListsRotatedMembers() throws {
        let incident = try Self.run()
        let dir = try Self.written(incident)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let units = InputDiscovery.discover(["\(dir)/notification-logs.tar.gz"]).units
        #expect(units.map(\.path) == ["\(dir)/notification-logs.tar.gz:notification.log.1", "\(dir)/notification-logs.tar.gz:notification.log"])
        #expect(units.allSatisfy { $0.compression == .tarGzip })
    }

    @Test func groundTruthNamesTheRootCause() throws {
        let incident = try Self.run()
        let truth = incident.groundTruth
        #expect(truth.rootService == "payment")
        #expect(truth.rootDependency == "stripe-api")
        #expect(truth.incidentStart < truth.errorsStart && truth.errorsStart < truth.incidentEnd)
        let json = try #require(Self.file(incident, "ground-truth.json"))
        let doc = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any]
        let traces = doc?["traces"] as? [String: Any]
        #expect(traces?["failed"] as? Int == truth.failedTraceIDs.count)
        #expect((traces?["failed_trace_ids"] as? [String])?.count == truth.failedTraceIDs.count)
        let files = doc?["files"] as? [[String: Any]]
        #expect(files?.count == incident.files.count - 1)
    }

    @Test func durationsParse() {
        #expect(SimulationConfig.parseDuration("90m") == 5400)
        #expect(SimulationConfig.parseDuration("1h30m") == 5400)
        #expect(SimulationConfig.parseDuration("2h") == 7200)
        #expect(SimulationConfig.parseDuration("45s") == 45)
        #expect(SimulationConfig.parseDuration("600") == 600)
        #expect(SimulationConfig.parseDuration("") == nil)
        #expect(SimulationConfig.parseDuration("m") == nil)
        #expect(SimulationConfig.parseDuration("10x") == nil)
        #expect(SimulationConfig.parseDuration("5m3") == nil)
    }

    @Test func rejectsConfigurationsWithoutRoomForAnIncident() {
        #expect(SimulationConfig(durationSeconds: 60).problem() != nil)
        #expect(SimulationConfig(requests: 3).problem() != nil)
        #expect(throws: Simulator.Failure.self) { try Simulator(config: SimulationConfig(requests: 3)).run() }
    }

    // MARK: - Fault injection (--fault)

    static func faultSpans(_ incident: Simulator.Incident) throws -> [Span] {
        let dir = try written(incident)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var spans: [Span] = []
        for f in incident.files where f.kind == "spans" {
            let (units, problems) = InputDiscovery.discover(["\(dir)/\(f.path)"])
            #expect(problems.isEmpty)
            let unit = try #require(units.first)
            spans += try SpanReader.read(unit: unit).spans
        }
        return spans
    }

    @Test(arguments: SimFaultKind.allCases.filter(\.isSpanOnly))
    func faultIsDeterministicAndNamesItsCause(_ kind: SimFaultKind) throws {
        let a = try Simulator(config: Self.small).runFault(kind)
        let b = try Simulator(config: Self.small).runFault(kind)
        #expect(a.files.map(\.path) == b.files.map(\.path))
        for (x, y) in zip(a.files, b.files) { #expect(x.bytes == y.bytes, "\(kind.rawValue): \(x.path) differs") }
        let truth = try #require(a.groundTruth.fault)
        #expect(truth.kind == kind)
        #expect(truth.accepted.first == truth.service)
        #expect(truth.causeKind == (kind == .latency || kind == .timeoutCascade ? "latency" : "error"))
        #expect(truth.isDependency == (kind == .dependency))
        let json = String(decoding: try #require(Self.file(a, "ground-truth.json")).bytes, as: UTF8.self)
        #expect(json.contains("\"root_cause\": {\"service\": \"\(truth.service)\""))
        #expect(json.contains("\"accepted\": ["))
        #expect(!a.groundTruth.failedTraceIDs.isEmpty)

        // The failed (or, for latency, slowed) traces show the fault where expected.
        let spans = try Self.faultSpans(a)
        let byTrace = Dictionary(grouping: spans, by: \.traceID)
        for id in a.groundTruth.failedTraceIDs.prefix(20) {
            let trace = try #require(byTrace[id], "trace \(id) missing from the span files")
            let own = trace.filter { $0.service == a.groundTruth.rootService }
            switch kind {
            case .deepError, .selfError, .oneOperation:
                #expect(own.contains { $0.kind == .server && $0.isError && $0.operation == truth.operation && !$0.events.isEmpty })
            case .latency:
                #expect(own.contains { $0.kind == .server && $0.operation == truth.operation && $0.durationNanos > 500_000_000 })
                #expect(!trace.contains { $0.isError && $0.service != "recommendation" && !($0.statusMessage ?? "").contains("recommendation") && $0.statusMessage != "not found" && $0.statusMessage != "connection reset by peer" })
            case .timeoutCascade:
                #expect(trace.contains { $0.kind == .client && $0.isError && $0.statusMessage == "context deadline exceeded" })
                #expect(own.contains { $0.kind == .server && !$0.isError && $0.operation == truth.operation && $0.durationNanos > 1_000_000_000 })
            case .dependency:
                #expect(trace.contains { s in
                    s.kind == .client && s.isError
                        && (s.remoteService == truth.service || s.attributes.contains { $0.key == "peer.service" && $0.value == truth.service })
                })
            default:
                Testing.Issue.record("\(kind.rawValue) is not a span-only kind")
            }
            let root = try #require(trace.first { $0.parentID == nil })
            if kind != .latency { #expect(root.isError) }
        }
    }

    @Test func faultTopologyVariesWithTheSeed() throws {
        var causes = Set<String>()
        for seed in UInt64(1)...6 {
            var config = Self.small
            config.seed = seed
            let truth = try #require(try Simulator(config: config).runFault(.selfError).groundTruth.fault)
            causes.insert(truth.chain.joined(separator: ">") + "|" + truth.service + "|" + truth.operation)
        }
        #expect(causes.count >= 5)
    }

    @Test func faultNoiseHasRetriesSkewAndDecoys() throws {
        var sawRetries = false, sawSkew = false, sawNoRetries = false
        for seed in UInt64(1)...8 {
            var config = Self.small
            config.seed = seed
            let incident = try Simulator(config: config).runFault(.deepError, spanFormats: .jaeger)
            let truth = try #require(incident.groundTruth.fault)
            #expect(incident.groundTruth.decoys.contains { $0.service == "recommendation" })
            if truth.skewService != nil { sawSkew = true; #expect(truth.skewMillis != 0) }
            guard truth.retries else { sawNoRetries = true; continue }
            sawRetries = true
            let spans = try Self.faultSpans(incident)
            // A failed attempt, then a successful call to the same operation under the same parent.
            let resets = spans.filter { $0.statusMessage == "connection reset by peer" }
            #expect(!resets.isEmpty)
            if let r = resets.first {
                #expect(spans.contains { $0.parentID == r.parentID && $0.operation == r.operation && !$0.isError && $0.start.nanos > r.start.nanos })
            }
        }
        #expect(sawRetries && sawNoRetries && sawSkew)
    }

    @Test func spanFormatSelectsTheFiles() throws {
        let one = try Simulator(config: Self.small).runFault(.dependency, spanFormats: .zipkin)
        #expect(one.files.filter { $0.kind == "spans" }.map(\.path) == ["spans/zipkin.json"])
        let all = try Simulator(config: Self.small).runFault(.dependency, spanFormats: .all)
        #expect(all.files.filter { $0.kind == "spans" }.count == 3)
        // The default incident: one format gets every trace, and the logs do not change.
        let full = try Self.run()
        let otlp = try Simulator(config: Self.small).run(spanFormats: .otlp)
        let spanFiles = otlp.files.filter { $0.kind == "spans" }
        #expect(spanFiles.map(\.path) == ["spans/otlp.json"])
        #expect(spanFiles.first?.traces == full.groundTruth.totalTraces)
        #expect(Self.file(otlp, "payment.log")?.bytes == Self.file(full, "payment.log")?.bytes)
    }
}

/// Bytes in memory as a `ByteSource`.
private final class SimulatorTestBytes: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0, let base = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { base.copyMemory(from: s + offset, byteCount: n) }
        }
        offset += n
        return n
    }
}
