import Foundation

/// Gathers the points of series as readers find them, a series per name and labels.
public struct MetricCollector: Sendable {
    public var series: [MetricSeries] = []
    var index: [String: Int] = [:]

    public init() {}

    mutating func add(name: String, labels: [(key: String, value: String)], unit: String?, point: MetricSeries.Point) {
        var key = name
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) { key += "\u{1}" + k + "\u{2}" + v }
        if let i = index[key] {
            series[i].points.append(point)
        } else {
            index[key] = series.count
            series.append(MetricSeries(name: name, labels: labels, unit: unit, points: [point]))
        }
    }

    /// Series in a stable order (name, then labels), each with its points in time order;
    /// series of the same name and labels (several files) are joined.
    public mutating func finish() -> [MetricSeries] {
        var byKey: [String: Int] = [:]
        var out: [MetricSeries] = []
        for s in series {
            let k = s.key
            if let i = byKey[k] { out[i].points += s.points } else { byKey[k] = out.count; out.append(s) }
        }
        // Each series' points in time order (stable: points of one time keep their order),
        // series spread over every core.
        let parts = out.count < 8 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount * 4, out.count)
        out.withUnsafeMutableBufferPointer { buffer in
            let slots = SharedSeries(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for i in (slots.buffer.count * part / parts)..<(slots.buffer.count * (part + 1) / parts) {
                    slots.sortPoints(i)
                }
            }
        }
        out.sort { $0.name != $1.name ? $0.name < $1.name : $0.key < $1.key }
        series = []
        index = [:]
        return out
    }
}

/// Reads the series of one metric input (a wide table, Prometheus exposition, or API JSON).
public enum MetricReader {
    public struct Result: Sendable {
        public var series: [MetricSeries]
        public var stats: InputStats
    }

    public static func read(unit: InputUnit, format forced: DetectedFormat? = nil) throws(InputError) -> Result {
        var stats = InputStats(path: unit.path)
        stats.compression = unit.compression
        let source = try unit.open()
        defer { source.close() }
        let (head, headGaps) = try source.readHead(upTo: 64 * 1024)
        let detected = forced ?? FormatRegistry.detect(head: head, columns: unit.limits.tableColumns)
        stats.format = detected.name
        stats.kind = detected.kind
        guard case .metrics(let format) = detected else { return Result(series: [], stats: stats) }
        var collector = MetricCollector()
        // An API answer is one JSON document, often on one line: read as span dumps are.
        var lines = LineReader(source: ReplaySource(prefix: head, rest: source, gaps: headGaps), chunkSize: unit.limits.blockSize,
                               maxLineBytes: format == .prometheusAPI ? max(unit.limits.maxLineBytes, 1 << 30) : unit.limits.maxLineBytes)
        switch format {
        case .table:
            guard let schema = TableSchema.required(.metrics, head: head, unit: unit, stats: &stats) else {
                return Result(series: [], stats: stats)
            }
            MetricTableFormat.read(&lines, schema: schema, unit: unit, into: &collector, stats: &stats)
        case .prometheus:
            PrometheusTextFormat.read(&lines, unit: unit, into: &collector, stats: &stats)
        case .prometheusAPI:
            let docs = JSONDocuments.read(&lines, maxDepth: unit.limits.maxJSONDepth)
            for i in docs.issues { stats.note(i) }
            stats.records += docs.brokenLines
            stats.skipped += docs.brokenLines
            for (value, _) in docs.documents { PrometheusAPIFormat.read(value, into: &collector, stats: &stats) }
        }
        let series = collector.finish()
        stats.series = series.count
        stats.entities = Set(series.compactMap(\.entity)).count
        return Result(series: series, stats: stats)
    }
}

/// Reads every metric dump among the inputs, several at a time.
public struct MetricLoad: Sendable {
    public var series: [MetricSeries]
    public var stats: [InputStats]
    public var unreadable: [InputStats]

    public init(series: [MetricSeries] = [], stats: [InputStats] = [], unreadable: [InputStats] = []) {
        self.series = series; self.stats = stats; self.unreadable = unreadable
    }

    public static func load(_ units: [InputUnit], format: DetectedFormat? = nil) -> MetricLoad {
        let box = ResultBox<(MetricReader.Result?, InputStats?)>(count: units.count)
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            do throws(InputError) {
                let r = try MetricReader.read(unit: units[i], format: format)
                box.set(i, (r.stats.kind == "metrics" ? r : nil, nil))
            } catch {
                box.set(i, (nil, .unreadable(units[i], error.message)))
            }
        }
        var collector = MetricCollector()
        var load = MetricLoad(series: [], stats: [], unreadable: [])
        for (r, failed) in box.take() {
            if let f = failed { load.unreadable.append(f) }
            if let r {
                load.stats.append(r.stats)
                collector.series += r.series
            }
        }
        load.series = collector.finish()
        return load
    }
}

/// Series that worker threads put in order, each its own indices.
struct SharedSeries: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<MetricSeries>
    func sortPoints(_ i: Int) {
        let sorted = buffer[i].points.withUnsafeBufferPointer { p in
            for k in p.indices.dropFirst() where p[k].time < p[k - 1].time { return false }
            return true
        }
        if !sorted { buffer[i].points.sort { $0.time < $1.time } }
    }
}
