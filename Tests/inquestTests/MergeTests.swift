import Foundation
import Testing

/// `--partial` and `inquest merge`: partials over disjoint inputs merge into the result
/// one run over all of them gives.
@Suite("partial results and merge")
struct MergeTests {
    @Test func depsOfThePartsMergeIntoTheWholeGraph() throws {
        let whole = try CLI.run(["deps", "--output", "json", CLI.sampleData])
        #expect(whole.status == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var parts: [String] = []
        for f in ["jaeger", "zipkin", "otlp"] {
            let part = dir.appendingPathComponent("\(f).partial.json").path
            let r = try CLI.run(["deps", CLI.sampleData + "/spans/\(f).json", "--partial", part])
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try #require(try CLI.json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: part)), as: UTF8.self)) as? [String: Any])
            #expect(doc["inquest_partial"] as? Int == 1 && doc["kind"] as? String == "deps")
            parts.append(part)
        }
        let merged = try CLI.run(["merge", "--output", "json"] + parts)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout == whole.stdout, "merged partials equal one run over all inputs")
        // Any order, and text output too.
        let reversed = try CLI.run(["merge", "--output", "json"] + parts.reversed())
        #expect(reversed.stdout == whole.stdout)
        let text = try CLI.run(["merge"] + parts)
        #expect(text.stdout == (try CLI.run(["deps", CLI.sampleData])).stdout)
    }

    @Test func patternsOfThePartsMergeIntoTheSamePatterns() throws {
        let whole = try CLI.run(["patterns", "--output", "json", CLI.sampleData])
        #expect(whole.status == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // One task per input, in the order a directory walk reads them.
        let inputs = try FileManager.default.contentsOfDirectory(atPath: CLI.sampleData).sorted().filter { $0 != "README.md" }
        var parts: [String] = []
        for (i, name) in inputs.enumerated() {
            let part = dir.appendingPathComponent("part-\(i).json").path
            let r = try CLI.run(["patterns", CLI.sampleData + "/" + name, "--partial", part])
            #expect(r.status == 0 || r.status == 3, "\(name): \(r.stderr)")
            if FileManager.default.fileExists(atPath: part) { parts.append(part) }
        }
        let merged = try CLI.run(["merge", "--output", "json"] + parts)
        #expect(merged.status == 0, "\(merged.stderr)")
        func patterns(_ text: String) throws -> [[String: String]] {
            let doc = try #require(try CLI.json(text) as? [String: Any])
            // Variable values are sampled: compare everything else.
            return (doc["patterns"] as? [[String: Any]] ?? []).map { p in
                p.filter { $0.key != "variables" }.mapValues { "\($0)" }
            }
        }
        let a = try patterns(whole.stdout), b = try patterns(merged.stdout)
        #expect(a.count > 20)
        #expect(a == b, "merged partials give the patterns of one run")
        #expect(try CLI.run(["merge", "--output", "dot"] + parts).status == 2, "dot is for deps")
    }

    @Test func reportOfThePartsMergesIntoTheSameReport() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A month of many files (automatic widths, anomalies, forecasts, patterns), one task a file.
        let month = dir.appendingPathComponent("month").path
        #expect(try CLI.run(["simulate", month, "--month"]).status == 0)
        let files = (FileManager.default.enumerator(atPath: month)?.allObjects as? [String] ?? [])
            .filter { !$0.hasSuffix("README.md") }   // what a directory walk reads
            .map { month + "/" + $0 }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
            .sorted()
        #expect(files.count > 30)
        var parts: [String] = []
        for (i, f) in files.enumerated() {
            let part = dir.appendingPathComponent("part-\(i).json").path
            let r = try CLI.run(["report", f, "--partial", part])
            #expect(r.status == 0, "\(f): \(r.stderr)")
            parts.append(part)
        }
        for format in ["json", "markdown"] {
            let whole = try CLI.run(["report", "--output", format, month])
            let merged = try CLI.run(["merge", "--output", format] + parts)
            #expect(merged.status == 0, "\(merged.stderr)")
            #expect(merged.stdout == whole.stdout, "\(format): merged partials give the report of one run")
        }
        #expect(try CLI.run(["merge", "--output", "dot"] + parts).status == 2, "dot is for deps")
    }

    @Test func badPartialsAreRefusedWithTheirName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-merge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = [
            ("future.json", "{\"inquest_partial\":2,\"kind\":\"deps\"}", "version 2"),
            ("kind.json", "{\"inquest_partial\":1,\"kind\":\"nope\"}", "unknown partial result kind"),
            ("log.json", "{\"msg\":\"a log line\"}", "not a partial result"),
            ("broken.json", "{\"inquest_partial\":1,\"kind\":\"deps\",\"edges\":[{\"caller\":\"a\"}]}", "an edge lacks"),
            ("hist.json", "{\"inquest_partial\":1,\"kind\":\"deps\",\"edges\":[{\"caller\":\"a\",\"callee\":\"b\",\"calls\":1,\"errors\":0,\"latency_sum_ns\":1,\"latency_max_ns\":1,\"latency_buckets\":[[3,-1]]}]}", "latency bucket"),
        ]
        for (name, text, message) in cases {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try CLI.run(["merge", path])
            #expect(r.status == 2, "\(name)")
            #expect(r.stderr.contains(name) && r.stderr.contains(message), "\(name): \(r.stderr)")
        }
        #expect(try CLI.run(["merge", dir.path + "/missing.json"]).status == 3)
    }
}
