import Foundation
import Testing

/// `report` end to end: on a simulated month it must find the known error spike, latency
/// regression and new error pattern at the right time; on SampleData its text fits 80
/// columns and its HTML page renders offline.
@Suite("Report end to end", .serialized)
struct ReportTests {
    /// A simulated month, written once for the suite.
    final class Month: @unchecked Sendable {
        let dir: URL
        let truth: [String: Any]
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-month-\(UUID().uuidString)")
            let r = try CLI.run(["simulate", dir.path, "--month"])
            #expect(r.status == 0, "\(r.stderr)")
            let text = try String(contentsOf: dir.appendingPathComponent("ground-truth.json"), encoding: .utf8)
            truth = try #require(try CLI.json(text) as? [String: Any])
        }
        deinit { try? FileManager.default.removeItem(at: dir) }
    }

    static func day(_ s: Any?) -> String { String((s as? String ?? "").prefix(10)) }

    func report(_ month: Month, _ extra: [String]) throws -> [String: Any] {
        let r = try CLI.run(["report", "--output", "json"] + extra + [month.dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try CLI.json(r.stdout) as? [String: Any])
    }

    @Test(arguments: [["--bucket", "1h"], []])
    func theMonthsThreeEventsAreFoundAtTheRightTime(_ extra: [String]) throws {
        let month = try Month()
        let doc = try report(month, extra)
        let anomalies = try #require(doc["anomalies"] as? [[String: Any]])
        let buckets = try #require(doc["buckets"] as? [String])
        #expect(buckets.count >= 50)
        for a in anomalies {
            for key in ["start", "end", "service", "metric", "observed", "expected", "score"] { #expect(a[key] != nil, "anomaly without \(key)") }
        }
        let width = try #require(doc["bucket_seconds"] as? Int)

        // 1. The error spike: a billing error_rate anomaly starting within the spike (to the bucket).
        let spike = try #require(month.truth["error_spike"] as? [String: Any])
        let spikeStart = try #require(Self.parse(spike["start"])), spikeEnd = try #require(Self.parse(spike["end"]))
        let errors = anomalies.filter { $0["service"] as? String == "billing" && $0["metric"] as? String == "error_rate" }
        #expect(!errors.isEmpty, "the billing error spike is not reported")
        #expect(errors.contains { a in
            guard let s = Self.parse(a["start"]) else { return false }
            return s >= spikeStart - Double(width) + 1 && s < spikeEnd
        }, "no billing error_rate anomaly starts within \(spike["start"] ?? "") – \(spike["end"] ?? ""): \(errors)")
        #expect(errors.allSatisfy { Self.day($0["start"]) == Self.day(spike["start"]) }, "billing error anomalies on other days: \(errors)")

        // 2. The latency regression: orders GET /orders/{id} p95 anomalies from the known day, none before.
        let regression = try #require(month.truth["latency_regression"] as? [String: Any])
        let regressionDay = try #require(regression["date"] as? String)
        let p95 = anomalies.filter { $0["service"] as? String == "orders" && $0["metric"] as? String == "p95" }
        let op = p95.filter { $0["operation"] as? String == regression["operation"] as? String }
        let first = try #require(op.compactMap { $0["start"] as? String }.min(), "no p95 anomaly on orders GET /orders/{id}")
        #expect(Self.day(first) == regressionDay, "the regression is reported from \(first), not \(regressionDay)")
        for a in p95 { #expect(Self.day(a["start"]) >= regressionDay, "orders p95 anomaly before the regression: \(a)") }

        // 3. The new error pattern: new, first seen on the known day.
        let known = try #require(month.truth["new_pattern"] as? [String: Any])
        let patterns = try #require(doc["patterns"] as? [[String: Any]])
        let pattern = try #require(patterns.first { ($0["template"] as? String ?? "").hasPrefix("inventory reservation failed") },
                                   "the new error pattern is not among the patterns")
        #expect(pattern["new"] as? Bool == true)
        #expect(Self.day(pattern["first_seen"]) == known["date"] as? String)
        #expect(pattern["level"] as? String == "error")
        let newIDs = try #require(doc["new_patterns"] as? [String])
        #expect(newIDs.contains(pattern["id"] as? String ?? "-"))

        // Traffic grows about 1 % a day: the volume trend says so.
        let services = try #require(doc["services"] as? [[String: Any]])
        let api = try #require(services.first { $0["name"] as? String == "api" })
        let words = ((api["trends"] as? [String: Any])?["requests"] as? [String: Any])?["words"] as? String
        #expect(words?.hasPrefix("rising") == true, "\(words ?? "-")")
    }

    @Test func baselineMakesKnownPatternsOld() throws {
        let month = try Month()
        let days = try FileManager.default.contentsOfDirectory(atPath: month.dir.appendingPathComponent("logs").path).sorted()
        let logs = month.dir.appendingPathComponent("logs")
        let early = days.prefix(5).map { logs.appendingPathComponent($0).path }
        let late = days.suffix(5).map { logs.appendingPathComponent($0).path }
        let r = try CLI.run(["report", "--output", "json"] + late + ["--baseline"] + early)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        #expect(doc["new_after"] is NSNull)
        let patterns = try #require(doc["patterns"] as? [[String: Any]])
        let fresh = patterns.filter { $0["new"] as? Bool == true }.compactMap { $0["template"] as? String }
        #expect(fresh.contains { $0.hasPrefix("inventory reservation failed") })
        #expect(!fresh.contains { $0.hasPrefix("order") }, "\(fresh)")
    }

    static func parse(_ v: Any?) -> Double? {
        guard let s = v as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d.timeIntervalSince1970 }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)?.timeIntervalSince1970
    }

    @Test func textOnSampleDataFitsEightyColumns() throws {
        let r = try CLI.run(["report", CLI.sampleData])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("Trend report"))
        #expect(r.stdout.contains("payment"))
        #expect(r.stdout.contains("▁"))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when not on a terminal")
        for line in r.lines { #expect(line.count <= 80, "too wide: \(line)") }
        let colour = try CLI.run(["report", "--color", "always", CLI.sampleData], environment: ["NO_COLOR": ""])
        #expect(colour.stdout.contains("\u{1B}["))
        let md = try CLI.run(["report", "--output", "markdown", CLI.sampleData])
        #expect(md.stdout.contains("| service | records |"))
        #expect(md.stdout.contains("## Anomalies"))
    }

    @Test func sampleDataIncidentShowsAsErrorAnomalies() throws {
        let r = try CLI.run(["report", "--output", "json", CLI.sampleData])
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let anomalies = try #require(doc["anomalies"] as? [[String: Any]])
        let payment = anomalies.filter { $0["service"] as? String == "payment" && $0["metric"] as? String == "error_rate" }
        #expect(!payment.isEmpty)
        // The incident (ground truth) runs from about 10:38; failures come after.
        #expect(payment.allSatisfy { ($0["start"] as? String ?? "") >= "2026-11-25T10:38" })
        #expect(doc["skipped"] as? Int == 0)
    }

    @Test func usageAndNothingReadable() throws {
        let bad = try CLI.run(["report", "--bucket", "7m", CLI.sampleData])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--bucket"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = dir.appendingPathComponent("blob.bin")
        try Data([0, 1, 2, 3, 0, 0, 0xff, 0xfe]).write(to: binary)
        let none = try CLI.run(["report", binary.path])
        #expect(none.status == 3)
    }

    static var browser: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: browser != nil))
    func htmlRendersOfflineInChromium() throws {
        let browser = try #require(Self.browser)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("report.html")
        let r = try CLI.run(["report", "--output", "html", "-o", page.path, CLI.sampleData])
        #expect(r.status == 0)
        let html = try String(contentsOf: page, encoding: .utf8)
        for loader in ["src=\"http", "href=\"http", "@import", "url(http", "<link ", "<iframe", "<script"] {
            #expect(!html.contains(loader), "the page must not load anything: \(loader)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.absoluteString]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(dom.components(separatedBy: "<svg").count - 1 >= 8 * 3, "a chart per key series of each service")
        #expect(dom.contains("Anomalies"))
        let shot = dir.appendingPathComponent("report.png")
        let s = Process()
        s.executableURL = URL(fileURLWithPath: browser)
        s.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2000", "--screenshot=\(shot.path)", page.absoluteString]
        s.standardOutput = FileHandle.nullDevice
        s.standardError = FileHandle.nullDevice
        try s.run()
        s.waitUntilExit()
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 50_000, "the screenshot is blank or missing")
    }
}
