import Foundation

/// What `inquest inspect` reports for one input.
public struct InputSummary: Sendable {
    public var stats: InputStats
    public var first: Timestamp?
    public var last: Timestamp?
    /// Service names with their record (or span) counts, most frequent first.
    public var services: [(name: String, count: Int)] = []
    /// Levels with counts, most severe first (logs).
    public var levels: [(level: Level, count: Int)] = []
    /// Distinct trace IDs (span dumps, and logs that carry trace IDs).
    public var traces = 0
    /// Spans read (span dumps).
    public var spans = 0
    /// Entities of metric series (pods, services, instances) with their sample counts.
    public var entities: [(name: String, count: Int)] = []
    /// Distinct metric names.
    public var metricNames = 0

    public init(stats: InputStats) { self.stats = stats }
}

/// Reads inputs to describe them: format, counts, damage, time range, services.
public enum Inspector {
    /// Inspects every unit, several at a time; results are in input order.
    public static func inspect(_ units: [InputUnit], format: DetectedFormat? = nil,
                               time: TimestampParser = TimestampParser()) -> [InputSummary] {
        let results = ResultBox<InputSummary>(count: units.count)
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            results.set(i, inspect(units[i], format: format, time: time))
        }
        return results.values
    }

    public static func inspect(_ unit: InputUnit, format: DetectedFormat? = nil, time: TimestampParser = TimestampParser()) -> InputSummary {
        let reader: LogReader
        do {
            reader = try LogReader(unit: unit, format: format, needs: [.service, .trace], time: time, checkUTF8: true)
        } catch {
            return InputSummary(stats: .unreadable(unit, error.message))
        }
        if reader.format.isSpans || reader.format.isMetrics {
            // Span and metric dumps are read whole by their own readers.
            do throws(InputError) {
                if reader.format.isMetrics {
                    let result = try MetricReader.read(unit: unit, format: format)
                    return summarize(series: result.series, stats: result.stats)
                }
                let result = try SpanReader.read(unit: unit, format: format)
                return summarize(spans: result.spans, stats: result.stats)
            } catch {
                var s = reader.stats
                s.unreadable = true
                s.note(Issue(line: 0, reason: error.message))
                return InputSummary(stats: s)
            }
        }
        var services: [String: Int] = [:]
        var levels = [Int](repeating: 0, count: Level.allCases.count)
        var traces = Set<String>()
        var first: Timestamp?, last: Timestamp?
        while let r = reader.next() {
            if let t = r.timestamp {
                if first == nil || t < first! { first = t }
                if last == nil || t > last! { last = t }
            }
            if let s = r.service { services[s, default: 0] += 1 }
            levels[Int(r.level.rawValue)] += 1
            if let t = r.traceID { traces.insert(t) }
        }
        var summary = InputSummary(stats: reader.stats)
        summary.first = first
        summary.last = last
        summary.services = services.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        summary.levels = Level.allCases.reversed().compactMap { l in levels[Int(l.rawValue)] > 0 ? (l, levels[Int(l.rawValue)]) : nil }
        summary.traces = traces.count
        return summary
    }

    static func summarize(series: [MetricSeries], stats: InputStats) -> InputSummary {
        var summary = InputSummary(stats: stats)
        var entities: [String: Int] = [:]
        var first = Int64.max, last = Int64.min
        for s in series {
            if let e = s.entity { entities[e, default: 0] += s.points.count }
            if let f = s.points.first?.time { first = min(first, f) }
            if let l = s.points.last?.time { last = max(last, l) }
        }
        if first <= last { summary.first = Timestamp(nanos: first); summary.last = Timestamp(nanos: last) }
        summary.entities = entities.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        summary.metricNames = Set(series.map(\.name)).count
        return summary
    }

    static func summarize(spans: [Span], stats: InputStats) -> InputSummary {
        var summary = InputSummary(stats: stats)
        var services: [String: Int] = [:]
        var traces = Set<String>()
        for s in spans {
            services[s.service, default: 0] += 1
            traces.insert(s.traceID)
            if s.start.nanos > 0 {
                if summary.first == nil || s.start < summary.first! { summary.first = s.start }
                if summary.last == nil || s.end > summary.last! { summary.last = s.end }
            }
        }
        summary.services = services.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        summary.traces = traces.count
        summary.spans = spans.count
        return summary
    }
}

/// Results written by concurrent workers, one slot each.
final class ResultBox<T>: @unchecked Sendable {
    let lock = NSLock()
    var slots: [T?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); slots[i] = v; lock.unlock() }
    func get(_ i: Int) -> T? { lock.lock(); defer { lock.unlock() }; return slots[i] }
    var values: [T] { lock.lock(); defer { lock.unlock() }; return slots.compactMap { $0 } }
    /// The values, leaving the box empty (so the caller holds the only references).
    func take() -> [T] {
        lock.lock(); defer { lock.unlock() }
        let out = slots.compactMap { $0 }
        slots = Array(repeating: nil, count: slots.count)
        return out
    }
}

extension Inspector {
    /// The newest timestamp across log inputs (for `--since 2h`), reading only times.
    public static func newest(_ units: [InputUnit], format: DetectedFormat? = nil) -> Timestamp? {
        let results = ResultBox<Timestamp?>(count: units.count)
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            var newest: Timestamp?
            if let reader = try? LogReader(unit: units[i], format: format, needs: []) {
                while let r = reader.next() { if let t = r.timestamp, newest == nil || t > newest! { newest = t } }
            }
            results.set(i, newest)
        }
        return results.values.compactMap { $0 }.max()
    }
}
