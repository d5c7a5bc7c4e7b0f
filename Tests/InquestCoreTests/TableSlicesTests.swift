import Foundation
import Testing
@testable import InquestCore
#if canImport(Glibc)
import Glibc
#endif

/// The fast ways of reading tables give what the plain ways give: slices read on several
/// cores against one pass, the decimal reader against `strtod`, selection against a
/// sort, and counting traces against assembling them.
@Suite("Table slices and numbers")
struct TableSlicesTests {
    /// A deterministic generator (tests must not depend on the run).
    struct Mix { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E3779B97F4A7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; return z ^ (z >> 31) } }

    /// A span table with what real files hold among ordinary rows: blank lines, CRLF,
    /// a repeated header, quoted fields closed on their line, damaged rows and times out
    /// of range, traces split in runs.
    static func spanTable(rows: Int) -> String {
        var g = Mix(s: 3)
        let header = "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano"
        var out = header + "\n"
        for i in 0..<rows {
            let trace = String(format: "%032llx", g.next() % 40)
            let start = 1_700_000_000_000_000_000 + Int64(i) * 1000
            switch g.next() % 50 {
            case 0: out += "\n"
            case 1: out += header + "\r\n"
            case 2: out += "\(trace),s\(i),root,web-6d4cf56db6-x9k2p,GET,not-a-time,\(start)\n"
            case 3: out += "\(trace),s\(i),short\n"
            case 4: out += "\(trace),s\(i),root,web-6d4cf56db6-x9k2p,GET,9000000000000000000,9000000000000000001\n"
            case 5: out += ",s\(i),root,web,GET,\(start),\(start + 5)\n"
            case 6: out += "\(trace),s\(i),root,web-6d4cf56db6-x9k2p,\"GET, \"\"x\"\"\",\(start),\(start + 9)\r\n"
            case 7: out += "\(trace.uppercased()),s\(i),root,web,GET,\(start),\(start + 9)\n"
            default: out += "\(trace),s\(i),p\(i),cart-7b8c9d6f54-zxcvb,Get,\(start),\(start + 7)\n"
            }
        }
        return out
    }

    func schema(_ unit: InputUnit) throws -> TableSchema {
        let source = try unit.open()
        defer { source.close() }
        let (head, _) = try source.readHead(upTo: 64 * 1024)
        return try #require(head.withUnsafeBufferPointer { FormatRegistry.tableSchema($0, columns: [:]) })
    }

    @Test(arguments: [2, 3, 7])
    func spanTableSlicesCountAsOnePass(parts: Int) throws {
        let dir = try TempDirectory()
        let path = try dir.write("spans.csv", Self.spanTable(rows: 3000))
        let unit = try singleUnit(path)
        let schema = try schema(unit)
        var lines = LineReader(source: try unit.open())
        let (one, _) = SpanTableFormat.TraceTally.count(&lines, unit: unit, schema: schema)
        let sliced = try #require(TableSlices.read(unit, schema: schema, minimumBytes: 0, parts: parts) { _ in
            SpanTableFormat.TraceTally(schema: schema, path: path)
        })
        let joined = SpanTableFormat.TraceTally.joined(sliced, schema: schema, path: path)
        #expect(one.parsed > 2000 && one.bad.count > 100 && one.outOfRange.count > 20)
        #expect(joined.parsed == one.parsed)
        #expect(joined.perTrace == one.perTrace)
        #expect(joined.bad == one.bad)
        #expect(joined.outOfRange == one.outOfRange)
    }

    @Test func aFieldOpenAcrossLinesGivesSlicingUp() throws {
        let dir = try TempDirectory()
        let text = Self.spanTable(rows: 500) + "t,s,root,web,\"GET\nmore\",1700000000000000000,1700000000000000001\n" + Self.spanTable(rows: 500)
        let path = try dir.write("spans.csv", text)
        let unit = try singleUnit(path)
        let schema = try schema(unit)
        #expect(TableSlices.read(unit, schema: schema, minimumBytes: 0, parts: 3) { _ in SpanTableFormat.TraceTally(schema: schema, path: path) } == nil)
    }

    @Test func tracesCountedAsAssemblyCountsThem() throws {
        let dir = try TempDirectory()
        let a = try dir.write("a.csv", Self.spanTable(rows: 2000))
        let b = try dir.write("b.csv", Self.spanTable(rows: 300).replacingOccurrences(of: "s", with: "z"))
        let units = try [singleUnit(a), singleUnit(b)]
        let counted = TraceCounter.count(units, maxSpansPerTrace: 1_000_000)
        let load = SpanLoader.load(units, detail: .minimal)
        let traces = TraceAssembler.assemble(load.spans)
        #expect(counted.traces == traces.count && traces.count > 10)
        #expect(counted.load.stats.map(\.parsed) == load.stats.map(\.parsed))
        #expect(counted.load.stats.map(\.skipped) == load.stats.map(\.skipped))
        #expect(counted.load.stats.map(\.errors) == load.stats.map(\.errors))
        #expect(!counted.overLimit)
        #expect(TraceCounter.count(units, maxSpansPerTrace: 2).overLimit)
    }

    @Test(arguments: [2, 3, 5])
    func metricTableSlicesReadAsOnePass(parts: Int) throws {
        var g = Mix(s: 9)
        var text = "Time,PodName,CpuUsage(m),MemoryUsage(Mi)\n"
        for i in 0..<4000 {
            let pod = ["cart-7b8c9d6f54-zxcvb", "web-6d4cf56db6-x9k2p", "db-0"][Int(g.next() % 3)]
            switch g.next() % 40 {
            case 0: text += "\n"
            case 1: text += "2023-11-14 22:13:\(10 + i % 40).5 +0000 UTC m=+1.5,\(pod),oops,1\n"
            case 2: text += "2023-11-14 22:13:35 +0000 UTC,\(pod),NaN,\n"
            default: text += "\(1_700_000_000 + i),\(pod),\(Double(g.next() % 100_000) / 7),\(g.next() % 1000).25\n"
            }
        }
        let dir = try TempDirectory()
        let path = try dir.write("m.csv", text)
        let unit = try singleUnit(path)
        let schema = try schema(unit)
        func read(_ slices: Int?) throws -> ([MetricSeries], InputStats) {
            var lines = LineReader(source: try unit.open())
            var collector = MetricCollector()
            var stats = InputStats(path: path)
            MetricTableFormat.read(&lines, schema: schema, unit: unit, into: &collector, stats: &stats,
                                   sliceMinimum: slices == nil ? Int.max : 0, parts: slices)
            return (collector.finish(), stats)
        }
        let (one, oneStats) = try read(nil)
        let (sliced, slicedStats) = try read(parts)
        #expect(one.count == 6 && oneStats.skipped > 100)
        #expect(sliced.map(\.key) == one.map(\.key))
        #expect(sliced.map(\.points) == one.map(\.points))
        #expect(slicedStats.errors == oneStats.errors)
        #expect(slicedStats.records == oneStats.records && slicedStats.parsed == oneStats.parsed && slicedStats.skipped == oneStats.skipped)
    }

    /// The decimal reader rounds as C's `strtod` does, digit count and point placed at random.
    @Test func decimalsReadAsStrtodReadsThem() {
        var g = Mix(s: 17)
        var checked = 0
        for _ in 0..<200_000 {
            let digits = 1 + Int(g.next() % 20)
            var s = g.next() % 4 == 0 ? "-" : ""
            var body = ""
            for k in 0..<digits { body += String(k == 0 && g.next() % 3 == 0 ? 0 : g.next() % 10) }
            let point = Int(g.next() % UInt64(digits + 1))
            body.insert(".", at: body.index(body.startIndex, offsetBy: point))
            if g.next() % 5 == 0 { body = "0.000" + body.replacingOccurrences(of: ".", with: "") }
            s += body
            let expected = strtod(s, nil)
            var copy = s
            let got = copy.withUTF8 { TableValues.double($0) }
            #expect(got?.bitPattern == expected.bitPattern, "\(s)")
            if got?.bitPattern != expected.bitPattern { return }
            checked += 1
        }
        // Values whose halfway cases need the remainder, written out in full.
        for s in ["9007199254740993.0", "0.1000000000000000055511151231257827", "17.376216041659177", "-0.0", "123456789012345678.9",
                  "0.30000000000000004", "1.7976931348623157", "4.9406564584124654", "2.2250738585072011"] {
            var copy = s
            #expect(copy.withUTF8 { TableValues.double($0) }?.bitPattern == strtod(s, nil).bitPattern, "\(s)")
        }
        #expect(checked == 200_000)
    }

    @Test func medianBySelectionAsBySorting() {
        var g = Mix(s: 5)
        for n in [1, 2, 3, 10, 17, 100, 1001, 5000] {
            for spread in [3, 1000, 1 << 40] as [UInt64] {
                var values = (0..<n).map { _ in Double(g.next() % spread) - Double(spread / 2) }
                if n > 4 { values[1] = .infinity; values[2] = -.infinity }
                let sorted = values.sorted()
                let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
                let s = MetricSummary(MetricSeries(name: "x", labels: [], points: values.enumerated().map { .init(time: Int64($0.offset), value: $0.element) }))
                #expect(s.median == expected && s.min == sorted.first && s.max == sorted.last, "n \(n) spread \(spread)")
            }
        }
    }
}
