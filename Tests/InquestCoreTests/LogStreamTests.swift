import Foundation
import Testing
@testable import InquestCore

/// One generated record, as the generator meant it (the truth the stream is checked against).
struct GeneratedRecord: Sendable, Equatable {
    var seconds: Int64
    var input: Int
    var index: Int
    var level: Level
    var service: String
    var message: String
    var traceID: String?
    var status: String
}

/// Three interleaved inputs in three encodings: JSON lines, logfmt, gzip'd JSON lines.
/// Record `i` of input `k` is at second `3i + k`, so the merged order is known.
final class InterleavedInputs: @unchecked Sendable {
    static let base: Int64 = 1_714_564_800
    static let perInput = 400  // more than a merge batch
    let dir: TempDirectory
    let paths: [String]
    let records: [GeneratedRecord]

    static func trace(_ i: Int) -> String? { i % 7 == 0 ? "ab" + String(repeating: "0", count: 26) + String(format: "%04x", i) : nil }

    init() throws {
        dir = try TempDirectory()
        var all: [GeneratedRecord] = []
        var paths: [String] = []
        for k in 0..<3 {
            var text = ""
            for i in 0..<Self.perInput {
                let level: Level = i % 5 == 0 ? .error : i % 3 == 0 ? .warn : .info
                let r = GeneratedRecord(seconds: Self.base + Int64(3 * i + k), input: k, index: i, level: level,
                                        service: "svc\(k)", message: "req \(i) from svc\(k)" + (i % 11 == 0 ? " timeout" : ""),
                                        traceID: Self.trace(i), status: i % 10 == 0 ? "500" : "200")
                all.append(r)
                let time = Timestamp(seconds: r.seconds).rfc3339()
                if k == 1 {
                    text += "ts=\(time) level=\(level.name) service=\(r.service) msg=\"\(r.message)\" status=\(r.status)"
                    text += r.traceID.map { " trace_id=\($0)" } ?? ""
                    text += "\n"
                } else {
                    text += "{\"ts\":\"\(time)\",\"level\":\"\(level.name)\",\"service\":\"\(r.service)\",\"msg\":\"\(r.message)\",\"status\":\"\(r.status)\""
                    text += r.traceID.map { ",\"trace_id\":\"\($0)\"" } ?? ""
                    text += "}\n"
                }
            }
            switch k {
            case 0: paths.append(try dir.write("svc0.log", text))
            case 1: paths.append(try dir.write("svc1.logfmt", text))
            default: paths.append(try dir.write("svc2.log.gz", try gzipped(text)))
            }
        }
        self.paths = paths
        self.records = all.sorted { $0.seconds < $1.seconds }
    }

    func units() -> [InputUnit] { InputDiscovery.discover(paths).units }

    func stream(_ filter: LogFilter = LogFilter()) -> LogStream {
        LogStream(units: units(), filter: filter, needs: .all)
    }
}

/// A filter and the generator-side predicate it must agree with.
struct FilterCase: Sendable, CustomTestStringConvertible {
    var name: String
    var filter: LogFilter
    var expected: @Sendable (GeneratedRecord) -> Bool
    var testDescription: String { name }

    static var all: [FilterCase] {
        func f(_ build: (inout LogFilter) -> Void) -> LogFilter { var x = LogFilter(); build(&x); return x }
        let base = InterleavedInputs.base
        return [
            FilterCase(name: "no filter", filter: LogFilter()) { _ in true },
            FilterCase(name: "level warn and above", filter: f { $0.minLevel = .warn }) { $0.level >= .warn },
            FilterCase(name: "level error", filter: f { $0.minLevel = .error }) { $0.level == .error },
            FilterCase(name: "service", filter: f { $0.services = ["svc1"] }) { $0.service == "svc1" },
            FilterCase(name: "two services", filter: f { $0.services = ["svc0", "svc2"] }) { $0.service != "svc1" },
            FilterCase(name: "trace ID", filter: f { $0.traces = [InterleavedInputs.trace(14)!] }) { $0.index == 14 },
            FilterCase(name: "trace prefix", filter: f { $0.traces = ["ab"] }) { $0.traceID != nil },
            FilterCase(name: "grep", filter: f { $0.grep = try? Pattern("time[o]ut$") }) { $0.message.hasSuffix("timeout") },
            FilterCase(name: "where key=value", filter: f { $0.conditions = [("status", "500")] }) { $0.status == "500" },
            FilterCase(name: "where service=", filter: f { $0.conditions = [("service", "svc2")] }) { $0.service == "svc2" },
            FilterCase(name: "since and until", filter: f {
                $0.since = Timestamp(seconds: base + 300)
                $0.until = Timestamp(seconds: base + 599)
            }) { $0.seconds >= base + 300 && $0.seconds <= base + 599 },
            FilterCase(name: "level, service and time together", filter: f {
                $0.minLevel = .warn; $0.services = ["svc0"]; $0.since = Timestamp(seconds: base + 600)
            }) { $0.level >= .warn && $0.service == "svc0" && $0.seconds >= base + 600 },
        ]
    }
}

@Suite("LogStream")
struct LogStreamTests {
    @Test("merging inputs gives every record, in time order (k-way merge)")
    func mergeOrder() throws {
        let inputs = try InterleavedInputs()
        let stream = inputs.stream()
        var seen: [(Int64, String, String)] = []
        stream.forEach { r in
            seen.append((r.timestamp?.nanos ?? -1, r.service ?? "", r.message))
            return true
        }
        #expect(seen.count == inputs.records.count)
        #expect(seen.map(\.0) == inputs.records.map { $0.seconds * 1_000_000_000 })
        #expect(seen.map(\.1) == inputs.records.map(\.service))
        #expect(seen.map(\.2) == inputs.records.map(\.message))
        for s in stream.stats {
            expectBalanced(s)
            #expect(s.parsed == InterleavedInputs.perInput, "\(s.path)")
            #expect(s.skipped == 0)
        }
    }

    @Test("filters keep exactly the matching records, and count() agrees with forEach", arguments: FilterCase.all)
    func filters(case c: FilterCase) throws {
        let inputs = try InterleavedInputs()
        let expected = inputs.records.filter(c.expected)
        var got: [String] = []
        inputs.stream(c.filter).forEach { r in got.append(r.message + "@" + (r.service ?? "")); return true }
        #expect(got == expected.map { $0.message + "@" + $0.service })
        #expect(inputs.stream(c.filter).count() == expected.count)
        #expect(!expected.isEmpty, "the case selects something")
    }

    @Test("stopping early ends the stream without waiting for the rest")
    func stopEarly() throws {
        let inputs = try InterleavedInputs()
        var n = 0
        inputs.stream().forEach { _ in n += 1; return n < 10 }
        #expect(n == 10)
    }

    @Test("a record without a timestamp keeps its place after the record before it")
    func untimedRecords() throws {
        let dir = try TempDirectory()
        let a = try dir.write("a.log", """
            {"ts":"2024-05-01T12:00:00Z","msg":"a1"}
            {"ts":"2024-05-01T12:00:04Z","msg":"a2"}
            {"msg":"a2 continued, no time"}
            {"ts":"2024-05-01T12:00:08Z","msg":"a3"}

            """)
        let b = try dir.write("b.log", """
            {"ts":"2024-05-01T12:00:02Z","msg":"b1"}
            {"ts":"2024-05-01T12:00:06Z","msg":"b2"}

            """)
        let stream = LogStream(units: InputDiscovery.discover([a, b]).units, filter: LogFilter(), needs: [.message])
        var order: [String] = []
        stream.forEach { order.append($0.message); return true }
        #expect(order == ["a1", "b1", "a2", "a2 continued, no time", "b2", "a3"])
    }

    @Test("span dumps in the inputs are left out of the log stream, and say so in their stats")
    func spanInputsSkipped() throws {
        let dir = try TempDirectory()
        let log = try dir.write("a.log", "{\"ts\":\"2024-05-01T12:00:00Z\",\"msg\":\"only\"}\n")
        let units = InputDiscovery.discover([log, TestPaths.fixture("spans/otlp-traces.json")]).units
        let stream = LogStream(units: units, filter: LogFilter(), needs: [.message])
        var messages: [String] = []
        stream.forEach { messages.append($0.message); return true }
        #expect(messages == ["only"])
        #expect(stream.stats.map(\.kind) == ["logs", "spans"])
    }

    @Test("time bounds and durations as users write them")
    func timeBounds() {
        #expect(TimeBound.parse("2024-05-01T12:00:00Z") == .at(Timestamp(seconds: InterleavedInputs.base)))
        #expect(TimeBound.parse("2h") == .beforeNewest(seconds: 7200))
        #expect(TimeBound.parse("1h30m") == .beforeNewest(seconds: 5400))
        #expect(TimeBound.parse("yesterday") == nil)
        let newest = Timestamp(seconds: InterleavedInputs.base, precision: 3)
        #expect(TimeBound.beforeNewest(seconds: 60).resolve(newest: newest)?.rfc3339() == "2024-05-01T11:59:00.000Z")
        #expect(Duration.parseNanos("250ms") == 250_000_000)
        #expect(Duration.parseNanos("1.5s") == 1_500_000_000)
        #expect(Duration.parseNanos("15x") == nil)
    }
}
