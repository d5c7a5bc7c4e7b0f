import Foundation
import Testing
@testable import InquestCore

/// Partial result files are input like any other: they come back from a cluster's
/// tasks, and a damaged or crafted one must be refused with its reason, never trap.
@Suite("Partial result files")
struct PartialResultTests {
    static let dir = TestPaths.fixtures.appendingPathComponent("partials")

    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
    }

    func refusal(_ text: String) -> String? {
        do {
            _ = try PartialResult.read(Array(text.utf8), path: "p.json")
            return nil
        } catch {
            return error.message
        }
    }

    static let deps = #"{"inquest_partial":1,"kind":"deps","services":["a","b"],"edges":[{"caller":"a","callee":"b","dependency":false,"calls":CALLS,"errors":0,"latency_sum_ns":1.0,"latency_max_ns":5,"latency_buckets":[[INDEX,COUNT]]}]}"#

    func deps(calls: String = "1", index: String = "50", count: String = "1") -> String {
        Self.deps.replacingOccurrences(of: "CALLS", with: calls).replacingOccurrences(of: "INDEX", with: index)
            .replacingOccurrences(of: "COUNT", with: count)
    }

    static let report = #"{"inquest_partial":1,"kind":"report","bucket_ns":WIDTH,"fixed_width":true,"first_ns":FIRST,"last_ns":LAST,"services":["s"],"operations":[],"logs":[[0,3,-1,BUCKET,1]],"requests":[],"clusters":[],"signatures":[]}"#

    func report(width: String = "3600000000000", first: String = "7200000000000", last: String = "10800000000000",
                bucket: String = "2") -> String {
        Self.report.replacingOccurrences(of: "WIDTH", with: width).replacingOccurrences(of: "FIRST", with: first)
            .replacingOccurrences(of: "LAST", with: last).replacingOccurrences(of: "BUCKET", with: bucket)
    }

    @Test("the partials inquest writes read back, each of its kind")
    func fixturesRead() throws {
        for (name, kind) in [("deps.json", "deps"), ("patterns.json", "patterns"), ("report.json", "report"), ("report-access.json", "report")] {
            let p = try PartialResult.read(try bytes(name), path: name)
            #expect(p.kind == kind, "\(name)")
        }
        #expect(refusal(deps()) == nil)
        #expect(refusal(report()) == nil)
    }

    @Test("a latency bucket past the longest duration is refused, and no bucket makes a quantile trap")
    func latencyBucketsBounded() {
        #expect(refusal(deps(index: "5000"))?.contains("index up to \(LatencyHistogram.maxIndex)") == true)
        #expect(refusal(deps(index: String(LatencyHistogram.maxIndex))) == nil)
        let h = LatencyHistogram(buckets: [LatencyHistogram.maxIndex: 1], sumNanos: 1, maxNanos: .max)
        #expect(h?.quantile(0.99) == .max)
        #expect(LatencyHistogram(buckets: [LatencyHistogram.maxIndex + 1: 1], sumNanos: 1, maxNanos: 1) == nil)
        var recorded = LatencyHistogram()
        recorded.record(.max)
        #expect(recorded.buckets.keys.max() == LatencyHistogram.maxIndex)
    }

    @Test("counts past 2^48 in one file are refused, so merging the most files allowed cannot overflow")
    func countsBounded() throws {
        #expect(refusal(deps(calls: "9223372036854775807"))?.contains("2^48") == true)
        #expect(refusal(deps(count: "9223372036854775807"))?.contains("2^48") == true)
        // Calls and latency counts together pass the budget.
        #expect(refusal(deps(calls: String(1 << 47), count: String(1 << 47) )) == nil)
        #expect(refusal(deps(calls: String(1 << 47), count: String((1 << 47) + 1))) != nil)
        let big = try PartialResult.read(Array(deps(calls: String(1 << 47), count: String(1 << 47)).utf8), path: "p")
        guard case .deps(let d)? = try PartialResult.merge(Array(repeating: big, count: 64)) else {
            Testing.Issue.record("deps partials merge into deps")
            return
        }
        #expect(d.edges.first?.calls == 64 << 47)
        #expect(throws: PartialError.self) { try PartialResult.merge(Array(repeating: big, count: PartialResult.maxParts + 1)) }
    }

    @Test("a signature whose token count disagrees with its text, or a value past its tokens, is refused")
    func signaturesChecked() {
        func patterns(_ tokens: String, position: String = "1") -> String {
            #"{"inquest_partial":1,"kind":"patterns","signatures":[{"signature":"a <*> ","tokens":\#(tokens),"count":1,"baseline":0,"level":3,"errors":0,"example":"a 1","values":{"\#(position)":[["1",1]]}}]}"#
        }
        #expect(refusal(patterns("2")) == nil)
        #expect(refusal(patterns("4611686018427387904"))?.contains("do not match") == true)
        #expect(refusal(patterns("2", position: "9"))?.contains("token's number") == true)
    }

    @Test("report partials: the width, the range and every cell's bucket are checked")
    func reportChecked() {
        #expect(refusal(report(width: "7"))?.contains("bucket_ns") == true)
        #expect(refusal(report(width: "4611686018427387904"))?.contains("bucket_ns") == true)
        #expect(refusal(report(first: "10800000000000", last: "7200000000000"))?.contains("not a range") == true)
        #expect(refusal(report(bucket: "9000000000000000"))?.contains("first_ns...last_ns") == true)
        #expect(refusal(report(bucket: "1"))?.contains("first_ns...last_ns") == true)
        // The widest range there is reads, merges and lays out without overflow.
        let wide = report(width: "86400000000000", first: "-9223372036854775808", last: "9223372036854775807", bucket: "0")
        FuzzTarget.partial.run(Array(wide.utf8))
        #expect(refusal(wide) == nil)
    }

    @Test("a signature's sampled records out of bounds neither traps nor shows more than its count")
    func sampledBounded() throws {
        func signature(count: String, sampled: String, value: String) -> String {
            #"{"signature":"job <*> done ","tokens":3,"count":\#(count),"baseline":0,"level":0,"errors":0,"example":"job 1 done","sampled":\#(sampled),"values":{"1":[["1",\#(value)]]}}"#
        }
        let huge = signature(count: "2", sampled: "9223372036854775807", value: "1")
        let twice = #"{"inquest_partial":1,"kind":"patterns","signatures":["# + huge + "," + huge + "]}"
        FuzzTarget.partial.run(Array(twice.utf8))
        let small = #"{"inquest_partial":1,"kind":"patterns","signatures":["#
            + signature(count: "1099511627776", sampled: "1", value: "1099511627776") + "]}"
        FuzzTarget.partial.run(Array(small.utf8))
        let p = try PartialResult.read(Array(small.utf8), path: "p.json")
        guard case .patterns(let miner) = p else {
            Testing.Issue.record("a patterns partial reads as patterns")
            return
        }
        let shown = try #require(miner.finish().patterns.first?.variables.first?.first)
        #expect(shown.count <= 1_099_511_627_776)
    }

    @Test("every saved partial and its damaged copies go through read, merge and render without a trap")
    func damagedCopies() throws {
        for name in ["deps.json", "patterns.json", "report.json"] {
            let original = try bytes(name)
            FuzzTarget.partial.run(original)
            var rng = SplitMix64(seed: 7)
            for _ in 0..<200 {
                var copy = original
                for _ in 0..<3 {
                    let at = Int(rng.next() % UInt64(copy.count))
                    copy[at] = "0123456789-,[]{}\"e".utf8.map { $0 }[Int(rng.next() % 18)]
                }
                FuzzTarget.partial.run(copy)
            }
        }
    }
}
