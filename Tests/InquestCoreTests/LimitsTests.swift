import Foundation
import Testing
@testable import InquestCore

/// Every limit that guards against hostile input stops with a clear reason, counted.
@Suite("Limits")
struct LimitsTests {
    @Test("a gzip bomb is cut by the expansion ratio, with a reason")
    func compressionRatio() throws {
        // 80 MiB of one repeated line compresses about 300 times over.
        let line = Array("{\"level\":\"info\",\"msg\":\"same again\"}\n".utf8)
        var plain: [UInt8] = []
        plain.reserveCapacity(80 << 20)
        while plain.count < 80 << 20 { plain += line }
        let compressed = try gzipped(plain)
        var limits = InputLimits()
        limits.maxCompressionRatio = 50
        let reader = try LogReader(unit: .memory(compressed, name: "bomb.log.gz", limits: limits), needs: [])
        var n = 0
        while reader.next() != nil { n += 1 }
        let s = reader.stats
        #expect(n > 0 && n < plain.count / line.count, "stopped part way")
        #expect(s.errors.contains { $0.reason.contains("expands more than 50 times") })
        #expect(s.records == s.parsed + s.skipped)
        // The default ratio lets the same file through whole.
        let whole = try LogReader(unit: .memory(compressed, name: "ok.log.gz"), needs: [])
        var m = 0
        while whole.next() != nil { m += 1 }
        #expect(m == plain.count / line.count)
    }

    @Test("JSON nested deeper than the limit is skipped and counted, shallower is read")
    func jsonDepth() throws {
        let deep = String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40)
        let text = "{\"msg\":\"fine\"}\n" + deep + "\n{\"msg\":\"after\"}\n"
        var limits = InputLimits()
        limits.maxJSONDepth = 16
        let reader = try LogReader(unit: .memory(Array(text.utf8), name: "deep.log", limits: limits),
                                   format: .logLines(JSONLinesFormat()), needs: .all)
        var messages: [String] = []
        while let r = reader.next() { messages.append(r.message) }
        #expect(messages == ["fine", "after"])
        #expect(reader.stats.skipped == 1)
        #expect(reader.stats.errors.first?.line == 2)
    }
}

@Suite("Limits on assembly")
struct AssemblyLimitsTests {
    @Test("a trace over the span limit keeps the first spans, counts the rest and says so")
    func spansPerTrace() {
        var spans = [codeSpan("root", startMs: 0, endMs: 1000)]
        for i in 0..<50 { spans.append(codeSpan("c\(i)", parent: "root", startMs: Int64(i), endMs: Int64(i + 5))) }
        spans.append(codeSpan("x", trace: "0123456789abcdef", startMs: 0, endMs: 1))
        var options = TraceAssembler.Options()
        options.maxSpansPerTrace = 20
        let traces = TraceAssembler.assemble(spans, options: options)
        let big = traces.first { $0.traceID == "feedfacefeedface" }
        #expect(big?.nodes.count == 20)
        #expect(big?.leftOutSpans == 31)
        #expect(big?.notes.contains { $0.contains("31 spans beyond the limit of 20") } == true)
        let small = traces.first { $0.traceID == "0123456789abcdef" }
        #expect(small?.leftOutSpans == 0 && small?.nodes.count == 1)
    }
}

@Suite("Times far from now")
struct FarTimesTests {
    @Test("records before 1970 and after 2100 are read, ordered and shown")
    func farTimes() throws {
        let text = """
        {"ts":"1900-01-01T00:00:00Z","msg":"a"}
        {"ts":-14182940,"msg":"b"}
        {"ts":"1969-12-31T23:59:59.999Z","msg":"c"}
        {"ts":"2100-03-01T00:00:00Z","msg":"d"}
        {"ts":"2262-04-11T23:47:16Z","msg":"e"}
        {"ts":"2262-04-12T00:00:00Z","msg":"f"}
        """
        let reader = try LogReader(unit: .memory(Array(text.utf8), name: "far.log"), needs: .all)
        var got: [(String, String?)] = []
        while let r = reader.next() { got.append((r.message, r.timestamp?.rfc3339())) }
        #expect(got.map(\.0) == ["a", "b", "c", "d", "e", "f"])
        #expect(got[0].1 == "1900-01-01T00:00:00Z")
        #expect(got[1].1 == "1969-07-20T20:17:40Z")
        #expect(got[2].1 == "1969-12-31T23:59:59.999Z")
        #expect(got[3].1 == "2100-03-01T00:00:00Z")
        #expect(got[4].1 == "2262-04-11T23:47:16Z")
        #expect(got[5].1 == nil, "past 2262 Int64 nanoseconds overflow: kept without a time, not a trap")
        #expect(reader.stats.skipped == 0)
        var sorted = got.compactMap { $0.1 }
        sorted.sort()
        #expect(sorted == got.compactMap { $0.1 }, "ordered as times")
    }
}

@Suite("Limits on directory walks")
struct WalkLimitsTests {
    @Test("a walk stops at --max-files and says so; the files it took are read")
    func maxFiles() throws {
        let dir = try TempDirectory()
        for i in 0..<5 { try dir.write("logs/app-\(i).log", "{\"msg\":\"\(i)\"}\n") }
        var limits = InputLimits()
        limits.maxFiles = 3
        let (units, problems) = InputDiscovery.discover([dir.path + "/logs"], limits: limits)
        #expect(units.count == 3)
        #expect(problems.count == 1)
        #expect(problems.first?.reason.contains("more than 3 files") == true)
    }

    @Test("a symbolic link loop is reported once and the walk goes on")
    func symlinkLoop() throws {
        let dir = try TempDirectory()
        try dir.write("a/app.log", "{\"msg\":\"x\"}\n")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/a/loop", withDestinationPath: dir.path + "/a")
        let (units, problems) = InputDiscovery.discover([dir.path + "/a"])
        #expect(units.map(\.path).filter { $0.hasSuffix("app.log") }.count == 1)
        #expect(problems.contains { $0.reason.contains("symbolic link loop") })
    }

    @Test("an unreadable file is reported and skipped", .enabled(if: geteuid() != 0, "root reads every file"))
    func permissionDenied() throws {
        let dir = try TempDirectory()
        let secret = try dir.write("d/secret.log", "{\"msg\":\"x\"}\n")
        try dir.write("d/open.log", "{\"msg\":\"y\"}\n")
        chmod(secret, 0)
        defer { chmod(secret, 0o644) }
        let (units, problems) = InputDiscovery.discover([dir.path + "/d"])
        let unreadable = problems.contains { $0.path.hasSuffix("secret.log") } ||
            units.contains { $0.path.hasSuffix("secret.log") && Inspector.inspect($0).stats.unreadable }
        #expect(unreadable)
        #expect(units.contains { $0.path.hasSuffix("open.log") })
    }
}
