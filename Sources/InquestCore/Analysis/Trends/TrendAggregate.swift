/// The mergeable state of a trend report: counts and latency histograms per time
/// bucket, per service, level, log pattern and operation.
///
/// ```swift
/// var whole = firstHalf
/// whole.merge(secondHalf)          // the same as aggregating both inputs at once
/// let data = try whole.data()      // dense series for SeriesProvider, anomalies, rendering
/// ```
///
/// Cells are sparse (a dictionary from labels and bucket index to a count), and bucket
/// indexes are absolute (`floor(time / width)`, see `TrendBucketing`), so aggregates over
/// disjoint inputs add cell by cell; one with finer buckets is coarsened first. Names are
/// held in sorted tables and cells refer to them by index, so two aggregates of the same
/// records are equal (`==`) whatever order the records came in. Patterns are matched by
/// their stable ID.
///
/// Not kept: individual records, messages beyond one example a pattern, or samples of
/// latency (percentiles come from `LatencyHistogram`, about 2 % relative error).
public struct TrendAggregate: Sendable, Equatable {
    /// Log records of one service, level and pattern (-1: none) in one bucket.
    struct LogCell: Hashable, Sendable {
        var service: Int32
        var level: UInt8
        var pattern: Int32
        var bucket: Int64
    }

    /// Requests of one service and operation in one bucket, from spans or from access logs.
    struct RequestCell: Hashable, Sendable {
        var service: Int32
        var operation: Int32
        var source: RequestSource
        var bucket: Int64
    }

    /// Where request data comes from. A service with entry spans takes its requests from
    /// them; access-log lines count only for services without spans (no double counting).
    public enum RequestSource: UInt8, Sendable, Hashable { case spans = 0, accessLog = 1 }

    /// Requests, failures and latencies of one cell.
    public struct RequestTally: Sendable, Equatable {
        public var requests = 0
        public var errors = 0
        public var latency = LatencyHistogram()

        mutating func merge(_ o: RequestTally) {
            requests += o.requests
            errors += o.errors
            latency.merge(o.latency)
        }
    }

    /// One log template as mined, with what the aggregate saw of it.
    public struct PatternInfo: Sendable, Equatable {
        public var id: String
        public var template: String
        /// The first message of the pattern (by time).
        public var example: String
        public var first: Int64
        public var last: Int64
        /// Records of the pattern in the baseline (`--baseline`), which are not in the series.
        public var baselineCount: Int

        mutating func merge(_ o: PatternInfo) {
            if o.first < first || (o.first == first && (o.template, o.example) < (template, example)) {
                template = o.template
                example = o.example
            }
            first = min(first, o.first)
            last = max(last, o.last)
            baselineCount += o.baselineCount
        }
    }

    /// Width of a bucket in nanoseconds.
    public internal(set) var bucketNanos: Int64
    /// True when the width was given (`--bucket`) rather than chosen from the range.
    public let fixedWidth: Bool
    public internal(set) var services: [String] = []
    public internal(set) var operations: [String] = []
    public internal(set) var patterns: [PatternInfo] = []
    var logCells: [LogCell: Int] = [:]
    var requestCells: [RequestCell: RequestTally] = [:]
    /// Time of the first and last record or request counted.
    public internal(set) var first: Int64?
    public internal(set) var last: Int64?
    /// Log records without a time, which no bucket can hold.
    public internal(set) var untimed = 0

    /// - Parameter bucketNanos: a fixed width, or nil to choose one from the range.
    public init(bucketNanos: Int64?) {
        self.bucketNanos = bucketNanos ?? TrendBucketing.ladder[0]
        self.fixedWidth = bucketNanos != nil
    }

    public var isEmpty: Bool { logCells.isEmpty && requestCells.isEmpty }

    /// Log records counted.
    public var records: Int { logCells.values.reduce(0, +) }

    // MARK: - Merging

    /// Why two aggregates cannot be merged.
    public struct MergeError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Adds the cells of `other` (over inputs disjoint from this one's). The result is
    /// the aggregate of both inputs: coarsened to the wider bucket, then (for automatic
    /// widths) to the width the combined range calls for.
    /// - Throws: `MergeError` when fixed widths do not divide one another.
    public mutating func merge(_ other: TrendAggregate) throws(MergeError) {
        var other = other
        if other.bucketNanos != bucketNanos {
            let (fine, coarse) = bucketNanos < other.bucketNanos ? (bucketNanos, other.bucketNanos) : (other.bucketNanos, bucketNanos)
            guard coarse % fine == 0 else {
                throw MergeError(description: "bucket widths \(TrendBucketing.name(fine)) and \(TrendBucketing.name(coarse)) do not divide one another")
            }
            if bucketNanos < coarse { coarsen(to: coarse) } else { other.coarsen(to: coarse) }
        }
        // Names: union, sorted; cells of both re-indexed into the union.
        let serviceMap = Self.union(&services, other.services)
        let operationMap = Self.union(&operations, other.operations)
        var ids = patterns.map(\.id)
        let patternMap = Self.union(&ids, other.patterns.map(\.id))
        var merged = [PatternInfo?](repeating: nil, count: ids.count)
        for (old, new) in patternMap.mine.enumerated() { merged[Int(new)] = patterns[old] }
        for (old, new) in patternMap.theirs.enumerated() {
            if var m = merged[Int(new)] {
                m.merge(other.patterns[old])
                merged[Int(new)] = m
            } else {
                merged[Int(new)] = other.patterns[old]
            }
        }
        patterns = merged.compactMap { $0 }
        remap(services: serviceMap.mine, operations: operationMap.mine, patterns: patternMap.mine)
        for (k, v) in other.logCells {
            let key = LogCell(service: serviceMap.theirs[Int(k.service)], level: k.level,
                              pattern: k.pattern < 0 ? -1 : patternMap.theirs[Int(k.pattern)], bucket: k.bucket)
            logCells[key, default: 0] += v
        }
        for (k, v) in other.requestCells {
            let key = RequestCell(service: serviceMap.theirs[Int(k.service)], operation: operationMap.theirs[Int(k.operation)],
                                  source: k.source, bucket: k.bucket)
            requestCells[key, default: RequestTally()].merge(v)
        }
        first = [first, other.first].compactMap { $0 }.min()
        last = [last, other.last].compactMap { $0 }.max()
        untimed += other.untimed
        fitWidthToRange()
    }

    /// Merges `theirs` into the sorted table `mine`; returns old index → new index for both.
    static func union(_ mine: inout [String], _ theirs: [String]) -> (mine: [Int32], theirs: [Int32]) {
        let all = Array(Set(mine).union(theirs)).sorted()
        var index: [String: Int32] = [:]
        for (i, s) in all.enumerated() { index[s] = Int32(i) }
        let m = mine.map { index[$0] ?? 0 }
        let t = theirs.map { index[$0] ?? 0 }
        mine = all
        return (m, t)
    }

    /// Re-indexes cells after the name tables changed.
    mutating func remap(services s: [Int32], operations o: [Int32], patterns p: [Int32]) {
        var logs: [LogCell: Int] = [:]
        logs.reserveCapacity(logCells.count)
        for (k, v) in logCells {
            logs[LogCell(service: s[Int(k.service)], level: k.level, pattern: k.pattern < 0 ? -1 : p[Int(k.pattern)], bucket: k.bucket), default: 0] += v
        }
        logCells = logs
        var reqs: [RequestCell: RequestTally] = [:]
        reqs.reserveCapacity(requestCells.count)
        for (k, v) in requestCells {
            reqs[RequestCell(service: s[Int(k.service)], operation: o[Int(k.operation)], source: k.source, bucket: k.bucket), default: RequestTally()].merge(v)
        }
        requestCells = reqs
    }

    /// Sorts the name tables (patterns by ID) and re-indexes the cells: the canonical form
    /// that makes equal aggregates compare equal.
    mutating func canonicalize() {
        func order(_ names: [String]) -> [Int32] {
            let sorted = names.indices.sorted { names[$0] < names[$1] }
            var map = [Int32](repeating: 0, count: names.count)
            for (new, old) in sorted.enumerated() { map[old] = Int32(new) }
            return map
        }
        let s = order(services), o = order(operations), p = order(patterns.map(\.id))
        if s == Array(0..<Int32(s.count)) && o == Array(0..<Int32(o.count)) && p == Array(0..<Int32(p.count)) { return }
        services = services.sorted()
        operations = operations.sorted()
        patterns = patterns.sorted { $0.id < $1.id }
        remap(services: s, operations: o, patterns: p)
    }

    // MARK: - Bucket width

    /// Re-buckets every cell to `width`, a multiple of the current width.
    mutating func coarsen(to width: Int64) {
        guard width > bucketNanos, width % bucketNanos == 0 else { return }
        let factor = width / bucketNanos
        var logs: [LogCell: Int] = [:]
        for (k, v) in logCells {
            var n = k
            n.bucket = k.bucket.floorDiv(factor)
            logs[n, default: 0] += v
        }
        logCells = logs
        var reqs: [RequestCell: RequestTally] = [:]
        for (k, v) in requestCells {
            var n = k
            n.bucket = k.bucket.floorDiv(factor)
            reqs[n, default: RequestTally()].merge(v)
        }
        requestCells = reqs
        bucketNanos = width
    }

    /// For an automatic width: coarsens until the range fits in `maxAutomaticBuckets`.
    mutating func fitWidthToRange() {
        guard !fixedWidth, let f = first, let l = last else { return }
        let w = TrendBucketing.automatic(first: f, last: l, atLeast: bucketNanos)
        if w != bucketNanos { coarsen(to: w) }
    }
}
