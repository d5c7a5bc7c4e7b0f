import Foundation
import Testing

/// `traces`, `trace ID` and `deps` on the sample incident and on real exporter files.
@Suite("Trace commands end to end")
struct TraceCommandsTests {
    func failedTraceIDs() throws -> [String] {
        let truth = try #require(try CLI.json(String(contentsOfFile: CLI.sampleData + "/ground-truth.json", encoding: .utf8)) as? [String: Any])
        return try #require((truth["traces"] as? [String: Any])?["failed_trace_ids"] as? [String])
    }

    @Test func tracesFindsEveryRequestAndTheFailedOnes() throws {
        let all = try CLI.run(["traces", "--output", "json", CLI.sampleData])
        #expect(all.status == 0)
        let doc = try #require(try CLI.json(all.stdout) as? [String: Any])
        let traces = try #require(doc["traces"] as? [[String: Any]])
        #expect(traces.count == 460)
        for key in ["trace_id", "root_service", "root_operation", "start", "duration_us", "spans", "services", "errors"] {
            #expect(traces[0][key] != nil, "missing \(key)")
        }
        // Failed requests: the entry span failed.
        let failedRoots = Set(traces.filter { $0["root_error"] as? Bool == true }.compactMap { $0["trace_id"] as? String })
        #expect(failedRoots == Set(try failedTraceIDs()))
    }

    @Test func tracesFiltersAndSorts() throws {
        let r = try CLI.run(["traces", "--errors", "--service", "payment", "--min-duration", "1s", "--sort", "duration",
                             "--limit", "5", "--output", "json", CLI.sampleData])
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let rows = try #require(doc["traces"] as? [[String: Any]])
        #expect(rows.count == 5)
        let durations = rows.compactMap { $0["duration_us"] as? Int }
        #expect(durations == durations.sorted(by: >))
        #expect(durations.allSatisfy { $0 >= 1_000_000 })
        #expect(rows.allSatisfy { ($0["errors"] as? Int ?? 0) > 0 })
        let csv = try CLI.run(["traces", "--limit", "3", "--output", "csv", CLI.sampleData])
        #expect(csv.lines.first == "trace_id,root_service,root_operation,start,duration_us,spans,services,errors")
        #expect(csv.lines.count == 4)
        let text = try CLI.run(["traces", "--sort", "errors", "--limit", "10", CLI.sampleData])
        for line in text.lines { #expect(line.count <= 80, "too wide: \(line)") }
    }

    @Test func traceWaterfallSaysWhereItFailedAndShowsLogs() throws {
        let id = try #require(try failedTraceIDs().first)
        let r = try CLI.run(["trace", String(id.prefix(10)), CLI.sampleData])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Trace \(id)"))
        #expect(r.stdout.contains("✗ failed in payment"))
        #expect(r.stdout.contains("stripe-api"))
        #expect(r.stdout.contains("│ "), "log lines joined by ID")
        for line in r.lines { #expect(line.count <= 80, "too wide: \(line)") }
    }

    @Test func traceJSONIsATree() throws {
        let id = try #require(try failedTraceIDs().first)
        let r = try CLI.run(["trace", id, "--output", "json", CLI.sampleData])
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        #expect(doc["trace_id"] as? String == id)
        let failure = try #require(doc["failure"] as? [String: Any])
        #expect(failure["service"] as? String == "payment")
        let roots = try #require(doc["spans"] as? [[String: Any]])
        #expect(roots.count == 1)
        var count = 0, logs = 0, critical = 0
        var stack = roots
        while let n = stack.popLast() {
            count += 1
            logs += (n["logs"] as? [Any])?.count ?? 0
            if n["critical"] as? Bool == true { critical += 1 }
            stack.append(contentsOf: n["children"] as? [[String: Any]] ?? [])
        }
        #expect(count == doc["spans_count"] as? Int)
        #expect(logs > 3)
        #expect(critical >= 3)
    }

    @Test func unknownTraceIsAUsageError() throws {
        let r = try CLI.run(["trace", "ffffffffffff", CLI.sampleData])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no trace"))
    }

    @Test func depsNamesTheUninstrumentedPaymentAPI() throws {
        let r = try CLI.run(["deps", "--output", "json", CLI.sampleData])
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let edges = try #require(doc["edges"] as? [[String: Any]])
        let stripe = try #require(edges.first { $0["callee"] as? String == "stripe-api" })
        #expect(stripe["caller"] as? String == "payment")
        #expect(stripe["dependency"] as? Bool == true)
        #expect((stripe["errors"] as? Int ?? 0) > 0)
        #expect(stripe["p99_us"] != nil)
        let dot = try CLI.run(["deps", "--output", "dot", CLI.sampleData])
        #expect(dot.stdout.hasPrefix("digraph"))
        #expect(dot.stdout.contains("\"payment\" -> \"stripe-api\""))
        let mermaid = try CLI.run(["deps", "--output", "mermaid", CLI.sampleData])
        #expect(mermaid.stdout.hasPrefix("flowchart LR"))
    }

    @Test(.enabled(if: CLI.hasSharedFormats))
    func zipkinSharedSpansAndSkewAreRepaired() throws {
        let r = try CLI.run(["trace", "1e223ff1f80f1c69", "--output", "json", CLI.sharedFormats + "/spans/zipkin/skew.json"])
        #expect(r.status == 0)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let notes = (doc["notes"] as? [String]) ?? []
        #expect(notes.contains { $0.contains("shared span ID") })
        #expect(notes.contains { $0.contains("clock skew") })
        #expect(doc["spans_count"] as? Int == 4)
    }

    static var hasChromium: Bool {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: hasChromium))
    func htmlPageRendersOfflineInChromium() throws {
        let id = try #require(try failedTraceIDs().first)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("trace.html")
        let r = try CLI.run(["trace", id, "--output", "html", "-o", page.path, CLI.sampleData])
        #expect(r.status == 0)
        let html = try String(contentsOf: page, encoding: .utf8)
        for loader in ["src=\"http", "href=\"http", "@import", "url(http", "<link ", "<iframe"] {
            #expect(!html.contains(loader), "the page must not load anything: \(loader)")
        }
        #expect(html.contains("failed in payment"))
        // Render it and read back the DOM chromium built.
        let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }!
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.absoluteString]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(dom.contains("class=\"row\""))
        #expect(dom.components(separatedBy: "class=\"row").count - 1 >= 20)
        let shot = dir.appendingPathComponent("trace.png")
        let s = Process()
        s.executableURL = URL(fileURLWithPath: browser)
        s.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,900", "--screenshot=\(shot.path)", page.absoluteString]
        s.standardOutput = FileHandle.nullDevice
        s.standardError = FileHandle.nullDevice
        try s.run()
        s.waitUntilExit()
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 20_000, "the screenshot is blank or missing")
    }
}
