import Foundation
import Testing
@testable import InquestCore

/// JSON log lines `member-N` numbered from 1, so any loss or reordering shows.
func jsonLines(_ member: String, count: Int, from first: Int = 1) -> String {
    (first..<(first + count)).map { i in
        "{\"ts\":\"2024-05-01T12:\(String(format: "%02d:%02d", (i / 60) % 60, i % 60)).000Z\",\"level\":\"info\",\"service\":\"\(member)\",\"msg\":\"\(member) line \(i) with some padding text to make it realistic\"}\n"
    }.joined()
}

/// Overwrites `count` bytes of a gzip member's deflate data, starting `at` bytes in.
func corrupt(_ gz: [UInt8], at: Int, count: Int = 48) -> [UInt8] {
    var b = gz
    for i in at..<min(at + count, b.count - 8) { b[i] = 0xFF }
    return b
}

@Suite("GzipSource")
struct GzipSourceTests {
    @Test("one member decompresses to the original bytes", arguments: [1, 3, 16, 4096, 1 << 20])
    func singleMember(inputChunk: Int) throws {
        let text = jsonLines("a", count: 300)
        let gz = try GzipSource(input: MemorySource(try gzipped(text)), path: "a.gz", chunkSize: inputChunk)
        let (bytes, gaps) = try drain(gz, step: 777)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
        #expect(gaps.isEmpty)
        #expect(!gz.endedEarly)
        #expect(gz.members == 1)
        #expect(gz.totalOut == Int64(text.utf8.count))
    }

    @Test("members written one after another (cat a.gz b.gz) read as one stream")
    func multiMember() throws {
        let a = jsonLines("a", count: 50), b = jsonLines("b", count: 70), c = "last line without newline"
        let gz = try GzipSource(input: MemorySource(try gzipped(a) + gzipped(b) + gzipped(c)), path: "abc.gz")
        let (bytes, gaps) = try drain(gz)
        #expect(String(decoding: bytes, as: UTF8.self) == a + b + c)
        #expect(gaps.isEmpty)
        #expect(gz.members == 3)
    }

    @Test("a truncated member gives the bytes before the cut and says it ended early")
    func truncated() throws {
        let text = jsonLines("a", count: 2000)
        let full = try gzipped(text)
        let gz = try GzipSource(input: MemorySource(Array(full[0..<(full.count * 6 / 10)])), path: "cut.gz")
        let (bytes, gaps) = try drain(gz)
        #expect(bytes.count > text.utf8.count / 3)
        #expect(bytes.count < text.utf8.count)
        #expect(Array(text.utf8.prefix(bytes.count)) == bytes)
        #expect(gz.endedEarly)
        #expect(gaps.count == 1)
        #expect(gaps.first?.reason.contains("truncated") == true)
    }

    @Test("a corrupt member in the middle is reported and the next member is read")
    func corruptMiddleMember() throws {
        let a = jsonLines("a", count: 40), b = jsonLines("b", count: 40), c = jsonLines("c", count: 40)
        // Right after the 10-byte header: an invalid block type, so nothing of b comes out.
        let bad = corrupt(try gzipped(b), at: 10)
        let gz = try GzipSource(input: MemorySource(try gzipped(a) + bad + gzipped(c)), path: "abc.gz")
        let (bytes, gaps) = try drain(gz)
        #expect(String(decoding: bytes, as: UTF8.self) == a + c)
        #expect(gaps.count == 1)
        #expect(gaps.first?.reason.contains("corrupt gzip member") == true)
        #expect(!gz.endedEarly)
    }

    @Test("zero padding after the last member is ignored without a complaint")
    func zeroPadding() throws {
        let text = jsonLines("a", count: 20)
        let gz = try GzipSource(input: MemorySource(try gzipped(text) + [UInt8](repeating: 0, count: 4096)), path: "pad.gz")
        let (bytes, gaps) = try drain(gz)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
        #expect(gaps.isEmpty)
        #expect(!gz.endedEarly)
    }

    @Test("bytes after the last member that are not gzip are reported")
    func trailingGarbage() throws {
        let text = jsonLines("a", count: 5)
        let gz = try GzipSource(input: MemorySource(try gzipped(text) + Array("not gzip at all".utf8)), path: "junk.gz")
        let (bytes, gaps) = try drain(gz)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
        #expect(gaps.map(\.reason).contains { $0.contains("not gzip") })
    }

    @Test("output beyond maxOutput is refused (gzip bomb guard)")
    func bombGuard() throws {
        let zeros = [UInt8](repeating: 0x30, count: 1 << 20)
        let gz = try GzipSource(input: MemorySource(try gzipped(zeros)), path: "bomb.gz")
        gz.maxOutput = 100_000
        let (bytes, gaps) = try drain(gz, step: 4096)
        #expect(bytes.count <= 100_000 + 4096)
        #expect(gz.endedEarly)
        #expect(gaps.contains { $0.reason.contains("limit") })
    }
}

@Suite("Gzip inputs")
struct GzipInputTests {
    @Test("gzip is detected from the magic bytes, whatever the file is called", arguments: ["notes.txt", "app.log", "noextension"])
    func detectedByMagic(name: String) throws {
        let dir = try TempDirectory()
        let text = jsonLines("svc", count: 25)
        let path = try dir.write(name, try gzipped(text))
        let unit = try singleUnit(path)
        #expect(unit.compression == .gzip)
        let (records, stats, _) = try readLogs(unit: unit)
        #expect(records.map(\.message) == (1...25).map { "svc line \($0) with some padding text to make it realistic" })
        #expect(stats.skipped == 0)
        #expect(stats.compression == .gzip)
    }

    @Test("a plain file named .gz is read as plain text")
    func plainNamedGz() throws {
        let dir = try TempDirectory()
        let path = try dir.write("fake.log.gz", jsonLines("p", count: 3))
        let unit = try singleUnit(path)
        #expect(unit.compression == .none)
        let (records, stats, _) = try readLogs(unit: unit)
        #expect(records.count == 3)
        #expect(stats.skipped == 0)
    }

    @Test("a multi-member file gives the records of every member, in order")
    func multiMemberFile() throws {
        let dir = try TempDirectory()
        let path = try dir.write("multi.log.gz", try gzipped(jsonLines("a", count: 30)) + gzipped(jsonLines("b", count: 30)))
        let (records, stats, _) = try readLogs(path)
        #expect(records.count == 60)
        #expect(records.first?.service == "a")
        #expect(records.last?.service == "b")
        #expect(records.last?.message.hasPrefix("b line 30 ") == true)
        #expect(stats.skipped == 0 && stats.errors.isEmpty)
    }

    @Test("a reader dropped before the end stops its decompression thread")
    func abandonedReader() async throws {
        let dir = try TempDirectory()
        // About 8 MB once decompressed: more than the prefetch queue holds.
        let line = "{\"ts\":\"2024-05-01T12:00:00Z\",\"level\":\"info\",\"msg\":\"" + String(repeating: "x", count: 100) + "\"}\n"
        let path = try dir.write("big.log.gz", try gzipped(String(repeating: line, count: 64_000)))
        weak var prefetch: PrefetchSource?
        do {
            let reader = try LogReader(unit: try singleUnit(path))
            prefetch = try #require(reader.source as? PrefetchSource)
            #expect(reader.next() != nil)
        }
        // The producer thread holds the source until it returns.
        for _ in 0..<100 where prefetch != nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(prefetch == nil, "the decompression thread is still waiting")
    }

    @Test("zero padding after the members is tolerated")
    func zeroPaddedFile() throws {
        let dir = try TempDirectory()
        let path = try dir.write("padded.log.gz", try gzipped(jsonLines("a", count: 10)) + [UInt8](repeating: 0, count: 10_000))
        let (records, stats, _) = try readLogs(path)
        #expect(records.count == 10)
        #expect(stats.errors.isEmpty)
        expectBalanced(stats)
    }
}
