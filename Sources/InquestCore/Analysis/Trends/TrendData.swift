/// The series of a trend report, one value per bucket: what `report` analyses and
/// renders and what `check` rules read, through `SeriesProvider`.
///
/// Built from a `TrendAggregate` (`aggregate.data()`), with dense arrays from the first
/// bucket holding data to the last. A service whose requests come from spans ignores
/// its access-log requests, so that no request is counted twice.
public struct TrendData: SeriesProvider {
    public let start: Timestamp
    public let bucketNanos: Int64
    public let bucketCount: Int
    public let services: [String]
    public let patterns: [TrendAggregate.PatternInfo]
    /// Time of the first and last record or request.
    public let first: Timestamp
    public let last: Timestamp
    /// Log records without a time (not in any bucket).
    public let untimed: Int

    /// Log records of one service, level and pattern, per bucket.
    public struct LogSeries: Sendable {
        public var service: Int
        public var level: Level
        /// Index into `patterns`, or -1.
        public var pattern: Int
        public var counts: [Int]
    }

    /// Requests of one service and operation, per bucket.
    public struct RequestSeries: Sendable {
        public var service: Int
        public var operation: String
        public var tallies: [TrendAggregate.RequestTally]
    }

    public let logs: [LogSeries]
    public let requests: [RequestSeries]
    /// Services with request data (from spans or access logs).
    public let requestServices: Set<Int>

    public static let metrics = ["count", "rate", "requests", "request_rate", "errors", "error_rate", "p50", "p90", "p95", "p99"]

    init(start: Timestamp, bucketNanos: Int64, bucketCount: Int, services: [String], patterns: [TrendAggregate.PatternInfo],
         first: Timestamp, last: Timestamp, untimed: Int, logs: [LogSeries], requests: [RequestSeries]) {
        self.start = start; self.bucketNanos = bucketNanos; self.bucketCount = bucketCount
        self.services = services; self.patterns = patterns; self.first = first; self.last = last
        self.untimed = untimed; self.logs = logs; self.requests = requests
        self.requestServices = Set(requests.map(\.service))
    }

    /// Buckets without log or request data, for a report of metric series alone.
    public static func grid(start: Timestamp, bucketNanos: Int64, count: Int, last: Timestamp) -> TrendData {
        TrendData(start: start, bucketNanos: bucketNanos, bucketCount: count, services: [], patterns: [], first: start, last: last,
                  untimed: 0, logs: [], requests: [])
    }

    /// Start of bucket `i`.
    public func bucketStart(_ i: Int) -> Timestamp {
        Timestamp(nanos: start.nanos &+ Int64(i) &* bucketNanos, precision: 0)
    }

    var bucketSeconds: Double { Double(bucketNanos) / 1e9 }

    // MARK: - SeriesProvider

    public func values(metric: String, matching: [LabelMatcher]) -> [Double?]? {
        switch metric {
        case "count", "rate":
            let counts = logCounts(matching)
            let scale = metric == "rate" ? 1 / bucketSeconds : 1
            return counts.map { Double($0) * scale }
        case "requests", "request_rate", "errors":
            var sums = [Int](repeating: 0, count: bucketCount)
            for s in requests where matches(matching, request: s) {
                for i in 0..<bucketCount { sums[i] += metric == "errors" ? s.tallies[i].errors : s.tallies[i].requests }
            }
            let scale = metric == "request_rate" ? 1 / bucketSeconds : 1
            return sums.map { Double($0) * scale }
        case "error_rate":
            return errorRate(matching).map { $0.rate }
        case "p50", "p90", "p95", "p99":
            let q = (Double(metric.dropFirst()) ?? 50) / 100
            return latency(matching).map { h in h.quantile(q).map { Double($0) / 1e9 } }
        default:
            return nil
        }
    }

    public func labelValues(metric: String, label: String) -> [String] {
        var out = Set<String>()
        switch metric {
        case "count", "rate":
            for s in logs {
                switch label {
                case "service": out.insert(services[s.service])
                case "level": out.insert(s.level.name)
                case "pattern": if s.pattern >= 0 { out.insert(patterns[s.pattern].id) }
                default: break
                }
            }
        case "requests", "request_rate", "errors", "error_rate", "p50", "p90", "p95", "p99":
            for s in requests {
                if label == "service" { out.insert(services[s.service]) }
                if label == "operation" { out.insert(s.operation) }
            }
            if metric == "error_rate" && label == "service" {
                for s in logs where !requestServices.contains(s.service) { out.insert(services[s.service]) }
            }
        default: break
        }
        return out.sorted()
    }

    // MARK: - Sums

    static func matches(_ matchers: [LabelMatcher], _ label: (String) -> String?) -> Bool {
        matchers.allSatisfy { $0.matches(label($0.label)) }
    }

    func matches(_ m: [LabelMatcher], log s: LogSeries) -> Bool {
        Self.matches(m) { l in
            switch l {
            case "service": services[s.service]
            case "level": s.level.name
            case "pattern": s.pattern >= 0 ? patterns[s.pattern].id : nil
            default: nil
            }
        }
    }

    func matches(_ m: [LabelMatcher], request s: RequestSeries) -> Bool {
        Self.matches(m) { l in
            switch l {
            case "service": services[s.service]
            case "operation": s.operation
            default: nil
            }
        }
    }

    /// Log records per bucket of the series matching.
    public func logCounts(_ matching: [LabelMatcher]) -> [Int] {
        var sums = [Int](repeating: 0, count: bucketCount)
        for s in logs where matches(matching, log: s) {
            for i in 0..<bucketCount { sums[i] += s.counts[i] }
        }
        return sums
    }

    /// Failed ÷ requests per bucket, with the number of requests (or, for services without
    /// request data, of log records at error level or above ÷ log records).
    public func errorRate(_ matching: [LabelMatcher]) -> [(rate: Double?, total: Int)] {
        var num = [Int](repeating: 0, count: bucketCount)
        var den = [Int](repeating: 0, count: bucketCount)
        for s in requests where matches(matching, request: s) {
            for i in 0..<bucketCount { num[i] += s.tallies[i].errors; den[i] += s.tallies[i].requests }
        }
        for s in logs where !requestServices.contains(s.service) {
            let ok = Self.matches(matching) { $0 == "service" ? services[s.service] : nil }
            guard ok else { continue }
            let bad = s.level >= .error
            for i in 0..<bucketCount {
                den[i] += s.counts[i]
                if bad { num[i] += s.counts[i] }
            }
        }
        return (0..<bucketCount).map { i in (den[i] > 0 ? Double(num[i]) / Double(den[i]) : nil, den[i]) }
    }

    /// Merged latency histograms per bucket of the request series matching.
    public func latency(_ matching: [LabelMatcher]) -> [LatencyHistogram] {
        var out = [LatencyHistogram](repeating: LatencyHistogram(), count: bucketCount)
        for s in requests where matches(matching, request: s) {
            for i in 0..<bucketCount where s.tallies[i].latency.count > 0 { out[i].merge(s.tallies[i].latency) }
        }
        return out
    }

    /// Requests, errors and latency over the whole range for the series matching.
    public func total(_ matching: [LabelMatcher]) -> TrendAggregate.RequestTally {
        var t = TrendAggregate.RequestTally()
        for s in requests where matches(matching, request: s) {
            for x in s.tallies { t.merge(x) }
        }
        return t
    }

    /// Operations of a service with request data, by number of requests (most first).
    public func operations(of service: Int) -> [(name: String, requests: Int)] {
        requests.filter { $0.service == service }
            .map { ($0.operation, $0.tallies.reduce(0) { $0 + $1.requests }) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}

extension TrendAggregate {
    /// Most counts the dense series may hold (2^27 log counts, an eighth as many request tallies).
    static let maxSeriesCells = 1 << 27

    /// Why an aggregate cannot be laid out as series.
    public struct LayoutError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The aggregate as dense series from its first bucket to its last; nil when empty.
    /// - Throws: `LayoutError` when a fixed width gives more than `TrendBucketing.maxBuckets` buckets.
    public func data() throws(LayoutError) -> TrendData? {
        guard let f = first, let l = last, !isEmpty else { return nil }
        let w = bucketNanos
        let b0 = TrendBucketing.index(f, width: w)
        let n64 = TrendBucketing.index(l, width: w) - b0 + 1
        guard n64 <= Int64(TrendBucketing.maxBuckets) else {
            throw LayoutError(description: "\(n64) buckets of \(TrendBucketing.name(w)) from \(Timestamp(nanos: f).rfc3339(digits: 0)) to \(Timestamp(nanos: l).rfc3339(digits: 0)); give a wider --bucket or a narrower --since/--until")
        }
        let n = Int(n64)
        struct LogKey: Hashable { var service: Int32; var level: UInt8; var pattern: Int32 }
        // Dense series cost series × buckets: refuse, as series are made, what would not fit in memory.
        func tooMany(_ what: String, _ most: Int) -> LayoutError {
            LayoutError(description: "more than \(grouped(most)) \(what) series of \(n) buckets each do not fit in memory; give a wider --bucket, a narrower --since/--until, or --service")
        }
        let mostLogSeries = Self.maxSeriesCells / n, mostRequestSeries = Self.maxSeriesCells / 8 / n
        var logIndex: [LogKey: Int] = [:]
        var logs: [TrendData.LogSeries] = []
        for (k, v) in logCells {
            let key = LogKey(service: k.service, level: k.level, pattern: k.pattern)
            let i: Int
            if let found = logIndex[key] {
                i = found
            } else {
                i = logs.count
                guard i < mostLogSeries else { throw tooMany("log", mostLogSeries) }
                logIndex[key] = i
                logs.append(TrendData.LogSeries(service: Int(k.service), level: Level(rawValue: k.level) ?? .unknown,
                                                pattern: Int(k.pattern), counts: [Int](repeating: 0, count: n)))
            }
            logs[i].counts[Int(k.bucket - b0)] += v
        }
        logs.sort { ($0.service, $0.level.rawValue, $0.pattern) < ($1.service, $1.level.rawValue, $1.pattern) }

        let spanServices = Set(requestCells.keys.filter { $0.source == .spans }.map(\.service))
        struct RequestKey: Hashable { var service: Int32; var operation: Int32 }
        var requestIndex: [RequestKey: Int] = [:]
        var requests: [TrendData.RequestSeries] = []
        for (k, v) in requestCells {
            if k.source == .accessLog && spanServices.contains(k.service) { continue }
            let key = RequestKey(service: k.service, operation: k.operation)
            let i: Int
            if let found = requestIndex[key] {
                i = found
            } else {
                i = requests.count
                guard i < mostRequestSeries else { throw tooMany("request", mostRequestSeries) }
                requestIndex[key] = i
                requests.append(TrendData.RequestSeries(service: Int(k.service), operation: operations[Int(k.operation)],
                                                        tallies: Array(repeating: RequestTally(), count: n)))
            }
            requests[i].tallies[Int(k.bucket - b0)].merge(v)
        }
        requests.sort { ($0.service, $0.operation) < ($1.service, $1.operation) }
        // The first bucket may start before Int64.min for times in 1677: the start saturates.
        let (start, o) = b0.multipliedReportingOverflow(by: w)
        return TrendData(start: Timestamp(nanos: o ? .min : start, precision: 0), bucketNanos: w, bucketCount: n, services: services,
                         patterns: patterns, first: Timestamp(nanos: f), last: Timestamp(nanos: l), untimed: untimed,
                         logs: logs, requests: requests)
    }
}
