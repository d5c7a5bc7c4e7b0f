import Foundation
import Testing
@testable import InquestCore

/// Property: whatever bytes are corrupted, records read = parsed + skipped, and every
/// valid record the corruption did not touch is still parsed, on its own line.
@Suite("Corrupted input loses nothing it need not")
struct CorruptionPropertyTests {
    /// One generated input: its lines and the byte range of each (newline included).
    struct Generated {
        var bytes: [UInt8]
        var ranges: [Range<Int>]
    }

    static func generate(_ format: String, lines n: Int, rng: inout SplitMix64) -> Generated {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        let levels = ["info", "warn", "error", "debug"]
        for i in 0..<n {
            let start = bytes.count
            let second = 1_700_000_000 + i
            let level = levels[Int(rng.next() % 4)]
            let line: String
            switch format {
            case "json":
                line = "{\"ts\":\(second),\"level\":\"\(level)\",\"service\":\"svc\(rng.next() % 3)\",\"msg\":\"record \(i) ok\",\"n\":\(rng.next() % 1000)}"
            case "logfmt":
                line = "ts=\(second) level=\(level) service=svc msg=\"record \(i) ok\" n=\(rng.next() % 1000)"
            default:
                line = "2023-11-14T22:13:\(String(format: "%02d", i % 60))Z \(level.uppercased()) record \(i) ok"
            }
            bytes += Array(line.utf8)
            bytes.append(0x0A)
            ranges.append(start..<bytes.count)
        }
        return Generated(bytes: bytes, ranges: ranges)
    }

    /// Corrupts `k` random bytes (random values, newlines, deletions); returns the
    /// positions touched in the original numbering.
    static func corrupt(_ g: inout Generated, _ k: Int, rng: inout SplitMix64) -> Set<Int> {
        var touched = Set<Int>()
        var deletions: [Int] = []
        for _ in 0..<k {
            let p = Int(rng.next() % UInt64(g.bytes.count))
            touched.insert(p)
            switch rng.next() % 4 {
            case 0: g.bytes[p] = 0x0A
            case 1: deletions.append(p)
            case 2: g.bytes[p] = UInt8(truncatingIfNeeded: rng.next() | 0x80)   // invalid UTF-8 often
            default: g.bytes[p] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        for p in Set(deletions).sorted(by: >) { g.bytes.remove(at: p) }
        return touched
    }

    @Test("JSON lines, logfmt and plain text under random corruption", arguments: ["json", "logfmt", "plain"])
    func lineFormats(_ format: String) throws {
        var rng = SplitMix64(seed: 20261125)
        let forced: DetectedFormat = format == "json" ? .logLines(JSONLinesFormat())
            : format == "logfmt" ? .logLines(LogfmtFormat()) : .logLines(PlainTextFormat())
        for round in 0..<60 {
            var g = Self.generate(format, lines: 200, rng: &rng)
            let original = g
            let touched = Self.corrupt(&g, 1 + round % 12, rng: &rng)
            let unit = InputUnit.memory(g.bytes, name: "corrupt.\(format)")
            let reader = try LogReader(unit: unit, format: forced, needs: .all)
            var seen = Set<Int>()
            while let r = reader.next() {
                // "record N ok" inside the message names the generated line.
                let words = r.message.split(separator: " ")
                if words.count >= 3, words[0] == "record", words[2].hasPrefix("ok"), let n = Int(words[1]) { seen.insert(n) }
            }
            let s = reader.stats
            #expect(s.records == s.parsed + s.skipped, "round \(round): records = parsed + skipped")
            for (i, range) in original.ranges.enumerated() {
                // Untouched: no corrupted byte in the line, its newline, or the newline before it.
                let lo = max(0, range.lowerBound - 1)
                guard !touched.contains(where: { $0 >= lo && $0 < range.upperBound }) else { continue }
                // Plain text joins lines without a timestamp to the record before them: a line
                // after a corrupted one may become a continuation only if it lost its timestamp,
                // which an untouched line did not.
                #expect(seen.contains(i), "round \(round): untouched line \(i + 1) of \(format) was not parsed")
            }
        }
    }

    @Test("gzip with corrupted bytes: the invariant holds and nothing traps")
    func gzip() throws {
        var rng = SplitMix64(seed: 7)
        for round in 0..<40 {
            let g = Self.generate("json", lines: 300, rng: &rng)
            var compressed = try gzipped(g.bytes)
            for _ in 0..<(1 + round % 6) {
                let p = 10 + Int(rng.next() % UInt64(max(1, compressed.count - 10)))
                compressed[p] = UInt8(truncatingIfNeeded: rng.next())
            }
            if round % 5 == 0 { compressed.removeLast(Int(rng.next() % UInt64(compressed.count / 2))) }
            let unit = InputUnit.memory(compressed, name: "corrupt.log.gz")
            guard let reader = try? LogReader(unit: unit, format: .logLines(JSONLinesFormat()), needs: .all) else { continue }
            var parsed = 0
            while reader.next() != nil { parsed += 1 }
            let s = reader.stats
            #expect(s.records == s.parsed + s.skipped)
            #expect(parsed == s.parsed)
        }
    }
}
