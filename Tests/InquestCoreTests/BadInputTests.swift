import Foundation
import Testing
@testable import InquestCore

/// The messages `jsonLines(member, count:)` writes.
func jsonMessages(_ member: String, count: Int, from first: Int = 1) -> [String] {
    (first..<(first + count)).map { "\(member) line \($0) with some padding text to make it realistic" }
}

/// Damaged inputs: each is read without a crash, the damage is counted and located,
/// and records == parsed + skipped.
@Suite("Bad inputs")
struct BadInputTests {
    @Test("truncated gzip: the complete lines before the cut are parsed, the cut line is skipped",
          arguments: [40, 3000])  // inside the 64 KiB sniffed at open, and well past it
    func truncatedGzip(lines: Int) throws {
        let dir = try TempDirectory()
        let full = try gzipped(jsonLines("app", count: lines))
        let path = try dir.write("app.log.gz", Array(full[0..<(full.count * 6 / 10)]))
        let (records, stats, _) = try readLogs(path)
        expectBalanced(stats)
        #expect(records.count > lines / 4)
        #expect(records.count < lines)
        #expect(records.map(\.message) == Array(jsonMessages("app", count: lines).prefix(records.count)))
        #expect(stats.skipped == 1)
        #expect(stats.errors.contains { $0.line == records.count + 1 }, "the cut line is reported: \(stats.errors)")
        #expect(stats.errors.contains { $0.reason.contains("truncated") })
        let summary = Inspector.inspect(try singleUnit(path))
        #expect(summary.stats.skipped == 1)
        #expect(summary.stats.parsed == records.count)
    }

    /// Where to damage the middle member: right after its header (nothing of it comes
    /// out) or halfway through its data (part of it does).
    enum Damage: String, CaseIterable, Sendable { case header, middle }

    @Test("a corrupt member in the middle: the members before and after survive and the damage is reported",
          arguments: Damage.allCases, [40, 1500])
    func corruptMiddleMember(damage: Damage, lines: Int) throws {
        let dir = try TempDirectory()
        let b = try gzipped(jsonLines("b", count: lines))
        let broken = corrupt(b, at: damage == .header ? 10 : b.count / 2)
        let path = try dir.write("abc.log.gz", try gzipped(jsonLines("a", count: lines)) + broken + gzipped(jsonLines("c", count: lines)))
        let (records, stats, _) = try readLogs(path)
        expectBalanced(stats)
        let messages = records.map(\.message)
        #expect(Array(messages.prefix(lines)) == jsonMessages("a", count: lines))
        #expect(Array(messages.suffix(lines)) == jsonMessages("c", count: lines))
        #expect(stats.errors.contains { $0.reason.contains("corrupt") }, "\(stats.errors)")
        switch damage {
        case .header:
            // Nothing of b comes out and no line is cut.
            #expect(messages.count == 2 * lines)
            #expect(stats.skipped == 0)
        case .middle:
            // zlib may decode garbage for a while before it notices; whatever comes out of
            // b is counted, and b's lines before the damage are there.
            #expect(messages.count + stats.skipped > 2 * lines)
            #expect(messages.dropFirst(lines).first == jsonMessages("b", count: 1).first)
        }
    }

    @Test("invalid UTF-8 is repaired, counted and located; the records are kept")
    func invalidUTF8() throws {
        let dir = try TempDirectory()
        var bytes = Array("2024-05-01T12:00:00Z INFO caf".utf8) + [0xC3] + Array(" au lait\n".utf8)
        bytes += Array("2024-05-01T12:00:01Z WARN ok\n".utf8)
        bytes += Array("2024-05-01T12:00:02Z ERROR bad bytes ".utf8) + [0xFF, 0xFE, 0xED, 0xA0, 0x80] + [0x0A]
        let path = try dir.write("utf8.log", bytes)
        let (records, stats, _) = try readLogs(path)
        expectBalanced(stats)
        #expect(records.count == 3)
        #expect(stats.skipped == 0)
        #expect(stats.repaired == 2)
        #expect(stats.errors.map(\.line) == [1, 3])
        #expect(records[0].message == "caf\u{FFFD} au lait")
        #expect(records[2].message.hasPrefix("bad bytes \u{FFFD}"))
        #expect(records.map(\.level) == [.info, .warn, .error])
    }

    @Test("a 50 MB line is skipped and counted; the lines after it are parsed")
    func hugeLine() throws {
        let dir = try TempDirectory()
        let path = dir.url("huge.log").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data("2024-05-01T12:00:00Z INFO before\n2024-05-01T12:00:01Z INFO ".utf8))
        let block = Data(repeating: 0x78, count: 1 << 20)
        for _ in 0..<50 { try handle.write(contentsOf: block) }
        try handle.write(contentsOf: Data("\n2024-05-01T12:00:02Z ERROR after\n2024-05-01T12:00:03Z INFO last\n".utf8))
        try handle.close()

        let (records, stats, _) = try readLogs(path, needs: [.message])
        expectBalanced(stats)
        #expect(records.map(\.message) == ["before", "after", "last"])
        #expect(stats.records == 4)
        #expect(stats.skipped == 1)
        let error = try #require(stats.errors.first)
        #expect(error.line == 2)
        #expect(error.reason.contains("longer than \(8 << 20) bytes"))
        #expect(records[1].location.line == 3, "line numbers continue after the skipped line")
    }

    @Test("a binary file is reported as not a log and unreadable")
    func binary() throws {
        let dir = try TempDirectory()
        var rng = SplitMix64(seed: 42)
        var bytes = (0..<65_536).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for i in stride(from: 0, to: bytes.count, by: 97) { bytes[i] = 0 }
        let path = try dir.write("core.dump", bytes)
        let summary = Inspector.inspect(try singleUnit(path))
        expectBalanced(summary.stats)
        #expect(summary.stats.format == "binary")
        #expect(summary.stats.unreadable)
        #expect(summary.stats.records == 0)
        #expect(summary.stats.errors.contains { $0.reason.contains("not a log") })
        // Gzip of binary data is binary too once decompressed.
        let gz = try dir.write("core.dump.gz", try gzipped(bytes))
        #expect(Inspector.inspect(try singleUnit(gz)).stats.format == "binary")
    }

    @Test("an empty file gives no records and no complaint", arguments: ["", "\n\n  \n"])
    func empty(content: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write("empty.log", content)
        let (records, stats, format) = try readLogs(path)
        expectBalanced(stats)
        #expect(records.isEmpty)
        #expect(stats.records == 0)
        #expect(stats.errors.isEmpty)
        #expect(format.name == "empty")
        #expect(Inspector.inspect(try singleUnit(path)).stats.records == 0)
    }

    @Test("JSON lines cut off: the cut records are skipped at their lines, the rest parsed")
    func jsonCutOff() throws {
        let dir = try TempDirectory()
        let text = jsonLines("j", count: 5)
        var lines = text.split(separator: "\n").map(String.init)
        lines[2] = String(lines[2].prefix(40))          // cut in the middle of the file
        let cutLast = String(lines[4].prefix(55))        // and at the end, without a newline
        let path = try dir.write("cut.json", lines[0..<4].joined(separator: "\n") + "\n" + cutLast)
        let (records, stats, _) = try readLogs(path)
        expectBalanced(stats)
        #expect(records.map(\.message) == ["j line 1 with some padding text to make it realistic",
                                            "j line 2 with some padding text to make it realistic",
                                            "j line 4 with some padding text to make it realistic"])
        #expect(stats.skipped == 2)
        #expect(stats.errors.map(\.line) == [3, 5])
    }

    @Test("deeply nested JSON is refused, not a stack overflow")
    func deepNesting() throws {
        let dir = try TempDirectory()
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let logs = try dir.write("deep.json", "{\"msg\":\"ok\"}\n{\"msg\":\"deep\",\"data\":\(deep)}\n{\"msg\":\"after\"}\n")
        let (records, stats, _) = try readLogs(logs)
        expectBalanced(stats)
        #expect(records.map(\.message) == ["ok", "after"])
        #expect(stats.skipped == 1)
        let spans = try dir.write("deep-spans.json", "[{\"traceId\":\"a1\",\"id\":\"b1\",\"tags\":\(deep)}]")
        let result = try readSpans(spans)
        expectBalanced(result.stats)
        #expect(result.stats.errors.contains { $0.reason.contains("deeper") })
    }

    @Test("a span dump with broken spans: each is skipped at its line, the rest read")
    func brokenSpans() throws {
        let dir = try TempDirectory()
        let good = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"ok","startTimeUnixNano":"1714564800000000000","endTimeUnixNano":"1714564800100000000"}]}]}]}"#
        let noTrace = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"03","name":"no trace","startTimeUnixNano":"1"}]}]}]}"#
        let notJSON = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId""#
        let path = try dir.write("dump.jsonl", [good, noTrace, notJSON, good].joined(separator: "\n") + "\n")
        let result = try readSpans(path)
        expectBalanced(result.stats)
        #expect(result.stats.format == "otlp-traces")
        #expect(result.spans.count == 2)
        #expect(result.stats.skipped == 2)
        #expect(Set(result.stats.errors.map(\.line)) == [2, 3])
    }

    @Test("a path that does not exist is a problem, not a crash")
    func missingPath() {
        let (units, problems) = InputDiscovery.discover(["/nonexistent/inquest/\(UUID().uuidString).log"])
        #expect(units.isEmpty)
        #expect(problems.count == 1)
    }
}

@Suite("Odd but valid inputs")
struct OddInputTests {
    @Test("a UTF-8 byte order mark at the start does not cost the first record",
          arguments: ["{\"ts\":\"2024-05-01T12:00:00Z\",\"level\":\"info\",\"msg\":\"first\"}\n{\"ts\":\"2024-05-01T12:00:01Z\",\"msg\":\"second\"}\n",
                      "2024-05-01 12:00:00 INFO first\n2024-05-01 12:00:01 INFO second\n",
                      "ts=2024-05-01T12:00:00Z level=info msg=first\nts=2024-05-01T12:00:01Z level=info msg=second\n"])
    func byteOrderMark(text: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write("bom.log", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let (records, stats, _) = try readLogs(path)
        expectBalanced(stats)
        #expect(stats.skipped == 0, "\(stats.errors)")
        #expect(records.map(\.message) == ["first", "second"])
        #expect(records.first?.time == "2024-05-01T12:00:00Z")
    }

    @Test("OTLP logs from the collector's file exporter: one request a line")
    func otlpLogsLines() throws {
        let dir = try TempDirectory()
        let line = { (svc: String, t: String, n: Int, msg: String) in
            #"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(svc)"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"\#(t)","severityNumber":\#(n),"body":{"stringValue":"\#(msg)"}}]}]}]}"#
        }
        let path = try dir.write("otlp.jsonl", [line("a", "1714564800000000000", 9, "one"), line("b", "1714564801000000000", 17, "two")].joined(separator: "\n") + "\n")
        let (records, stats, format) = try readLogs(path)
        expectBalanced(stats)
        #expect(format.name == "otlp-logs")
        #expect(records.map(\.message) == ["one", "two"])
        #expect(records.map { $0.service ?? "-" } == ["a", "b"])
        #expect(records.map(\.level) == [.info, .error])
        #expect(records.map(\.location.line) == [1, 2])
    }

    @Test("a tar archive with a damaged header: the members before it are listed and the damage is a problem")
    func damagedTarHeader() throws {
        let dir = try TempDirectory()
        try dir.write("src/one.log", "2024-05-01T12:00:00Z INFO one\n")
        try dir.write("src/two.log", "2024-05-01T12:00:01Z INFO two\n")
        let tar = dir.path + "/pair.tar"
        try runProgram(tool("tar"), ["-cf", tar, "-C", dir.path + "/src", "one.log", "two.log"])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tar)))
        // one.log: header at 0, data in the next block; two.log's header at 1024.
        bytes[1024] ^= 0x20
        let path = try dir.write("damaged.tar", bytes)
        let (units, problems) = InputDiscovery.discover([path])
        #expect(units.map(\.path) == ["\(path):one.log"])
        #expect(problems.contains { $0.path == path && $0.reason.contains("tar header") }, "\(problems)")
    }
}
