import Foundation
import Testing
@testable import InquestCore

/// `report`'s aggregation, series, anomalies and forecast on crafted data.
@Suite("Report trends")
struct ReportTrendTests {
    static let t0: Int64 = 1_795_564_800 * 1_000_000_000  // 2026-11-25T00:00:00Z
    static let minute: Int64 = 60_000_000_000
    static let hour: Int64 = 60 * minute

    @Test func bucketWidthsParseAndChooseFromTheRange() {
        #expect(TrendBucketing.parse("1m") == Self.minute)
        #expect(TrendBucketing.parse("15m") == 15 * Self.minute)
        #expect(TrendBucketing.parse("1h") == Self.hour)
        #expect(TrendBucketing.parse("1d") == 24 * Self.hour)
        #expect(TrendBucketing.parse("7m") == nil, "does not divide a day")
        #expect(TrendBucketing.parse("500ms") == nil)
        #expect(TrendBucketing.parse("soon") == nil)
        let t = Self.t0
        #expect(TrendBucketing.automatic(first: t, last: t + 90 * Self.minute) == Self.minute)
        #expect(TrendBucketing.automatic(first: t, last: t + 24 * Self.hour - 1) == 15 * Self.minute)
        #expect(TrendBucketing.automatic(first: t, last: t + 7 * 24 * Self.hour - 1) == Self.hour)
        #expect(TrendBucketing.automatic(first: t, last: t + 30 * 24 * Self.hour - 1) == 6 * Self.hour)
        for (a, b) in zip(TrendBucketing.ladder, TrendBucketing.ladder.dropFirst()) { #expect(b % a == 0) }
        // Buckets line up with the epoch: a day bucket starts at midnight UTC.
        #expect(TrendBucketing.index(t + 5 * Self.hour, width: 24 * Self.hour) * 24 * Self.hour == t)
    }

    /// Feeds records i in `range` of a synthetic stream: logs of two services with numbered
    /// messages, requests with known latencies and failures.
    static func feed(_ agg: TrendAggregator, _ range: Range<Int>) {
        for i in range {
            let t = t0 + Int64(i) * 7 * Self.minute
            let svc = i % 3 == 0 ? "billing" : "orders"
            let level: Level = i % 10 == 0 ? .error : .info
            let msg = level == .error ? "charge \(i) failed after \(i % 7) retries" : "order \(i) loaded in \(i % 50) ms"
            agg.addLog(service: svc, level: level, nanos: t, message: msg)
            agg.addRequest(service: svc, operation: i % 2 == 0 ? "GET /a" : "POST /b", nanos: t,
                           durationNanos: Int64(1 + i % 100) * 1_000_000, failed: i % 10 == 0, source: .spans)
            if i % 5 == 0 { agg.addRequest(service: "web", operation: "GET /", nanos: t, durationNanos: nil, failed: false, source: .accessLog) }
        }
    }

    @Test func twoHalvesMergedEqualTheWhole() throws {
        // Five days: the halves choose 15m and 30m buckets, the whole 1h; merging coarsens.
        let n = 5 * 24 * 60 / 7
        let whole = TrendAggregator(bucketNanos: nil)
        Self.feed(whole, 0..<n)
        let a = TrendAggregator(bucketNanos: nil), b = TrendAggregator(bucketNanos: nil)
        Self.feed(a, 0..<(n * 2 / 5))
        Self.feed(b, (n * 2 / 5)..<n)
        var merged = a.finish()
        let second = b.finish()
        #expect(merged.bucketNanos != second.bucketNanos || merged.bucketNanos < whole.aggregate.bucketNanos)
        try merged.merge(second)
        let w = whole.finish()
        #expect(merged.bucketNanos == Self.hour)
        #expect(merged == w)
        // Merging in the other order gives the same.
        var other = b.finish()
        try other.merge(a.finish())
        #expect(other == w)
        // And the series agree.
        let dm = try #require(try merged.data()), dw = try #require(try w.data())
        for m in TrendData.metrics {
            let x = dm.values(metric: m, matching: [LabelMatcher("service", .equal, "orders")])
            let y = dw.values(metric: m, matching: [LabelMatcher("service", .equal, "orders")])
            #expect(x == y, "\(m)")
        }
    }

    @Test func fixedWidthsThatDoNotDivideCannotMerge() {
        var a = TrendAggregator(bucketNanos: 2 * Self.hour).finish()
        let b = TrendAggregator(bucketNanos: 3 * Self.hour).finish()
        #expect(throws: TrendAggregate.MergeError.self) { try a.merge(b) }
    }

    @Test func seriesFollowTheContract() throws {
        let agg = TrendAggregator(bucketNanos: Self.hour)
        // Hour 0: 100 requests of 1…100 ms on orders, 10 failed; hour 1 has nothing; hour 2: logs only.
        for i in 1...100 {
            agg.addRequest(service: "orders", operation: i <= 50 ? "GET /a" : "POST /b", nanos: Self.t0 + Int64(i) * 1_000_000_000,
                           durationNanos: Int64(i) * 1_000_000, failed: i % 10 == 0, source: .spans)
        }
        for i in 0..<40 {
            agg.addLog(service: "mailer", level: i < 10 ? .error : .info, nanos: Self.t0 + 2 * Self.hour + Int64(i) * 1_000_000_000,
                       message: i < 10 ? "smtp timeout after \(i) s" : "mail \(i) sent")
        }
        let d = try #require(try agg.finish().data())
        #expect(d.bucketCount == 3)
        #expect(d.start.nanos == Self.t0)
        let orders = [LabelMatcher("service", .equal, "orders")]
        #expect(d.values(metric: "requests", matching: orders) == [100, 0, 0])
        #expect(d.values(metric: "errors", matching: orders) == [10, 0, 0])
        #expect(d.values(metric: "error_rate", matching: orders)?[0] == 0.1)
        #expect(d.values(metric: "error_rate", matching: orders)?[1] == nil, "no data: nil for a ratio")
        #expect(d.values(metric: "request_rate", matching: orders)?[0] == 100.0 / 3600)
        let p50 = try #require(d.values(metric: "p50", matching: orders)?[0] ?? nil)
        let p99 = try #require(d.values(metric: "p99", matching: orders)?[0] ?? nil)
        #expect(abs(p50 - 0.050) / 0.050 < 0.03)
        #expect(abs(p99 - 0.099) / 0.099 < 0.03)
        // Percentiles of one operation, and of the sum (computed after summing, not averaged).
        let get = try #require(d.values(metric: "p99", matching: orders + [LabelMatcher("operation", .equal, "GET /a")])?[0] ?? nil)
        #expect(abs(get - 0.050) / 0.050 < 0.03)
        #expect(d.values(metric: "p95", matching: orders)?[1] == nil)
        // Logs: count and rate by level; unnamed labels are summed over; error_rate of a service without requests.
        let mailer = [LabelMatcher("service", .equal, "mailer")]
        #expect(d.values(metric: "count", matching: mailer) == [0, 0, 40])
        #expect(d.values(metric: "count", matching: mailer + [LabelMatcher("level", .equal, "error")]) == [0, 0, 10])
        #expect(d.values(metric: "count", matching: [LabelMatcher("level", .matches, "warn|error")]) == [0, 0, 10])
        #expect(d.values(metric: "rate", matching: mailer)?[2] == 40.0 / 3600)
        #expect(d.values(metric: "error_rate", matching: mailer)?[2] == 0.25)
        #expect(d.values(metric: "nonsense", matching: []) == nil)
        // Patterns: the label holds the pattern ID.
        let ids = d.labelValues(metric: "count", label: "pattern")
        #expect(ids.count == 2)
        let timeout = try #require(d.patterns.first { $0.template.contains("smtp timeout") })
        #expect(d.values(metric: "count", matching: [LabelMatcher("pattern", .equal, timeout.id)]) == [0, 0, 10])
        #expect(d.labelValues(metric: "requests", label: "operation") == ["GET /a", "POST /b"])
        #expect(d.labelValues(metric: "error_rate", label: "service") == ["mailer", "orders"])
    }

    @Test func accessLogRequestsGiveWayToSpans() throws {
        let agg = TrendAggregator(bucketNanos: Self.hour)
        agg.addRequest(service: "web", operation: "GET /", nanos: Self.t0, durationNanos: nil, failed: true, source: .accessLog)
        agg.addRequest(service: "api", operation: "GET /", nanos: Self.t0, durationNanos: 1, failed: false, source: .accessLog)
        agg.addRequest(service: "api", operation: "GET /", nanos: Self.t0, durationNanos: 1, failed: false, source: .spans)
        let d = try #require(try agg.finish().data())
        #expect(d.values(metric: "requests", matching: [LabelMatcher("service", .equal, "api")]) == [1])
        #expect(d.values(metric: "error_rate", matching: [LabelMatcher("service", .equal, "web")]) == [1])
    }

    @Test func entrySpansAreTheRequestsOfEachService() {
        let spans = [
            Span(traceID: "t", spanID: "1", service: "api", operation: "GET /", kind: .server),
            Span(traceID: "t", spanID: "2", parentID: "1", service: "api", operation: "db", kind: .internal),
            Span(traceID: "t", spanID: "3", parentID: "2", service: "api", operation: "call", kind: .client),
            Span(traceID: "t", spanID: "4", parentID: "3", service: "orders", operation: "GET /o", kind: .unspecified),
            Span(traceID: "t", spanID: "5", parentID: "4", service: "orders", operation: "q", kind: .unspecified),
            Span(traceID: "u", spanID: "9", service: "batch", operation: "run", kind: .internal),
            Span(traceID: "t", spanID: "1", service: "api", operation: "GET /", kind: .server),  // read twice
        ]
        #expect(TrendReader.entrySpanIndexes(spans) == [0, 3, 5])
    }

    @Test func accessLogRoutesDropIDsAndQueries() throws {
        #expect(AccessRequest.route("/orders/8123/items?x=1") == "/orders/{id}/items")
        #expect(AccessRequest.route("/healthz") == "/healthz")
        #expect(AccessRequest.route("") == "/")
        let r = LogRecord(fields: [.init("method", "POST"), .init("path", "/pay/42"), .init("status", "503"), .init("field2", "0.250")])
        let req = try #require(AccessRequest(r))
        #expect(req.status == 503)
        #expect(req.operation == "POST /pay/{id}")
        #expect(req.durationNanos == 250_000_000)
    }

    @Test func aSpikeInAFlatSeriesIsOneAnomaly() {
        var values: [Double?] = (0..<100).map { 100 + Double(($0 * 37) % 11) - 5 }
        values[60] = 300
        let points = AnomalyDetector.score(values, kind: .count, period: nil)
        let runs = AnomalyDetector.runs(values, points: points)
        #expect(runs.count == 1)
        let r = runs[0]
        #expect(r.first == 60 && r.last == 60)
        #expect(r.observed == 300)
        #expect(abs(r.expected - 100) <= 5)
        #expect(r.score > 10)
        // A drop is found as well; a ratio that falls is not.
        values[60] = 10
        #expect(AnomalyDetector.runs(values, points: AnomalyDetector.score(values, kind: .count, period: nil)).first?.score ?? 0 < -5)
        let ratios: [Double?] = (0..<100).map { $0 == 60 ? 0 : 0.2 }
        #expect(AnomalyDetector.runs(ratios, points: AnomalyDetector.score(ratios, kind: .ratio, support: Array(repeating: 500, count: 100), period: nil)).isEmpty)
    }

    @Test func aDailyCycleIsNotAnAnomalyButANightSpikeIs() {
        // Six days of hourly counts peaking at 15:00; on day 5 at 03:00 (the quietest hour) the peak's volume.
        var values: [Double?] = (0..<(6 * 24)).map { i in
            let h = Double(i % 24)
            return (200 + 180 * sin(2 * Double.pi * (h - 9) / 24)).rounded() + Double((i * 7) % 5)
        }
        let spike = 5 * 24 + 3
        values[spike] = 380
        let period = AnomalyDetector.period(bucketNanos: Self.hour, count: values.count)
        #expect(period == 24)
        let runs = AnomalyDetector.runs(values, points: AnomalyDetector.score(values, kind: .count, period: period))
        #expect(runs.map(\.first) == [spike])
        // Without the seasonal baseline the cycle's own swing hides the spike.
        let naive = AnomalyDetector.runs(values, points: AnomalyDetector.score(values, kind: .count, period: nil))
        #expect(!naive.map(\.first).contains(spike))
    }

    @Test func forecastAndTrendDirection() throws {
        // Ten days, hourly, with a daily cycle, growing 10 % a day.
        let rising: [Double?] = (0..<240).map { i in
            let day = Double(i / 24)
            return 100 * (1 + 0.1 * day) * (1 + 0.5 * sin(2 * Double.pi * Double(i % 24) / 24))
        }
        let up = TrendForecaster.direction(rising, bucketNanos: Self.hour, period: 24)
        #expect(up.words.hasPrefix("rising"))
        let change = try #require(up.change)
        #expect(change > 0.04 && change < 0.15, "\(change)")
        let falling = rising.reversed().map { $0 }
        #expect(TrendForecaster.direction(falling, bucketNanos: Self.hour, period: 24).words.hasPrefix("falling"))
        let flat: [Double?] = (0..<240).map { i in 100 + Double((i * 13) % 7) }
        #expect(TrendForecaster.direction(flat, bucketNanos: Self.hour, period: 24).words == "flat")

        let f = try #require(TrendForecaster.forecast(rising, period: 24))
        #expect(f.points.count == 24)
        #expect(f.points.first?.bucket == 240)
        for p in f.points { #expect(p.low <= p.value && p.value <= p.high) }
        // The forecast continues the cycle above the last day's level.
        let lastDayMean = rising.suffix(24).compactMap { $0 }.reduce(0, +) / 24
        let nextMean = f.points.map(\.value).reduce(0, +) / 24
        #expect(nextMean > lastDayMean)
        // Holt's method without a cycle: a line goes on rising.
        let line: [Double?] = (0..<50).map { Double($0) * 2 + 10 }
        let h = try #require(TrendForecaster.forecast(line, period: nil))
        #expect(h.method == "Holt's linear")
        #expect(abs((h.points.first?.value ?? 0) - 110) < 1)
        #expect((h.points.last?.value ?? 0) > (h.points.first?.value ?? 0))
    }

    @Test func newPatternsAreThoseFirstSeenAfterTheFirstQuarter() throws {
        let agg = TrendAggregator(bucketNanos: Self.hour)
        for i in 0..<100 {
            let t = Self.t0 + Int64(i) * Self.hour
            agg.addLog(service: "api", level: .info, nanos: t, message: "request \(i) served in \(i % 9) ms")
            if i >= 70 { agg.addLog(service: "api", level: .error, nanos: t, message: "disk full on volume \(i % 3)") }
        }
        let report = TrendReport(try #require(try agg.finish().data()))
        #expect(report.newPatterns.count == 1)
        let p = try #require(report.newPatterns.first)
        #expect(p.template.hasPrefix("disk full on volume"))
        #expect(p.first.nanos == Self.t0 + 70 * Self.hour)
        #expect(p.level == .error)
        #expect(p.count == 30)
        // With a baseline that knew it, it is not new.
        let b = TrendAggregator(bucketNanos: Self.hour)
        b.addBaseline(message: "disk full on volume 9")
        for i in 0..<100 { b.addLog(service: "api", level: .info, nanos: Self.t0 + Int64(i) * Self.hour, message: i >= 70 ? "disk full on volume 1" : "request \(i) served") }
        let withBaseline = TrendReport(try #require(try b.finish().data()), baseline: true)
        #expect(withBaseline.newPatterns.map(\.template).allSatisfy { !$0.hasPrefix("disk full") })
    }

    @Test func textFitsTheWidthAndSparklinesScale() throws {
        #expect(ReportRenderer.sparkline([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(ReportRenderer.sparkline([1, nil, 1], width: 3) == "█ █")
        #expect(ReportRenderer.sparkline(Array(repeating: 2, count: 100), width: 10).count == 10)
        let agg = TrendAggregator(bucketNanos: nil)
        Self.feed(agg, 0..<2000)
        let report = TrendReport(try #require(try agg.finish().data()))
        var text = ""
        ReportRenderer.text(report, context: .init(), style: Style(enabled: false), width: 80, to: &text)
        for line in text.split(separator: "\n") { #expect(displayWidth(String(line)) <= 80, "too wide: \(line)") }
        var json = ""
        ReportRenderer.json(report, context: .init(), to: &json)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["buckets", "services", "anomalies", "patterns", "forecast", "skipped"] { #expect(doc[key] != nil, "\(key)") }
    }
}

/// Times and widths at the ends of what Int64 nanoseconds hold, and aggregates too
/// large to lay out: each gives an answer or a reason, never a trap.
@Suite("Report trends at the limits")
struct ReportTrendLimitTests {
    static let hour: Int64 = 3_600_000_000_000

    @Test("records in 1677 and 2262 lay out, are judged and forecast without overflow")
    func extremeTimes() throws {
        for width: Int64? in [nil, TrendBucketing.maxWidth, TrendBucketing.day * 1024] {
            let agg = TrendAggregator(bucketNanos: width)
            agg.addLog(service: "old", level: .error, nanos: .min, message: "boom at the start")
            agg.addLog(service: "new", level: .info, nanos: .max, message: "the end")
            agg.addRequest(service: "new", operation: "GET /", nanos: .max, durationNanos: .max, failed: true, source: .spans)
            let data = try #require(try agg.finish().data())
            #expect(data.bucketCount >= 1)
            let report = TrendReport(data)
            var text = ""
            ReportRenderer.text(report, context: ReportRenderer.Context(), style: Style(enabled: false), width: 80, to: &text)
            #expect(text.contains("old"))
        }
        #expect(TrendBucketing.parse("12000d") == nil)
        #expect(TrendBucketing.parse("3000d") != nil)
    }

    @Test("more series × buckets than fit in memory is a layout error, not an allocation")
    func tooManySeries() {
        let agg = TrendAggregator(bucketNanos: 1_000_000_000, patterns: false)
        let t0: Int64 = 1_700_000_000_000_000_000
        agg.addLog(service: "s0", level: .info, nanos: t0, message: nil)
        agg.addLog(service: "s0", level: .info, nanos: t0 + 49_000 * 1_000_000_000, message: nil)
        for i in 0..<3000 { agg.addLog(service: "s\(i)", level: .info, nanos: t0 + Int64(i), message: nil) }
        #expect(throws: TrendAggregate.LayoutError.self) { try agg.finish().data() }
    }

    @Test("partials of an automatic width and of --bucket 2m merge or say why, whatever their order")
    func mixedWidthsMerge() throws {
        let t0: Int64 = 1_700_000_000_000_000_000
        let auto = TrendAggregator(bucketNanos: nil)
        // Two hours: one-minute buckets. The fixed partial's 20 hours then widen the
        // automatic width to 15 minutes, which two minutes does not divide.
        for k in 0..<3 { auto.addLog(service: "a", level: .info, nanos: t0 + Int64(k) * Self.hour, message: "tick") }
        let fixed = TrendAggregator(bucketNanos: 120_000_000_000)
        for k in 0..<21 { fixed.addLog(service: "b", level: .error, nanos: t0 + Int64(k) * Self.hour, message: "tock") }
        let a = auto.partial(baseline: false, skipped: 0, inputs: 1)
        let f = fixed.partial(baseline: false, skipped: 0, inputs: 1)
        for parts in [[a, f], [f, a]] {
            do {
                let m = try PartialResult.mergeReports(parts)
                _ = try m.aggregate.data()
            } catch let e as PartialError {
                #expect(e.message.contains("do not divide"))
            }
        }
    }
}
