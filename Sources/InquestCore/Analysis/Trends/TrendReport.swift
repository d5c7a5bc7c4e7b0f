/// What `inquest report` shows: per service volume, error rate and latency over the
/// range and per bucket, with their trends and forecasts; anomalies; top and new log
/// patterns. Computed from `TrendData`; renderers only lay it out.
public struct TrendReport: Sendable {
    /// One key series of a service: its values, trend and forecast.
    public struct KeySeries: Sendable {
        /// The metric as `check` names it: `requests`, `count`, `error_rate`, `p95`.
        public var metric: String
        public var values: [Double?]
        public var direction: TrendForecaster.Direction
        public var forecast: TrendForecaster.Forecast?
    }

    public struct ServiceSummary: Sendable {
        public var name: String
        public var records: Int
        public var levels: [(level: Level, count: Int)]
        /// Request totals over the range (zero without request data).
        public var requests: Int
        public var errors: Int
        /// Failed ÷ requests, or for a service without request data, error-level records ÷ records.
        public var errorRate: Double?
        /// Latency quantiles over the range, in seconds.
        public var p50: Double?
        public var p95: Double?
        public var p99: Double?
        public var hasRequests: Bool
        /// Volume (requests, or log records without request data), error rate, and p95 when known.
        public var series: [KeySeries]
        public var operations: [(name: String, requests: Int)]
    }

    public struct Anomaly: Sendable {
        public var start: Timestamp
        public var end: Timestamp
        public var service: String
        public var operation: String?
        public var metric: String
        public var observed: Double
        public var expected: Double
        public var score: Double
    }

    public struct PatternSummary: Sendable {
        public var id: String
        public var template: String
        public var example: String
        public var count: Int
        public var first: Timestamp
        public var last: Timestamp
        /// The service and the level with most records of the pattern.
        public var service: String
        public var level: Level
        public var isNew: Bool
    }

    /// A series of a metric dump on the report's buckets.
    public struct MetricTrend: Sendable {
        public var series: MetricSeries
        /// The mean of the series' points in each bucket.
        public var values: [Double?]
        public var anomalies: Int
    }

    public var data: TrendData
    public var services: [ServiceSummary]
    /// Series of metric dumps among the inputs, on the same buckets.
    public var metrics: [MetricTrend] = []
    var options = AnomalyDetector.Options()
    public var anomalies: [Anomaly]
    /// Every pattern, most frequent first.
    public var patterns: [PatternSummary]
    /// Patterns first seen after `newAfter` (or absent from the baseline), first seen first.
    public var newPatterns: [PatternSummary]
    /// Patterns are new after this time; nil when judged against a baseline.
    public var newAfter: Timestamp?
    public var period: Int?
    /// Buckets judged for anomalies (edge buckets only partly covered are not).
    public var judged: Range<Int>
    public var records: Int { services.reduce(0) { $0 + $1.records } }
    public var requests: Int { services.reduce(0) { $0 + $1.requests } }

    public init(_ data: TrendData, baseline: Bool = false, options: AnomalyDetector.Options = AnomalyDetector.Options()) {
        self.data = data
        self.options = options
        let n = data.bucketCount
        let period = AnomalyDetector.period(bucketNanos: data.bucketNanos, count: n)
        self.period = period
        // Edge buckets the data only partly covers look like drops: not judged.
        var lo = 0, hi = n
        if Timestamp.distance(data.start, data.first) > data.bucketNanos / 10 { lo = 1 }
        if Timestamp.distance(data.bucketStart(n - 1), data.last) < data.bucketNanos / 10 * 9 { hi = n - 1 }
        let judged = lo..<max(lo, hi)
        self.judged = judged

        var services: [ServiceSummary] = []
        var anomalies: [Anomaly] = []
        func anomaly(_ values: [Double?], _ kind: AnomalyDetector.Kind, support: [Int]?, service: String, operation: String?, metric: String) {
            let points = AnomalyDetector.score(values, kind: kind, support: support, period: period, judged: judged, options: options)
            for r in AnomalyDetector.runs(values, points: points, options: options) {
                anomalies.append(Anomaly(start: data.bucketStart(r.first), end: data.bucketStart(r.last + 1), service: service,
                                         operation: operation, metric: metric, observed: r.observed, expected: r.expected, score: r.score))
            }
        }
        for (si, name) in data.services.enumerated() {
            let sel = [LabelMatcher("service", .equal, name)]
            var levels: [Level: Int] = [:]
            for s in data.logs where s.service == si { levels[s.level, default: 0] += s.counts.reduce(0, +) }
            let records = levels.values.reduce(0, +)
            let hasRequests = data.requestServices.contains(si)
            let total = data.total(sel)
            let rates = data.errorRate(sel)
            let errorRate: Double?
            if hasRequests {
                errorRate = total.requests > 0 ? Double(total.errors) / Double(total.requests) : nil
            } else {
                let bad = levels.filter { $0.key >= .error }.values.reduce(0, +)
                errorRate = records > 0 ? Double(bad) / Double(records) : nil
            }
            func q(_ x: Double) -> Double? { total.latency.quantile(x).map { Double($0) / 1e9 } }
            var series: [KeySeries] = []
            func key(_ metric: String, _ values: [Double?], bounds: ClosedRange<Double>) {
                series.append(KeySeries(metric: metric, values: values,
                                        direction: TrendForecaster.direction(values, bucketNanos: data.bucketNanos, period: period),
                                        forecast: TrendForecaster.forecast(values, period: period, bounds: bounds)))
            }
            let big = Double.greatestFiniteMagnitude
            let volumeMetric = hasRequests ? "requests" : "count"
            let volume = data.values(metric: volumeMetric, matching: sel) ?? []
            key(volumeMetric, volume, bounds: 0...big)
            key("error_rate", rates.map(\.rate), bounds: 0...1)
            anomaly(volume, .count, support: nil, service: name, operation: nil, metric: volumeMetric)
            anomaly(rates.map(\.rate), .ratio, support: rates.map(\.total), service: name, operation: nil, metric: "error_rate")
            if hasRequests {
                let hist = data.latency(sel)
                let p95 = hist.map { h in h.quantile(0.95).map { Double($0) / 1e9 } }
                key("p95", p95, bounds: 0...big)
                anomaly(p95, .latency, support: hist.map(\.count), service: name, operation: nil, metric: "p95")
                if hasRequests && records > 0 {
                    anomaly(data.values(metric: "count", matching: sel) ?? [], .count, support: nil, service: name, operation: nil, metric: "count")
                }
            }
            // Operations with a fair share of the traffic: a regression of one shows before the service's.
            let ops = data.operations(of: si)
            if ops.count > 1 {
                for op in ops.prefix(8) where op.requests * 20 >= total.requests {
                    let osel = sel + [LabelMatcher("operation", .equal, op.name)]
                    let hist = data.latency(osel)
                    anomaly(hist.map { h in h.quantile(0.95).map { Double($0) / 1e9 } }, .latency, support: hist.map(\.count),
                            service: name, operation: op.name, metric: "p95")
                    let r = data.errorRate(osel)
                    anomaly(r.map(\.rate), .ratio, support: r.map(\.total), service: name, operation: op.name, metric: "error_rate")
                }
            }
            services.append(ServiceSummary(name: name, records: records,
                                           levels: levels.sorted { $0.key > $1.key }.map { ($0.key, $0.value) },
                                           requests: total.requests, errors: total.errors, errorRate: errorRate,
                                           p50: q(0.5), p95: q(0.95), p99: q(0.99), hasRequests: hasRequests,
                                           series: series, operations: ops))
        }
        self.services = services
        self.anomalies = anomalies.sorted { ($0.start, $0.service, $0.metric) < ($1.start, $1.service, $1.metric) }

        // Patterns: count, main service, highest level.
        var counts = [Int](repeating: 0, count: data.patterns.count)
        var byService = [[Int: Int]](repeating: [:], count: data.patterns.count)
        var byLevel = [[Level: Int]](repeating: [:], count: data.patterns.count)
        for s in data.logs where s.pattern >= 0 {
            let c = s.counts.reduce(0, +)
            counts[s.pattern] += c
            byService[s.pattern][s.service, default: 0] += c
            byLevel[s.pattern][s.level, default: 0] += c
        }
        let quarter = data.first.nanos + Timestamp.distance(data.first, data.last) / 4
        newAfter = baseline ? nil : Timestamp(nanos: quarter, precision: 0)
        var patterns: [PatternSummary] = []
        for (i, p) in data.patterns.enumerated() where counts[i] > 0 {
            let main = byService[i].max { ($0.value, data.services[$1.key]) < ($1.value, data.services[$0.key]) }?.key ?? 0
            let isNew = baseline ? p.baselineCount == 0 : p.first > quarter
            patterns.append(PatternSummary(id: p.id, template: p.template, example: p.example, count: counts[i],
                                           first: Timestamp(nanos: p.first, precision: 3), last: Timestamp(nanos: p.last, precision: 3),
                                           service: data.services.indices.contains(main) ? data.services[main] : "",
                                           level: byLevel[i].max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? .unknown,
                                           isNew: isNew))
        }
        self.patterns = patterns.sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
        self.newPatterns = patterns.filter(\.isNew).sorted { $0.first != $1.first ? $0.first < $1.first : $0.id < $1.id }
    }

    /// Adds the series of metric dumps: each on the report's buckets, its anomalies
    /// (a level far from its trailing median, either way) among the report's, with the
    /// series' entity (pod, service, instance…) as the service.
    public mutating func addMetrics(_ series: [MetricSeries]) {
        var added: [Anomaly] = []
        for s in series {
            let values = s.bucketMeans(start: data.start.nanos, width: data.bucketNanos, count: data.bucketCount)
            guard values.contains(where: { $0 != nil }) else { continue }
            let points = AnomalyDetector.score(values, kind: .gauge, period: period, judged: judged, options: options)
            let runs = AnomalyDetector.runs(values, points: points, options: options)
            for r in runs {
                added.append(Anomaly(start: data.bucketStart(r.first), end: data.bucketStart(r.last + 1), service: s.entity ?? s.name,
                                     operation: nil, metric: s.name, observed: r.observed, expected: r.expected, score: r.score))
            }
            metrics.append(MetricTrend(series: s, values: values, anomalies: runs.count))
        }
        anomalies = (anomalies + added).sorted { ($0.start, $0.service, $0.metric) < ($1.start, $1.service, $1.metric) }
    }
}
