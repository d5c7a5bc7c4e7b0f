import Testing
@testable import InquestCore

/// A `SeriesProvider` of a few series written out by hand: one-minute buckets from
/// 2026-11-25T10:00:00Z, a series per metric and service; a selector without a service
/// sums (counts) or takes the first matching series (ratios and latency). Series have no
/// other labels.
struct FakeSeries: SeriesProvider {
    var start = Timestamp(seconds: 1_795_600_800)
    var bucketNanos: Int64 = 60_000_000_000
    var bucketCount: Int
    /// metric → service → values.
    var series: [String: [String: [Double?]]]

    init(_ series: [String: [String: [Double?]]]) {
        self.series = series
        bucketCount = series.values.flatMap(\.values).map(\.count).max() ?? 0
    }

    func values(metric: String, matching: [LabelMatcher]) -> [Double?]? {
        guard RuleMetric.named(metric) != nil else { return nil }
        let kind = RuleMetric.named(metric)?.kind
        let selected = (series[metric] ?? [:]).filter { service, _ in
            matching.allSatisfy { $0.matches($0.label == "service" ? service : nil) }
        }.sorted { $0.key < $1.key }.map(\.value)
        let empty: Double? = kind == .count || kind == .rate ? 0 : nil
        guard !selected.isEmpty else { return Array(repeating: empty, count: bucketCount) }
        if kind == .count || kind == .rate {
            return (0..<bucketCount).map { i in selected.reduce(0) { $0 + (i < $1.count ? $1[i] ?? 0 : 0) } }
        }
        return selected[0]
    }

    func labelValues(metric: String, label: String) -> [String] {
        label == "service" ? (series[metric] ?? [:]).keys.sorted() : []
    }
}

@Suite("Rule backtest")
struct RuleBacktestTests {
    let minute: Int64 = 60_000_000_000

    func firings(_ expr: String, for forNanos: Int64 = 0, _ series: FakeSeries) throws -> [RuleBacktest.Firing] {
        let rule = try AlertRule("R", expr, for: forNanos, severity: "page")
        return RuleBacktest.evaluate(rule, on: series).0
    }

    @Test func firesAtOnceWithoutFor() throws {
        let s = FakeSeries(["error_rate": ["payment": [0, 0.1, 0.2, 0.01, 0.3, 0.3]]])
        let f = try firings(#"error_rate{service="payment"} > 5%"#, s)
        #expect(f.map(\.startBucket) == [1, 4])
        #expect(f.map(\.endBucket) == [2, 5])
        #expect(f.map(\.ongoing) == [false, true])
        #expect(f[0].peak == 0.2 && f[0].peakBucket == 2 && f[0].threshold == 0.05)
        #expect(f[0].start == Timestamp(seconds: 1_795_600_860))
        #expect(f[0].end == Timestamp(seconds: 1_795_600_980), "end of the last bucket held")
        #expect(f[0].durationNanos == 2 * minute)
        #expect(f[0].peakAt == Timestamp(seconds: 1_795_600_920))
        #expect(f[0].severity == "page" && f[0].alert == "R")
    }

    @Test func forWaitsWholeBucketsRoundedUp() throws {
        // Holds from bucket 1 to 5: pending at 1; `for: 2m` fires at 3, `for: 90s` too (rounded up).
        let s = FakeSeries(["requests": ["a": [0, 5, 5, 9, 5, 5, 0, 5, 5]]])
        for d in [2 * minute, 90_000_000_000] {
            let f = try firings("requests > 1", for: d, s)
            #expect(f.map(\.startBucket) == [3], "\(d)")
            #expect(f.first?.pendingSinceBucket == 1)
            #expect(f.first?.endBucket == 5)
            // The peak is among the firing buckets.
            #expect(f.first?.peak == 9 && f.first?.peakBucket == 3)
        }
        // Buckets 7–8 hold for two buckets only: pending, never firing, with for: 2m.
        #expect(try firings("requests > 1", for: 2 * minute, s).count == 1)
        #expect(try firings("requests > 1", for: minute, s).map(\.startBucket) == [2, 8])
        // for: longer than any run never fires.
        #expect(try firings("requests > 1", for: 10 * minute, s).isEmpty)
    }

    @Test func bucketsWithoutDataBreakTheCondition() throws {
        let s = FakeSeries(["p99": ["checkout": [1.0, nil, 1.0, 1.0, nil]]])
        let f = try firings(#"p99{service="checkout"} > 800ms"#, s)
        #expect(f.map(\.startBucket) == [0, 2])
        #expect(f.map(\.endBucket) == [0, 3])
        #expect(f.map(\.ongoing) == [false, false])
        // nil is not "less than" either.
        #expect(try firings(#"p99{service="checkout"} < 800ms"#, s).isEmpty)
    }

    @Test func peakFollowsTheComparisonsDirection() throws {
        let s = FakeSeries(["requests": ["a": [10, 3, 1, 2, 10]]])
        let low = try firings("requests < 5", s)
        #expect(low.count == 1 && low[0].peak == 1 && low[0].peakBucket == 2)
        let ne = try firings("requests != 2", FakeSeries(["requests": ["a": [3, 9, 0]]]))
        #expect(ne.first?.peak == 9)
    }

    @Test func baselineMultiple() throws {
        // A steady 10 per bucket, then a spike to 50: 2× baseline (20) holds at the spike only.
        let values: [Double?] = Array(repeating: 10, count: 10) + [50, 50, 10]
        let s = FakeSeries(["rate": ["cart": values]])
        let f = try firings("rate > 2x baseline", s)
        #expect(f.count == 1)
        #expect(f.first?.startBucket == 10 && f.first?.endBucket == 11)
        #expect(f.first?.threshold == 20 && f.first?.peak == 50)
        // The baseline is unknown for the first three buckets: nothing fires there, even on 0× baseline.
        #expect(try firings("rate >= 0x baseline", s).first?.startBucket == 3)
    }

    @Test func baselineWindowPerRule() throws {
        // A plateau from bucket 5: the default window (24 buckets) lets the baseline
        // catch up only when half the past is on the plateau (bucket 10); a window of
        // three buckets catches up after two.
        let values: [Double?] = [1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5]
        let s = FakeSeries(["rate": ["cart": values]])
        var rule = try AlertRule("R", "rate > 2x baseline")
        let long = RuleBacktest.evaluate(rule, on: s).0
        #expect(long.first?.startBucket == 5 && long.first?.endBucket == 9)
        rule.baselineNanos = 3 * minute
        let short = RuleBacktest.evaluate(rule, on: s).0
        #expect(short.first?.startBucket == 5 && short.first?.endBucket == 6)
    }

    @Test func andOr() throws {
        let s = FakeSeries([
            "requests": ["a": [10, 10, 0, 10]],
            "error_rate": ["a": [0.5, 0, 0.5, 0.5]],
        ])
        let both = try firings("requests > 5 and error_rate > 0.1", s)
        #expect(both.map(\.startBucket) == [0, 3])
        #expect(both.first?.peak == 10, "the value shown is the left-hand side's")
        let either = try firings("requests > 5 or error_rate > 0.1", s)
        #expect(either.map(\.startBucket) == [0] && either.first?.ongoing == true)
        let grouped = try firings("error_rate > 0.1 and (requests > 5 or requests == 0)", s)
        #expect(grouped.map(\.startBucket) == [0, 2])
        #expect(grouped.map(\.endBucket) == [0, 3])
    }

    @Test func wholeRunAndWarnings() throws {
        let s = FakeSeries([
            "error_rate": ["payment": [0, 0.3], "cart": [0, 0]],
            "count": ["payment": [1, 2]],
        ])
        let rules = [
            try AlertRule("Fires", #"error_rate{service="payment"} > 0.1"#),
            try AlertRule("Typo", #"error_rate{service="paymnt"} > 0.1"#),
            try AlertRule("Quiet", #"count{service="payment"} > 100"#),
            try AlertRule("NoLevels", #"count{level="error"} > 1"#),
        ]
        let r = RuleBacktest.run(rules, on: s)
        #expect(r.rules == 4)
        #expect(r.firedAlerts == ["Fires"])
        #expect(r.firings.count == 1)
        #expect(r.warnings.map(\.alert) == ["Typo", "NoLevels"])
        #expect(r.warnings.first?.message == #"error_rate{service="paymnt"} matches no series (service values: cart, payment)"#)
        #expect(r.warnings.last?.message == #"count{level="error"} matches no series (no level values for count)"#)
        #expect(r.bucketCount == 2)
    }

    @Test func emptyProvider() throws {
        let r = RuleBacktest.run([try AlertRule("R", "count > 1")], on: FakeSeries([:]))
        #expect(r.firings.isEmpty && r.warnings.isEmpty)
    }
}

@Suite("Rule results rendered")
struct RuleRendererTests {
    @Test func valuesInTheirMetricsUnit() {
        #expect(CheckRenderer.format(0.9167, "error_rate") == "91.67%")
        #expect(CheckRenderer.format(0.8, "p99") == "800 ms")
        #expect(CheckRenderer.format(0.18333, "rate") == "0.183/s")
        #expect(CheckRenderer.format(11, "errors") == "11")
        #expect(CheckRenderer.format(2.5, "count") == "2.5")
    }

    @Test func tableFits80ColumnsAcrossDaysAndJSONSaysOngoing() throws {
        // Hourly buckets over three days from 2026-11-25 10:00; the second rule still
        // fires at the end (from bucket 62, two hours after it began to hold).
        var s = FakeSeries([
            "error_rate": ["payment": (0..<72).map { $0 >= 30 && $0 < 35 ? 0.5 : 0.01 }],
            "p99": ["checkout": (0..<72).map { $0 >= 60 ? 4.0 : 0.2 }],
        ])
        s.bucketNanos = 3_600_000_000_000
        let rules = [
            try AlertRule("ARatherLongAlertNameThatWillNotFitInTheTable", #"error_rate{service="payment"} > 5%"#, severity: "page"),
            try AlertRule("CheckoutSlow", #"p99{service="checkout"} > 3s"#, for: 7_200_000_000_000),
        ]
        let r = RuleBacktest.run(rules, on: s)
        var text = ""
        CheckRenderer.text(r, rules: rules, style: Style(enabled: false), time: TimeDisplay(), width: 80, to: &text)
        let lines = text.split(separator: "\n")
        for line in lines { #expect(displayWidth(String(line)) <= 80, "too wide: \(line)") }
        #expect(text.contains("11-26 16:00  11-26 21:00"), "\(text)")
        #expect(text.contains("ongoing"))
        #expect(text.contains("11-28 00:00  ongoing") && text.contains("4 s at 00:00"), "peak on the start's day shows the time only")
        var json = ""
        CheckRenderer.json(r, skipped: 3, to: &json)
        #expect(json.contains(#""end":null,"ongoing":true"#))
        #expect(json.contains(#""start":"2026-11-26T16:00:00Z","end":"2026-11-26T21:00:00Z""#), "\(json)")
        #expect(json.contains(#""skipped":3"#))
        #expect(json.hasPrefix(#"{"rules":2,"fired":[{"alert":"ARatherLongAlertNameThatWillNotFitInTheTable","severity":"page""#))
    }
}
