import Foundation
import Testing

/// End-to-end runs of `inquest redact` on SampleData and on small seeded inputs.
@Suite("redact end to end")
struct RedactTests {
    func tempDir() throws -> String {
        let p = NSTemporaryDirectory() + "inquest-redact-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    func detections(_ file: [String: Any]) -> [String: Int] { file["detections"] as? [String: Int] ?? [:] }

    /// SampleData holds client IPs in the access log (and a 10.42.0.1 probe) but no
    /// e-mail addresses, cards, phones or secrets; its trace IDs, timestamps, order
    /// IDs and user-agent versions (Chrome/131.0.0.0) must not be taken for any.
    @Test func sampleDataDryRun() throws {
        let r = try CLI.run(["redact", "--dry-run", "--output", "json", "--out", "/nonexistent/out", CLI.sampleData])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let files = try #require(doc["files"] as? [[String: Any]])
        #expect(files.count == 13)  // ground-truth.json is JSON too
        let byPath = Dictionary(uniqueKeysWithValues: files.map { (($0["path"] as? String ?? "").replacingOccurrences(of: CLI.sampleData + "/", with: ""), $0) })
        let access = try #require(byPath["frontend-access.log"])
        #expect((detections(access)["ipv4"] ?? 0) >= 100, "\(detections(access))")
        #expect(access["lines"] as? Int == 1190 || (access["lines"] as? Int ?? 0) > 0)
        let totals = try #require(doc["totals"] as? [String: Any])
        let t = try #require(totals["detections"] as? [String: Int])
        for kind in ["email", "ipv6", "card", "phone", "jwt", "token", "secret", "pattern"] {
            #expect(t[kind] == 0, "\(kind): \(t[kind] ?? -1) false positives in SampleData")
        }
        for f in files { #expect(f["out"] is NSNull, "dry run wrote \(f["path"] ?? "")") }
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/out"))
    }

    /// A real run mirrors SampleData, keeps every file readable in the same format
    /// with the same records (inspect agrees), masks every IP and keeps the rest.
    @Test func sampleDataRunKeepsFormatsAndRecords() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/redacted"
        let r = try CLI.run(["redact", "--out", out, CLI.sampleData])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("written to \(out)"))
        for line in r.stdout.split(separator: "\n") where !line.contains("written to") { #expect(line.count <= 80, "\(line)") }
        func inspect(_ path: String) throws -> [String: [String: Any]] {
            let i = try CLI.run(["inspect", "--output", "json", path])
            let doc = try #require(try CLI.json(i.stdout) as? [String: Any])
            let inputs = try #require(doc["inputs"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: inputs.map { (($0["path"] as? String ?? "").replacingOccurrences(of: path + "/", with: ""), $0) })
        }
        let before = try inspect(CLI.sampleData), after = try inspect(out)
        for (path, b) in before where path != "ground-truth.json" {
            let a = try #require(after[path], "\(path) missing from the output")
            for key in ["kind", "format", "compression", "records", "parsed", "skipped", "first", "last", "traces", "spans"] {
                #expect("\(a[key] ?? "nil")" == "\(b[key] ?? "nil")", "\(path) \(key)")
            }
        }
        let access = try String(contentsOfFile: out + "/frontend-access.log", encoding: .utf8)
        #expect(access.hasPrefix("<ipv4> - - [25/Nov/2026:10:00:01 +0000]"))
        #expect(access.contains("Chrome/131.0.0.0"))
        #expect(!access.contains("198.51.100."))
        let mode = try FileManager.default.attributesOfItem(atPath: out + "/payment.log")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Running again over the same output is refused; --force replaces.
        let again = try CLI.run(["redact", "--out", out, CLI.sampleData])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        #expect(try CLI.run(["redact", "--force", "--out", out, CLI.sampleData]).status == 0)
    }

    @Test func refusesOutInsideInputAndBadKeys() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "user jane@example.com\nmail bob@example.org\n".write(toFile: dir + "/app.log", atomically: true, encoding: .utf8)
        let inside = try CLI.run(["redact", "--out", dir + "/out", dir])
        #expect(inside.status == 2)
        #expect(inside.stderr.contains("inside the input directory"))
        let key = dir + "-key"
        defer { try? FileManager.default.removeItem(atPath: key) }
        _ = FileManager.default.createFile(atPath: key, contents: Data(repeating: 42, count: 32), attributes: [.posixPermissions: 0o644])
        let open = try CLI.run(["redact", "--pseudonymize", "--key-file", key, "--out", dir + "-o", dir + "/app.log"])
        #expect(open.status == 2)
        #expect(open.stderr.contains("readable by everyone"))
        #expect(try CLI.run(["redact", "--pseudonymize", "--out", dir + "-o", dir]).status == 2)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let out = dir + "-o"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let ok = try CLI.run(["redact", "--pseudonymize", "--key-file", key, "--pattern", "user [a-z]+", "--out", out, dir + "/app.log"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let text = try String(contentsOfFile: out + "/app.log", encoding: .utf8)
        // The pattern and the e-mail overlap: one replacement covers both, nothing is left.
        let outLines = text.split(separator: "\n")
        #expect(outLines.count == 2)
        #expect(outLines.first?.hasPrefix("<pattern:") == true && !text.contains("example.com"), "\(text)")
        #expect(outLines.last?.hasPrefix("mail <email:") == true, "\(text)")
        #expect(try CLI.run(["redact", "--pattern", "(", "--out", out + "2", dir]).status == 2)
    }

    @Test func standardInputAndHelp() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["redact", "--out", dir + "/o", "-"], stdin: Data("ip 203.0.113.9\n".utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: dir + "/o/stdin", encoding: .utf8) == "ip <ipv4>\n")
        let help = try CLI.run(["redact", "--help"])
        for option in ["--out", "--pseudonymize", "--key-file", "--pattern", "--skip", "--force", "--dry-run", "--output"] {
            #expect(help.stdout.contains(option), "\(option)")
        }
    }
}
