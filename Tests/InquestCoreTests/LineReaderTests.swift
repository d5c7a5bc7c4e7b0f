import Testing
@testable import InquestCore

/// A line reader event with its bytes copied out (the reader only lends them).
enum LineEvent: Equatable, CustomStringConvertible {
    case line(String, Int)
    case skipped(Int)

    var description: String {
        switch self {
        case .line(let s, let n): "line \(n): \(s.count > 40 ? String(s.prefix(40)) + "…" : s)"
        case .skipped(let n): "skipped \(n)"
        }
    }
}

/// Reads every event, checking after each one that the buffer stayed within `bound`.
func lineEvents(_ source: any ByteSource, chunkSize: Int, maxLineBytes: Int = 8 << 20,
                bound: Int? = nil, reasons: UnsafeMutablePointer<[String]>? = nil) throws -> [LineEvent] {
    var reader = LineReader(source: source, chunkSize: chunkSize, maxLineBytes: maxLineBytes)
    var out: [LineEvent] = []
    while let e = try reader.next() {
        switch e {
        case .line(let raw, let number):
            out.append(.line(String(decoding: raw, as: UTF8.self), number))
        case .skipped(let number, let reason):
            out.append(.skipped(number))
            reasons?.pointee.append(reason)
        }
        if let bound { #expect(reader.capacity <= bound, "buffer grew to \(reader.capacity) > \(bound)") }
    }
    return out
}

/// The simple reference: split on LF, drop one CR before it, no line after a final LF.
func referenceLines(_ data: [UInt8]) -> [LineEvent] {
    var lines: [LineEvent] = []
    var current: [UInt8] = []
    func flush() {
        if current.last == 0x0D { current.removeLast() }
        lines.append(.line(String(decoding: current, as: UTF8.self), lines.count + 1))
        current = []
    }
    for b in data {
        if b == 0x0A { flush() } else { current.append(b) }
    }
    if !current.isEmpty { flush() }
    return lines
}

struct LineSample: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var testDescription: String { name }

    static let all: [LineSample] = [
        LineSample(name: "LF", bytes: Array("alpha\nbeta\ngamma\n".utf8)),
        LineSample(name: "CRLF", bytes: Array("alpha\r\nbeta\r\n\r\ngamma\r\n".utf8)),
        LineSample(name: "no trailing newline", bytes: Array("alpha\nbeta\ngamma without end".utf8)),
        LineSample(name: "empty lines", bytes: Array("\n\n\nx\n\n".utf8)),
        LineSample(name: "empty input", bytes: []),
        LineSample(name: "CR at the very end", bytes: Array("one\ntwo\r".utf8)),
        LineSample(name: "lone CR inside a line", bytes: Array("a\rb\nc\r\r\nd\n".utf8)),
        LineSample(name: "long and short lines", bytes: {
            // Lines from 0 to ~9000 bytes, so they straddle every chunk size and force growth.
            var rng = SplitMix64(seed: 7)
            var b: [UInt8] = []
            for i in 0..<60 {
                let len = i % 10 == 9 ? 9000 : Int(rng.next() % 300)
                b.append(contentsOf: (0..<len).map { UInt8(97 + ($0 + i) % 26) })
                b.append(contentsOf: i % 3 == 0 ? [0x0D, 0x0A] : [0x0A])
            }
            return b
        }()),
    ]
}

@Suite("LineReader")
struct LineReaderTests {
    static let chunkSizes = [1, 2, 3, 7, 64, 4096, 1 << 20]

    @Test("matches a reference split whatever the chunk size", arguments: chunkSizes, LineSample.all)
    func matchesReference(chunk: Int, sample: LineSample) throws {
        // The source hands out `chunk` bytes a read and the reader starts with a `chunk` buffer.
        let events = try lineEvents(ChunkedSource(sample.bytes, step: chunk), chunkSize: chunk)
        #expect(events == referenceLines(sample.bytes))
    }

    @Test("a line longer than maxLineBytes is skipped with its number; later lines come out",
          arguments: [1, 7, 64, 4096])
    func longLineSkipped(chunk: Int) throws {
        let max = 100
        var text = "first\n"
        text += String(repeating: "x", count: 250) + "\n"    // line 2: too long
        text += "third\n"
        text += String(repeating: "y", count: 101) + "\r\n"  // line 4: one byte too long
        text += String(repeating: "z", count: 5000)          // line 5: too long, at the end without LF
        text += "\nsixth"
        var reasons: [String] = []
        let events = try lineEvents(ChunkedSource(Array(text.utf8), step: chunk), chunkSize: chunk, maxLineBytes: max,
                                    bound: Swift.max(chunk, 64, max + 2), reasons: &reasons)
        #expect(events == [.line("first", 1), .skipped(2), .line("third", 3), .skipped(4), .skipped(5), .line("sixth", 6)])
        #expect(reasons.allSatisfy { $0.contains("longer than 100 bytes") })
    }

    @Test("a long line at the very end of the input is skipped")
    func longLastLine() throws {
        let text = "ok\n" + String(repeating: "q", count: 1000)
        let events = try lineEvents(MemorySource(Array(text.utf8)), chunkSize: 64, maxLineBytes: 128, bound: 130)
        #expect(events == [.line("ok", 1), .skipped(2)])
    }

    @Test("lines up to maxLineBytes are kept", arguments: [64, 4096])
    func lineAtTheLimitKept(chunk: Int) throws {
        let max = 200
        let exact = String(repeating: "e", count: max)
        let below = String(repeating: "b", count: max - 1)
        let text = below + "\n" + exact + "\n" + exact + "\r\nend\n"
        let events = try lineEvents(ChunkedSource(Array(text.utf8), step: 13), chunkSize: chunk, maxLineBytes: max)
        #expect(events == [.line(below, 1), .line(exact, 2), .line(exact, 3), .line("end", 4)])
    }

    @Test("memory stays bounded: the buffer never grows past the larger of chunk and maxLineBytes + CR LF")
    func memoryBounded() throws {
        // 3 MiB without a newline, then ordinary lines; max line 256 KiB.
        var bytes = [UInt8](repeating: 0x41, count: 3 << 20)
        bytes.append(contentsOf: Array("\nafter\n".utf8))
        let max = 256 << 10
        let events = try lineEvents(ChunkedSource(bytes, step: 1 << 16), chunkSize: 4096, maxLineBytes: max, bound: max + 2)
        #expect(events == [.skipped(1), .line("after", 2)])
    }

    @Test("a gap in the stream skips the line it cut and keeps counting lines")
    func gapSkipsCutLine() throws {
        let source = GapSource(parts: [
            (Array("line1\npart of line 2".utf8), nil),
            (Array("line3\nline4\n".utf8), Issue(line: 0, reason: "corrupt gzip member")),
        ])
        var reasons: [String] = []
        let events = try lineEvents(source, chunkSize: 64, reasons: &reasons)
        #expect(events == [.line("line1", 1), .skipped(2), .line("line3", 3), .line("line4", 4)])
        #expect(reasons.first?.contains("corrupt gzip member") == true)
    }

    @Test("gaps met while sniffing the head are replayed at the same place", arguments: [1, 5, 4096])
    func replayedGaps(headSize: Int) throws {
        func source() -> GapSource {
            GapSource(parts: [
                (Array("one\ntw".utf8), nil),
                (Array("three\nfo".utf8), Issue(line: 0, reason: "first gap")),
                (Array("five\nsix\n".utf8), Issue(line: 0, reason: "second gap")),
            ])
        }
        let direct = try lineEvents(source(), chunkSize: 64)
        #expect(direct == [.line("one", 1), .skipped(2), .line("three", 3), .skipped(4), .line("five", 5), .line("six", 6)])
        let raw = source()
        let (head, gaps) = try raw.readHead(upTo: headSize)
        let replayed = try lineEvents(ReplaySource(prefix: head, rest: raw, gaps: gaps), chunkSize: 64)
        #expect(replayed == direct)
    }

    @Test("the last line of a stream that ended early is skipped, not parsed")
    func endedEarlyLastLine() throws {
        let source = GapSource(parts: [(Array("complete\ncut off in the mid".utf8), nil)], endsEarly: true)
        let events = try lineEvents(source, chunkSize: 64)
        #expect(events == [.line("complete", 1), .skipped(2)])
    }
}

/// Hands out the given parts one a read, reporting each part's gap before its bytes.
final class GapSource: ByteSource {
    var parts: [([UInt8], Issue?)]
    var pending: Issue?
    let endsEarly: Bool
    var done = false
    init(parts: [([UInt8], Issue?)], endsEarly: Bool = false) { self.parts = parts; self.endsEarly = endsEarly }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard !parts.isEmpty else { done = true; return 0 }
        var (bytes, gap) = parts.removeFirst()
        pending = gap
        let n = min(buffer.count, bytes.count)
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        if n < bytes.count { bytes.removeFirst(n); parts.insert((bytes, nil), at: 0) }
        return n
    }
    func takeBreak() -> Issue? { defer { pending = nil }; return pending }
    var endedEarly: Bool { endsEarly && done }
}
