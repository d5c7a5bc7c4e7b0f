import Foundation
import Testing

/// Span tables, log tables and metric dumps through the built binary.
@Suite("Tables and metrics, end to end")
struct TablesAndMetricsTests {
    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-tables-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A span table of `traces` traces, each a root with two children and a grandchild.
    func spanTable(traces: Int) -> String {
        var s = "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration\n"
        let t0: Int64 = 1_700_000_000_000_000_000
        for t in 0..<traces {
            let trace = String(format: "%032x", 0xabc000 + t)
            let base = t0 + Int64(t) * 1_000_000_000
            func row(_ span: Int, _ parent: String, _ pod: String, _ op: String, _ start: Int64, _ dur: Int64) {
                s += "\(trace),\(String(format: "%016x", t * 16 + span)),\(parent),\(pod),\(op),\(base + start),\(base + start + dur),\(dur / 1000)\n"
            }
            let root = String(format: "%016x", t * 16 + 1)
            row(1, "root", "front-6d4cf56db6-x9k2p", "GET /", 0, 90_000_000)
            row(2, root, "front-6d4cf56db6-x9k2p", "cart.Get", 1_000_000, 20_000_000)
            row(3, String(format: "%016x", t * 16 + 2), "cart-7b8c9d6f54-zxcvb", "cart.Get", 2_000_000, 15_000_000)
            row(4, root, "front-6d4cf56db6-x9k2p", "price.Convert", 30_000_000, 40_000_000)
        }
        return s
    }

    @Test func spanTableRoundTripsThroughOTLP() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("spans.csv").path
        try spanTable(traces: 25).write(toFile: csv, atomically: true, encoding: .utf8)
        let otlp = dir.appendingPathComponent("spans.otlp.json").path
        let converted = try CLI.run(["convert", "--to", "otlp", csv, "-o", otlp])
        #expect(converted.status == 0, "\(converted.stderr)")
        func traces(_ path: String) throws -> [String: (Int, Int, String)] {
            let r = try CLI.run(["traces", "--output", "json", path])
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
            var out: [String: (Int, Int, String)] = [:]
            for t in try #require(doc["traces"] as? [[String: Any]]) {
                out[try #require(t["trace_id"] as? String)] = (t["spans"] as? Int ?? -1, t["services"] as? Int ?? -1, t["root_service"] as? String ?? "")
            }
            return out
        }
        let direct = try traces(csv), viaOTLP = try traces(otlp)
        #expect(direct.count == 25)
        #expect(direct.keys.sorted() == viaOTLP.keys.sorted())
        for (id, (spans, services, root)) in direct {
            #expect(spans == 4 && services == 2 && root == "front", "\(id)")
            #expect(viaOTLP[id]?.0 == spans && viaOTLP[id]?.1 == services && viaOTLP[id]?.2 == root, "\(id)")
        }
        // inspect shows the mapping it chose.
        let inspect = try CLI.run(["inspect", "--output", "json", csv])
        let doc = try #require(try CLI.json(inspect.stdout) as? [String: Any])
        let input = try #require((doc["inputs"] as? [[String: Any]])?.first)
        #expect(input["kind"] as? String == "spans" && input["format"] as? String == "span-table")
        #expect((input["columns"] as? String)?.contains("parent=ParentID") == true)
    }

    @Test func reportOpenMetricsReadsBackAndRulesFireOnIt() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let om = dir.appendingPathComponent("red.om").path
        let report = try CLI.run(["report", "--output", "openmetrics", CLI.sampleData, "-o", om])
        #expect(report.status == 0, "\(report.stderr)")
        let listed = try CLI.run(["metrics", "--output", "json", "--points", "--name", "inquest_requests_total", om])
        #expect(listed.status == 0, "\(listed.stderr)")
        let doc = try #require(try CLI.json(listed.stdout) as? [String: Any])
        let series = try #require(doc["series"] as? [[String: Any]])
        #expect(!series.isEmpty && doc["skipped"] as? Int == 0)
        // The same series as written: every sample line of the family is a point.
        let text = try String(contentsOfFile: om, encoding: .utf8)
        let written = text.split(separator: "\n").filter { $0.hasPrefix("inquest_requests_total{") }.count
        #expect(series.reduce(0) { $0 + ($1["points"] as? Int ?? 0) } == written)

        // The same points saved as a query_range answer read back as the same series.
        var result: [[String: Any]] = []
        for s in series {
            var metric = s["labels"] as? [String: String] ?? [:]
            metric["__name__"] = "inquest_requests_total"
            let values = (s["values"] as? [[String: Any]] ?? []).map { p -> [Any] in
                let f = ISO8601DateFormatter()
                let text = p["time"] as? String ?? ""
                if text.contains(".") { f.formatOptions.insert(.withFractionalSeconds) }
                let t = f.date(from: text)
                return [t?.timeIntervalSince1970 ?? 0, String(p["value"] as? Double ?? .nan)]
            }
            result.append(["metric": metric, "values": values])
        }
        let api = dir.appendingPathComponent("range.json").path
        let body = try JSONSerialization.data(withJSONObject: ["status": "success", "data": ["resultType": "matrix", "result": result]])
        try body.write(to: URL(fileURLWithPath: api))
        let again = try CLI.run(["metrics", "--output", "csv", "--points", api])
        let before = try CLI.run(["metrics", "--output", "csv", "--points", "--name", "inquest_requests_total", om])
        #expect(again.status == 0 && !again.stdout.isEmpty)
        #expect(again.stdout == before.stdout)

        // A rule on a metric series of the dump fires (exit 1); one above every value does not.
        let rules = dir.appendingPathComponent("rules.yaml").path
        try "rules:\n  - alert: Traffic\n    expr: inquest_requests_total > 0\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let fired = try CLI.run(["check", om, "--rules", rules, "--output", "json"])
        #expect(fired.status == 1, "\(fired.stderr)")
        try "rules:\n  - alert: Never\n    expr: inquest_requests_total{service=\"payment\"} > 1e12\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let quiet = try CLI.run(["check", om, "--rules", rules])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        // A name that is neither report's nor a series of the inputs is a mistake in the rule file.
        try "rules:\n  - alert: Typo\n    expr: inquest_request_total > 0\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let typo = try CLI.run(["check", om, "--rules", rules])
        #expect(typo.status == 2 && typo.stderr.contains("unknown metric 'inquest_request_total'"))
    }

    @Test func metricTableWithMissingValuesListed() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("shop-5f6585d649-fnmft_metric.csv").path
        try """
            Time,CpuUsageRate(%),Latency(s)
            2024-05-01 10:00:00 +0000 UTC m=+0.1,10,0.2
            2024-05-01 10:01:00 +0000 UTC m=+60.1,NaN,0.3
            2024-05-01 10:02:00 +0000 UTC m=+120.1,30,0.4

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try CLI.run(["metrics", "--output", "json", "--label", "service=shop", "--name", "Cpu.*", csv])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let s = try #require((doc["series"] as? [[String: Any]])?.first)
        #expect(s["points"] as? Int == 3 && s["missing"] as? Int == 1)
        #expect(s["median"] as? Double == 20 && s["unit"] as? String == "%")
        let text = try CLI.run(["metrics", csv])
        #expect(text.stdout.contains("CpuUsageRate") && text.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        // Logs only: nothing to list, and the contract's exit 3.
        let none = try CLI.run(["metrics", CLI.sampleData])
        #expect(none.status == 3 && none.stderr.contains("no metric dumps"))
    }

    @Test func reportDrawsMetricSeriesAndFlagsTheirAnomalies() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One pod's CPU: steady around 20 % with a little noise, 90 % for three minutes.
        var csv = "Time,PodName,CpuUsageRate(%)\n"
        for m in 0..<40 {
            let v = (30...32).contains(m) ? 90.0 : 20.0 + Double(m % 3)
            csv += "2024-05-01T10:\(m < 10 ? "0" : "")\(m):00Z,shop-5f6585d649-fnmft,\(v)\n"
        }
        let path = dir.appendingPathComponent("cpu.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["report", "--output", "json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let metrics = try #require(doc["metrics"] as? [[String: Any]])
        #expect(metrics.count == 1 && (metrics.first?["values"] as? [Any])?.count == 40)
        let anomalies = try #require(doc["anomalies"] as? [[String: Any]])
        let spike = try #require(anomalies.first { $0["metric"] as? String == "CpuUsageRate" })
        #expect(spike["start"] as? String == "2024-05-01T10:30:00Z" && spike["service"] as? String == "shop-5f6585d649-fnmft")
        #expect(anomalies.count == 1)
        let text = try CLI.run(["report", path])
        #expect(text.stdout.contains("Metric series (1, 1 with anomalies"))

        // Split into two files, each through --partial and merged: the same report.
        let lines = csv.split(separator: "\n")
        let head = lines[0]
        let a = dir.appendingPathComponent("a.csv").path, b = dir.appendingPathComponent("b.csv").path
        try ([head] + lines[1...20]).joined(separator: "\n").appending("\n").write(toFile: a, atomically: true, encoding: .utf8)
        try ([head] + lines[21...]).joined(separator: "\n").appending("\n").write(toFile: b, atomically: true, encoding: .utf8)
        var partials: [String] = []
        for f in [a, b] {
            let p = f + ".partial.json"
            let w = try CLI.run(["report", "--partial", p, f])
            #expect(w.status == 0, "\(w.stderr)")
            partials.append(p)
        }
        let merged = try CLI.run(["merge", "--output", "json"] + partials)
        #expect(merged.status == 0, "\(merged.stderr)")
        let one = try #require(try CLI.json(r.stdout) as? [String: Any]), two = try #require(try CLI.json(merged.stdout) as? [String: Any])
        #expect((one["metrics"] as? [[String: Any]])?.first?["values"] as? [Double] == (two["metrics"] as? [[String: Any]])?.first?["values"] as? [Double])
        #expect((two["anomalies"] as? [[String: Any]])?.first?["start"] as? String == "2024-05-01T10:30:00Z")
    }

    /// The real incident tables of ../shared/rca-real, when present: every file read, none skipped.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CLI.root.deletingLastPathComponent().appendingPathComponent("shared/rca-real").path)))
    func realIncidentExportsReadWithoutSkips() throws {
        let path = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/rca-real").path
        let r = try CLI.run(["inspect", "--output", "json", path])
        #expect(r.status == 0)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let inputs = try #require(doc["inputs"] as? [[String: Any]])
        var kinds: [String: Int] = [:]
        for i in inputs {
            let p = i["path"] as? String ?? ""
            #expect(i["skipped"] as? Int == 0, "\(p)")
            if p.hasSuffix("_trace.csv.gz") { #expect(i["format"] as? String == "span-table", "\(p)") }
            if p.hasSuffix("_log.csv.gz") { #expect(i["format"] as? String == "log-table", "\(p)") }
            if p.hasSuffix("_metric.csv") { #expect(i["format"] as? String == "metric-table", "\(p)") }
            if i["kind"] as? String != "metrics" {
                for s in i["services"] as? [String] ?? [] { #expect(!s.contains("-"), "service \(s) keeps a pod suffix in \(p)") }
            }
            kinds[i["kind"] as? String ?? "", default: 0] += 1
        }
        #expect(kinds["spans", default: 0] > 0 && kinds["metrics", default: 0] > 0 && kinds["logs", default: 0] > 0)
    }
}
