import Foundation
import Testing

/// `inquest patterns` on the committed sample incident.
@Suite("patterns end to end")
struct PatternsCommandTests {
    func patternsJSON(_ extra: [String] = []) throws -> [String: Any] {
        let r = try CLI.run(["patterns", "--output", "json"] + extra + [CLI.sampleData])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try CLI.json(r.stdout) as? [String: Any])
    }

    @Test func everyLogRecordIsInOnePattern() throws {
        let doc = try patternsJSON()
        let patterns = try #require(doc["patterns"] as? [[String: Any]])
        let count = try CLI.run(["logs", "--count", CLI.sampleData])
        let records = Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(doc["lines"] as? Int == records)
        #expect(patterns.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == records)
        let ids = patterns.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == patterns.count)
        #expect(ids.allSatisfy { $0.count == 8 && $0.allSatisfy(\.isHexDigit) })
        // Most frequent first.
        let counts = patterns.compactMap { $0["count"] as? Int }
        #expect(counts == counts.sorted(by: >))
        // The incident's failing charge is one template, all of its records errors.
        let charge = try #require(patterns.first { ($0["template"] as? String ?? "").contains("Charge failed for order ord-<*>") })
        #expect((charge["count"] as? Int ?? 0) > 10)
        #expect(charge["errors"] as? Int == charge["count"] as? Int)
        #expect(charge["first_seen"] is String && charge["last_seen"] is String)
        #expect((charge["example"] as? String ?? "").contains("Charge failed"))
    }

    @Test func assignWritesOneLinePerRecordInInputOrder() throws {
        let doc = try patternsJSON()
        let ids = Set((doc["patterns"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        let r = try CLI.run(["patterns", "--assign", "--output", "ndjson", CLI.sampleData])
        #expect(r.status == 0)
        #expect(r.lines.count == doc["lines"] as? Int)
        var lastLine: [String: Int] = [:]
        for line in r.lines {
            let o = try #require(try CLI.json(line) as? [String: Any])
            let file = try #require(o["file"] as? String, "several inputs: each line names its file")
            let n = try #require(o["line"] as? Int)
            #expect(ids.contains(o["pattern"] as? String ?? ""))
            #expect(n > lastLine[file, default: 0], "input order within \(file)")
            lastLine[file] = n
        }
    }

    @Test func splitMarksNewAndVanishedPatterns() throws {
        let doc = try patternsJSON(["--split", "2026-11-25T10:30:00Z"])
        let patterns = try #require(doc["patterns"] as? [[String: Any]])
        func change(_ text: String) -> String? {
            patterns.first { ($0["template"] as? String ?? "").contains(text) }?["change"] as? String
        }
        // The redis eviction episode is over before 10:30; the stripe failures start after it.
        #expect(change("redis reports maxmemory reached") == "vanished")
        #expect(change("Charge failed for order") == "new")
        #expect(change("request completed") == "same")
        #expect((doc["baseline_lines"] as? Int ?? 0) > 0)
    }

    @Test func textFitsEightyColumnsWithoutColourOffTerminal() throws {
        let r = try CLI.run(["patterns", "--limit", "0", CLI.sampleData])
        #expect(r.status == 0)
        #expect(r.lines.count > 20)
        for line in r.lines {
            #expect(line.count <= 80, "too wide: \(line)")
            #expect(!line.hasSuffix(" "), "trailing space: \(line)")
        }
        #expect(!r.stdout.contains("\u{1B}["))
        let coloured = try CLI.run(["patterns", "--color", "always", CLI.sampleData], environment: ["NO_COLOR": ""])
        #expect(coloured.stdout.contains("\u{1B}["))
    }

    @Test func usageMistakesExitTwo() throws {
        #expect(try CLI.run(["patterns", "--assign", CLI.sampleData]).status == 2)
        #expect(try CLI.run(["patterns", "--factor", "1", CLI.sampleData]).status == 2)
        #expect(try CLI.run(["patterns", "--split", "whenever", CLI.sampleData]).status == 2)
        #expect(try CLI.run(["patterns", "/nonexistent/inquest"]).status == 3)
    }
}
