import Foundation

/// The number of traces among span dumps, for `traces --count` without filters: the
/// number of distinct trace IDs among the spans assembly would be given (assembly makes
/// one trace of each ID and drops none). Span tables are counted without making spans
/// (in slices on every core for a large plain file); other dumps are read as usual.
public enum TraceCounter {
    public struct Result: Sendable {
        public var traces: Int
        /// Stats and unreadable inputs as `SpanLoader.load` gives them.
        public var load: SpanLoad
        /// Some trace has more spans than `maxSpansPerTrace`: the caller assembles instead,
        /// to say which traces were cut.
        public var overLimit: Bool
    }

    public static func count(_ units: [InputUnit], format: DetectedFormat? = nil, maxSpansPerTrace: Int) -> Result {
        let box = ResultBox<One>(count: units.count)
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            do throws(InputError) {
                box.set(i, try countOne(units[i], format: format))
            } catch {
                box.set(i, One(failed: .unreadable(units[i], error.message)))
            }
        }
        var load = SpanLoad(spans: [], stats: [], logUnits: [], unreadable: [])
        var all: [String: Int] = [:]
        for one in box.take() {
            if let s = one.stats { load.stats.append(s) }
            if let f = one.failed { load.unreadable.append(f) }
            if all.isEmpty { all = one.perTrace } else { all.merge(one.perTrace, uniquingKeysWith: +) }
        }
        return Result(traces: all.count, load: load, overLimit: all.values.contains { $0 > maxSpansPerTrace })
    }

    struct One: Sendable { var perTrace: [String: Int] = [:]; var stats: InputStats?; var failed: InputStats? }

    static func countOne(_ unit: InputUnit, format: DetectedFormat?) throws(InputError) -> One {
        if let table = try tableTally(unit, format: format) { return One(perTrace: table.0, stats: table.1) }
        let r = try SpanReader.read(unit: unit, format: format, detail: .minimal)
        guard r.stats.kind == "spans" else { return One() }
        var perTrace: [String: Int] = [:]
        for s in r.spans { perTrace[s.traceID, default: 0] += 1 }
        return One(perTrace: perTrace, stats: r.stats)
    }

    /// Spans per trace ID and the input's stats when `unit` is a span table; nil otherwise
    /// (the caller reads it as `SpanReader.read` does).
    static func tableTally(_ unit: InputUnit, format forced: DetectedFormat?) throws(InputError) -> ([String: Int], InputStats)? {
        let source = try unit.open()
        defer { source.close() }
        let (head, headGaps) = try source.readHead(upTo: 64 * 1024)
        let detected = forced ?? FormatRegistry.detect(head: head, columns: unit.limits.tableColumns)
        guard case .spans(.spanTable) = detected else { return nil }
        var stats = InputStats(path: unit.path)
        stats.compression = unit.compression
        stats.kind = "spans"
        stats.format = detected.name
        guard let schema = TableSchema.required(.spans, head: head, unit: unit, stats: &stats) else { return ([:], stats) }
        var lines = LineReader(source: ReplaySource(prefix: head, rest: source, gaps: headGaps), chunkSize: unit.limits.blockSize,
                               maxLineBytes: unit.limits.maxLineBytes)
        let (tally, issues) = SpanTableFormat.TraceTally.count(&lines, unit: unit, schema: schema)
        // As SpanReader.finish: stream issues, then damaged rows, then spans out of range.
        for i in issues { stats.note(i) }
        for b in tally.bad { stats.note(b) }
        for b in tally.outOfRange { stats.note(b) }
        stats.parsed = tally.parsed
        stats.skipped = tally.bad.count + tally.outOfRange.count
        stats.records = stats.parsed + stats.skipped
        return (tally.perTrace, stats)
    }
}
