import Foundation
import Testing
@testable import InquestCore

/// Metric dumps: wide tables, Prometheus exposition and OpenMetrics, API results.
@Suite("Metrics")
struct MetricFormatTests {
    func read(_ text: String, name: String) throws -> MetricReader.Result {
        try MetricReader.read(unit: .memory(Array(text.utf8), name: name))
    }

    @Test func wideTableKeepsMissingAsMissing() throws {
        let csv = """
            Time,TimeStamp,PodName,CpuUsageRate(%),MemoryUsage(Mi),Latency(s)
            2022-01-01 10:00:00.5 +0000 UTC m=+0.3,1641031200,api-7d9c8b6f54-x2kqz,12.5,100,NaN
            2022-01-01 10:01:00.5 +0000 UTC m=+60.3,1641031260,api-7d9c8b6f54-x2kqz,,101,0.25
            2022-01-01 10:01:00.5 +0000 UTC m=+60.3,1641031260,db-0,3,50,0.1
            2022-01-01 10:02:00.5 +0000 UTC m=+120.3,1641031320,api-7d9c8b6f54-x2kqz,fast,1,1

            """
        let r = try read(csv, name: "pods.csv")
        #expect(r.stats.kind == "metrics" && r.stats.format == "metric-table")
        // 4 rows × 3 metrics; the last row holds a word where a number belongs.
        #expect(r.stats.records == 12 && r.stats.parsed == 9 && r.stats.skipped == 3)
        #expect(r.stats.errors.first?.line == 5 && r.stats.errors.first?.reason.contains("'fast' is not a number") == true)
        #expect(r.series.count == 6 && r.stats.series == 6 && r.stats.entities == 2)
        let cpu = try #require(r.series.first { $0.name == "CpuUsageRate" && $0.label("pod") == "api-7d9c8b6f54-x2kqz" })
        #expect(cpu.unit == "%" && cpu.label("service") == "api")
        #expect(cpu.points.count == 2 && cpu.points[1].value.isNaN && cpu.values == [12.5])
        #expect(Timestamp(nanos: cpu.points[0].time).rfc3339(digits: 3) == "2022-01-01T10:00:00.500Z")
        #expect(!r.series.contains { $0.name == "TimeStamp" })
    }

    @Test func entityFromTheFileName() throws {
        let r = try read("Time,CpuUsage\n2022-01-01T10:00:00Z,1\n2022-01-01T10:01:00Z,2\n", name: "dir/cart-579f59597d-wc2lz_metric.csv")
        #expect(r.series.first?.label("pod") == "cart-579f59597d-wc2lz" && r.series.first?.label("service") == "cart")
        let other = try read("time,a_b,c_d\n1700000000,1,2\n", name: "edges_50.csv")
        #expect(other.series.map(\.name) == ["a_b", "c_d"] && other.series.first?.label("entity") == "edges_50")
    }

    static let exposition = #"""
        # HELP http_requests_total Requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000
        http_requests_total{method="post",code="200"} 1030 1395066423000
        # A comment.
        queue_depth{path="C:\\dir\"x\""} NaN 1395066363000
        up 1 1395066363000
        broken{label="x" 1 1395066363000

        """#

    @Test func prometheusExpositionSeveralScrapes() throws {
        let r = try read(Self.exposition, name: "scrape.prom")
        #expect(r.stats.kind == "metrics" && r.stats.format == "prometheus")
        #expect(r.stats.records == 6 && r.stats.parsed == 5 && r.stats.skipped == 1)
        #expect(r.stats.errors.first?.line == 9)
        let ok = try #require(r.series.first { $0.key == "http_requests_total{code=\"200\",method=\"post\"}" })
        #expect(ok.points.map(\.value) == [1027, 1030])
        #expect(Timestamp(nanos: ok.points[0].time).rfc3339(digits: 0) == "2014-03-17T14:26:03Z")
        let q = try #require(r.series.first { $0.name == "queue_depth" })
        #expect(q.label("path") == "C:\\dir\"x\"" && q.points[0].value.isNaN)
    }

    @Test func openMetricsSecondsAndExemplars() throws {
        let om = """
            # TYPE rpc_seconds histogram
            # UNIT rpc_seconds seconds
            rpc_seconds_bucket{le="0.5"} 3 1700000000.250 # {trace_id="abc"} 0.4 1700000000.1
            rpc_seconds_count 4 1700000000.250
            # EOF

            """
        let r = try read(om, name: "x.om")
        #expect(r.stats.skipped == 0 && r.series.count == 2)
        #expect(r.series.first?.unit == nil || r.series.contains { $0.unit == "seconds" })
        #expect(Timestamp(nanos: r.series[0].points[0].time).rfc3339(digits: 3) == "2023-11-14T22:13:20.250Z")
    }

    @Test func prometheusAPIMatrixVectorAndErrors() throws {
        let matrix = """
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"node_load1","instance":"a:9100"},"values":[[1700000000,"0.5"],[1700000015.5,"NaN"],[1700000030,"+Inf"]]},
              {"metric":{"__name__":"node_load1","instance":"b:9100"},"values":[[1700000000,"1"],["bad"]]}]}}
            """
        let r = try read(matrix, name: "range.json")
        #expect(r.stats.format == "prometheus-api")
        #expect(r.stats.records == 5 && r.stats.parsed == 4 && r.stats.skipped == 1)
        let a = try #require(r.series.first { $0.label("instance") == "a:9100" })
        #expect(a.name == "node_load1" && a.points.count == 3 && a.points[1].value.isNaN && a.points[2].value == .infinity)
        #expect(a.points[1].time == 1_700_000_015_500_000_000)
        let vector = try read(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"x"},"value":[1700000000,"2"]}]}}"#, name: "v.json")
        #expect(vector.series.first?.name == "value" && vector.series.first?.points.first?.value == 2)
        let failed = try read(#"{"status":"error","errorType":"bad_data","error":"parse error","data":{"resultType":"matrix","result":[]}}"#, name: "e.json")
        #expect(failed.stats.skipped == 1 && failed.stats.errors.first?.reason == "query failed: bad_data: parse error")
    }

    /// Files written by real exporters (Fixtures/metrics/README.md): nothing skipped.
    @Test func realExporterDumps() throws {
        func read(_ name: String) throws -> MetricReader.Result {
            let path = TestPaths.fixture("metrics/" + name)
            return try MetricReader.read(unit: try #require(InputDiscovery.discover([path], limits: InputLimits()).units.first))
        }
        for name in ["prometheus_client.prom", "prometheus_client.om", "prometheus-self-scrape.prom"] {
            let r = try read(name)
            #expect(r.stats.kind == "metrics" && r.stats.format == "prometheus" && r.stats.skipped == 0, "\(name)")
            #expect(r.series.count == r.stats.parsed, "one sample per series in one scrape: \(name)")
        }
        let client = try read("prometheus_client.prom")
        #expect(client.series.first { $0.name == "queue_depth" }?.label("path") == "C:\\dir\n\"x\"")
        #expect(client.series.contains { $0.name == "request_seconds_bucket" && $0.label("le") == "+Inf" && $0.points.first?.value == 5 })
        let range = try read("prometheus-query_range-rate.json")
        #expect(range.stats.format == "prometheus-api" && range.stats.skipped == 0 && range.series.count == 1)
        let pts = try #require(range.series.first?.points)
        #expect(pts.count == 8 && zip(pts, pts.dropFirst()).allSatisfy { $1.time - $0.time == 4_000_000_000 })
        #expect(range.series.first?.label("job") == "prometheus" && range.series.first?.name == "value")
        #expect(try read("prometheus-query_range-up.json").series.first?.name == "up")
        #expect(try read("prometheus-query-vector.json").series.first?.points.count == 1)
        let failed = try read("prometheus-query-error.json")
        #expect(failed.stats.format == "prometheus-api" && failed.stats.skipped == 1)
        #expect(failed.stats.errors.first?.reason.hasPrefix("query failed: bad_data: invalid parameter") == true)
    }

    @Test func logsAreNotMetrics() {
        for text in ["hello world 1\nhello again 2\nand 3\n", "GET /x 200 12\n", "x 1\n"] {
            #expect(!FormatRegistry.detect(head: Array(text.utf8)).isMetrics, "\(text)")
        }
    }

    @Test func rulesNameMetricSeries() throws {
        var cpu = MetricSeries(name: "CpuUsageRate", labels: [("pod", "a"), ("service", "s")])
        var other = MetricSeries(name: "CpuUsageRate", labels: [("pod", "b"), ("service", "s")])
        for m in 0..<10 {
            cpu.points.append(.init(time: Int64(m) * 60_000_000_000, value: m >= 4 && m <= 6 ? 95 : 20))
            other.points.append(.init(time: Int64(m) * 60_000_000_000, value: 10))
        }
        let rules = try RuleFile.parse("rules:\n  - alert: Hot\n    expr: CpuUsageRate{service=\"s\"} > 80\n    for: 1m\n", series: ["CpuUsageRate"])
        let series = MetricRuleSeries(base: nil, metrics: [cpu, other], bucketNanos: nil)
        #expect(series.bucketNanos == 60_000_000_000 && series.bucketCount == 10)
        let result = RuleBacktest.run(rules, on: series)
        let f = try #require(result.firings.first)
        #expect(result.firings.count == 1 && f.startBucket == 5 && f.endBucket == 6 && f.peak == 95)
        // Without the series in the inputs the name is still unknown.
        #expect(throws: RuleFileErrors.self) { try RuleFile.parse("rules:\n  - alert: A\n    expr: CpuUsageRate > 1\n") }
    }
}

/// The fuzz targets of the table and metric readers hold their invariants on the seed
/// fixtures too (the hostile inputs are replayed by `FuzzRegressionTests`).
@Suite("Table and metric fuzz targets on their seeds")
struct TableFuzzSeedTests {
    @Test(arguments: [FuzzTarget.spanTable, .logTable, .metricTable, .prometheus, .prometheusAPI])
    func seedsKeepTheInvariants(target: FuzzTarget) throws {
        let dir = TestPaths.fixtures.appendingPathComponent("tables")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
            target.run(Array(try Data(contentsOf: dir.appendingPathComponent(name))))
        }
    }
}
