import Foundation
import Testing

/// The command-line contract: exit statuses, errors on stderr, colour rules, stdin.
@Suite("Command-line contract")
struct ContractTests {
    @Test func missingInputExitsThree() throws {
        let r = try CLI.run(["inspect", "/nonexistent/inquest-test"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("/nonexistent/inquest-test"))
    }

    @Test func badUsageExitsTwo() throws {
        let r = try CLI.run(["logs", "--level", "loud", CLI.sampleData])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--level"))
        let none = try CLI.run(["logs"])
        #expect(none.status == 2)
    }

    @Test func badRegexIsAUsageError() throws {
        let r = try CLI.run(["logs", "--grep", "(", CLI.sampleData])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--grep"))
    }

    @Test func standardInput() throws {
        let text = """
            {"time":"2026-01-01T00:00:00Z","level":"info","msg":"a"}
            {"time":"2026-01-01T00:00:01Z","level":"error","msg":"b"}
            {"time":"2026-01-01T00:00:02Z","level":"error","msg":
            """
        let r = try CLI.run(["logs", "--level", "error", "--output", "ndjson", "-"], stdin: Data(text.utf8))
        #expect(r.status == 0)
        #expect(r.lines.count == 1)
        #expect(r.stdout.contains("\"message\":\"b\""))
        // The cut-off third record is reported with its line.
        #expect(r.stderr.contains("-:3"))
    }

    @Test func noColourWhenPipedOrNOCOLOR() throws {
        let plain = try CLI.run(["logs", "--limit", "20", CLI.sampleData])
        #expect(!plain.stdout.contains("\u{1B}["))
        let forced = try CLI.run(["logs", "--limit", "20", "--color", "always", CLI.sampleData])
        #expect(forced.stdout.contains("\u{1B}["))
        let never = try CLI.run(["logs", "--limit", "20", "--color", "never", CLI.sampleData], environment: ["NO_COLOR": "1"])
        #expect(!never.stdout.contains("\u{1B}["))
    }

    @Test func damagedInputIsReportedButTheRunSucceeds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("app.log")
        try Data("""
            {"ts":"2026-01-01T00:00:00Z","level":"info","msg":"ok"}
            {"ts":"2026-01-01T00:00:01Z","level":"info","msg":"broken
            {"ts":"2026-01-01T00:00:02Z","level":"warn","msg":"ok again"}

            """.utf8).write(to: file)
        let r = try CLI.run(["logs", "--output", "json", file.path])
        #expect(r.status == 0)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        #expect(doc["count"] as? Int == 2)
        #expect(doc["skipped"] as? Int == 1)
        #expect(r.stderr.contains("app.log:2"))
    }

    @Test func binaryFileAloneExitsThree() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("core.dump")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: file)
        let r = try CLI.run(["inspect", "--output", "json", file.path])
        #expect(r.status == 3)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let inputs = try #require(doc["inputs"] as? [[String: Any]])
        #expect(inputs.first?["format"] as? String == "binary")
    }

    @Test(.enabled(if: CLI.hasSharedFormats))
    func realExporterFilesAllRecognised() throws {
        let r = try CLI.run(["inspect", "--output", "json", CLI.sharedFormats + "/logs", CLI.sharedFormats + "/spans"])
        #expect(r.status == 0)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let inputs = try #require(doc["inputs"] as? [[String: Any]])
        #expect(inputs.count >= 26)
        for i in inputs {
            let path = i["path"] as? String ?? ""
            #expect(i["skipped"] as? Int == 0, "\(path)")
            #expect((i["records"] as? Int ?? 0) > 0, "\(path)")
            let expected = path.contains("/spans/") ? "spans" : "logs"
            #expect(i["kind"] as? String == expected, "\(path)")
        }
    }
}
