import Foundation
import Testing

/// `check` on the sample incident: the payment rule fires during the outage, a broken
/// rule file exits 2 with the place of the mistake.
@Suite("check end to end (Rule)")
struct CheckTests {
    static let rules = CLI.root.appendingPathComponent("examples/rules.yaml").path

    func time(_ s: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: s), "not RFC 3339: \(s)")
    }

    @Test func paymentErrorsFireDuringTheOutage() throws {
        let r = try CLI.run(["check", CLI.sampleData, "--rules", Self.rules, "--bucket", "5m", "--output", "json"])
        #expect(r.status == 1, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        #expect(doc["rules"] as? Int == 5)
        #expect(doc["skipped"] as? Int == 0)
        let fired = try #require(doc["fired"] as? [[String: Any]])
        let payment = fired.filter { $0["alert"] as? String == "PaymentErrors" }
        #expect(payment.count == 1, "\(fired)")
        let p = try #require(payment.first)
        #expect(p["severity"] as? String == "page")
        #expect(p["expr"] as? String == #"error_rate{service="payment"} > 10%"#)
        #expect(p["threshold"] as? Double == 0.1)
        #expect(p["ongoing"] as? Bool == false)

        // The errors start at 10:42 and the last failure is at 11:04 (SampleData/README.md):
        // with 5-minute buckets and `for: 5m` it fires one bucket after the first failing one.
        let truth = try #require(try CLI.json(String(contentsOfFile: CLI.sampleData + "/ground-truth.json", encoding: .utf8)) as? [String: Any])
        let incident = try #require(truth["incident"] as? [String: Any])
        let errorsStart = try time(try #require(incident["errors_start"] as? String))
        let recovered = try time(try #require(incident["end"] as? String))
        let start = try time(try #require(p["start"] as? String))
        let end = try time(try #require(p["end"] as? String))
        #expect(start >= errorsStart && start <= errorsStart.addingTimeInterval(15 * 60), "fired at \(start)")
        #expect(end > start && end <= recovered.addingTimeInterval(5 * 60), "ended at \(end)")
        let peakAt = try time(try #require(p["peak_at"] as? String))
        #expect(peakAt >= start && peakAt < end)
        #expect((p["peak"] as? Double ?? 0) > 0.5)
        // Every interval lies within the archive, and nothing fires on the decoys.
        #expect(!fired.contains { $0["alert"] as? String == "InventoryNotFound" })
        #expect(doc["window"] != nil)
    }

    @Test func textTableFits80Columns() throws {
        let r = try CLI.run(["check", CLI.sampleData, "--rules", Self.rules, "--bucket", "5m"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("PaymentErrors"))
        #expect(r.lines.contains { $0.hasPrefix("ALERT") && $0.contains("PEAK") })
        for line in r.lines { #expect(line.count <= 80, "too wide: \(line)") }
        #expect(!r.stdout.contains("\u{1B}["), "no colour when not on a terminal")
    }

    @Test func quietRulesExitZero() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("quiet.yaml").path
        try """
            rules:
              - alert: NeverThatBad
                expr: error_rate{service="payment"} > 100%
              - alert: Typo
                expr: error_rate{service="paymnt"} > 1%
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", CLI.sampleData, "--rules", file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("No rule fired."))
        #expect(r.stderr.contains(#"warning: rule Typo: error_rate{service="paymnt"} matches no series"#), "\(r.stderr)")
    }

    /// A rule on a log pattern, by the ID `inquest patterns` gives it.
    @Test func patternRuleFiresWhenChargesFail() throws {
        let patterns = try CLI.run(["patterns", CLI.sampleData, "--output", "json"])
        let list = try #require((try CLI.json(patterns.stdout) as? [String: Any])?["patterns"] as? [[String: Any]])
        let id = try #require(list.first { ($0["template"] as? String ?? "").contains("Charge failed") }?["id"] as? String)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pattern.yaml").path
        try "rules:\n  - alert: ChargeFailures\n    expr: count{pattern=\"\(id)\"} > 0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", CLI.sampleData, "--rules", file, "--bucket", "5m", "--output", "json"])
        #expect(r.status == 1, "\(r.stderr)")
        let fired = try #require((try CLI.json(r.stdout) as? [String: Any])?["fired"] as? [[String: Any]])
        // Charges fail from 10:42 to 11:04: the 10:40 bucket is the first, 11:05 the end.
        #expect(fired.first?["start"] as? String == "2026-11-25T10:40:00Z", "\(fired)")
        #expect(fired.last?["end"] as? String == "2026-11-25T11:05:00Z", "\(fired)")
    }

    @Test func brokenRuleFileExits2WithLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.yaml").path
        try """
            groups:
              - name: checkout
                rules:
                  - alert: PaymentErrors
                    expr: error_rate{service="payment"} > 800ms
                  - alert: Slow
                    expr: p99{service="checkout"} > 2s
                    for: soon
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", CLI.sampleData, "--rules", file])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(r.stderr)")
        #expect(lines.first == "\(file):5:47: expr: a duration compares with a latency metric (p50, p90, p95, p99), not error_rate")
        #expect(lines.last == "\(file):8:14: `for:` 'soon' is not a duration: use e.g. 30s, 10m, 1h30m, 1d")

        let syntax = dir.appendingPathComponent("syntax.yaml").path
        try "rules:\n  - alert: A\n    expr: [count > 1\n".write(toFile: syntax, atomically: true, encoding: .utf8)
        let s = try CLI.run(["check", CLI.sampleData, "--rules", syntax])
        #expect(s.status == 2)
        #expect(s.stderr.hasPrefix("\(syntax):4:1: YAML: "), "\(s.stderr)")
    }

    @Test func usageAndMissingInput() throws {
        #expect(try CLI.run(["check", CLI.sampleData]).status == 2, "--rules is required")
        #expect(try CLI.run(["check", CLI.sampleData, "--rules", Self.rules, "--bucket", "7m"]).status == 2)
        let missing = try CLI.run(["check", CLI.sampleData, "--rules", "/nonexistent/rules.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/rules.yaml: cannot read the rule file"))
        #expect(try CLI.run(["check", "/nonexistent/logs", "--rules", Self.rules]).status == 3)
        let help = try CLI.run(["check", "--help"])
        for option in ["--rules", "--bucket", "--since", "--until", "--output"] { #expect(help.stdout.contains(option)) }
    }
}
