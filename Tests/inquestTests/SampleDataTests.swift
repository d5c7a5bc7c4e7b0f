import Foundation
import Testing

/// End-to-end runs of the built binary on the committed sample incident.
@Suite("SampleData end to end")
struct SampleDataTests {
    func inspectJSON() throws -> [[String: Any]] {
        let r = try CLI.run(["inspect", "--output", "json", CLI.sampleData])
        #expect(r.status == 0)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        return try #require(doc["inputs"] as? [[String: Any]])
    }

    @Test func inspectReadsEveryFileWithoutLoss() throws {
        let inputs = try inspectJSON()
        let byPath = Dictionary(uniqueKeysWithValues: inputs.map { (($0["path"] as? String ?? "").replacingOccurrences(of: CLI.sampleData + "/", with: ""), $0) })
        let expected: [String: (kind: String, format: String, compression: String)] = [
            "api-gateway.log.gz": ("logs", "json", "gzip"),
            "cart.log.gz": ("logs", "json", "gzip"),
            "checkout.log": ("logs", "logfmt", "none"),
            "frontend-access.log": ("logs", "access", "none"),
            "inventory.log": ("logs", "syslog", "none"),
            "payment.log": ("logs", "plain", "none"),
            "shipping-docker.log": ("logs", "docker-json", "none"),
            "notification-logs.tar.gz:notification.log": ("logs", "plain", "tar.gz"),
            "notification-logs.tar.gz:notification.log.1": ("logs", "plain", "tar.gz"),
            "spans/jaeger.json": ("spans", "jaeger", "none"),
            "spans/zipkin.json": ("spans", "zipkin-v2", "none"),
            "spans/otlp.json": ("spans", "otlp-traces", "none"),
        ]
        for (path, e) in expected {
            let i = try #require(byPath[path], "\(path) missing from inspect")
            #expect(i["kind"] as? String == e.kind, "\(path)")
            #expect(i["format"] as? String == e.format, "\(path)")
            #expect(i["compression"] as? String == e.compression, "\(path)")
            #expect(i["skipped"] as? Int == 0, "\(path)")
            let records = i["records"] as? Int ?? -1
            #expect(records > 0, "\(path)")
            #expect(records == (i["parsed"] as? Int ?? 0) + (i["skipped"] as? Int ?? 0), "\(path)")
        }
        // Span dumps report traces and spans.
        let jaeger = try #require(byPath["spans/jaeger.json"])
        #expect((jaeger["traces"] as? Int ?? 0) > 100)
        #expect((jaeger["spans"] as? Int ?? 0) > (jaeger["traces"] as? Int ?? 0))
    }

    @Test func inspectTextFitsEightyColumns() throws {
        let r = try CLI.run(["inspect", CLI.sampleData])
        #expect(r.status == 0)
        for line in r.lines { #expect(line.count <= 80, "too wide: \(line)") }
        #expect(r.stdout.contains("notification-logs.tar.gz:notification.log.1"))
    }

    @Test func errorsAreMergedInTimeOrderAcrossFormats() throws {
        let r = try CLI.run(["logs", "--level", "error", "--output", "ndjson", CLI.sampleData])
        #expect(r.status == 0)
        var times: [String] = []
        var services = Set<String>()
        for line in r.lines {
            let o = try #require(try CLI.json(line) as? [String: Any])
            let level = o["level"] as? String
            #expect(level == "error" || level == "fatal")
            if let t = o["time"] as? String { times.append(t) }
            if let s = o["service"] as? String { services.insert(s) }
        }
        #expect(times.count == r.lines.count)
        // RFC 3339 in UTC compares as text once the precision is the same; compare as dates.
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let g = ISO8601DateFormatter()
        let dates = times.map { f.date(from: $0) ?? g.date(from: $0) ?? .distantPast }
        #expect(dates == dates.sorted(), "records are not in time order")
        // The outage shows up in several services and formats.
        for s in ["payment", "checkout", "api-gateway", "frontend"] { #expect(services.contains(s), "\(s) has no errors") }
    }

    @Test func countAgreesWithTheStream() throws {
        let stream = try CLI.run(["logs", "--level", "warn", "--output", "ndjson", CLI.sampleData])
        let count = try CLI.run(["logs", "--level", "warn", "--count", CLI.sampleData])
        #expect(count.status == 0)
        #expect(Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == stream.lines.count)
        #expect(stream.lines.count > 100)
    }

    @Test func oneTraceAcrossServices() throws {
        let truth = try #require(try CLI.json(String(contentsOfFile: CLI.sampleData + "/ground-truth.json", encoding: .utf8)) as? [String: Any])
        let failed = try #require((truth["traces"] as? [String: Any])?["failed_trace_ids"] as? [String])
        let id = try #require(failed.first)
        let r = try CLI.run(["logs", "--trace", String(id.prefix(12)), "--output", "ndjson", CLI.sampleData])
        #expect(r.status == 0)
        var services = Set<String>()
        for line in r.lines {
            let o = try #require(try CLI.json(line) as? [String: Any])
            #expect((o["trace_id"] as? String)?.hasPrefix(String(id.prefix(12))) == true)
            if let s = o["service"] as? String { services.insert(s) }
        }
        #expect(services.count >= 3, "a failed checkout should be logged by several services: \(services)")
    }

    @Test func filtersCombine() throws {
        let args = ["--service", "payment", "--grep", "stripe", "-i", "--since", "2026-11-25T10:40:00Z",
                    "--until", "2026-11-25T11:00:00Z", CLI.sampleData]
        let r = try CLI.run(["logs", "--output", "ndjson"] + args)
        #expect(r.status == 0)
        #expect(r.lines.count > 2)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let since = try #require(ISO8601DateFormatter().date(from: "2026-11-25T10:40:00Z"))
        let until = try #require(ISO8601DateFormatter().date(from: "2026-11-25T11:00:00Z"))
        for line in r.lines {
            let o = try #require(try CLI.json(line) as? [String: Any])
            #expect(o["service"] as? String == "payment")
            let t = try #require(f.date(from: o["time"] as? String ?? ""))
            #expect(t >= since && t <= until)
            let text = ((o["message"] as? String ?? "") + "\((o["fields"] as? [String: Any]) ?? [:])").lowercased()
            #expect(text.contains("stripe"))
        }
        // CSV: a header, and multi-line messages quoted as one field.
        let csv = try CLI.run(["logs", "--output", "csv"] + args)
        #expect(csv.lines.first == "time,level,service,trace_id,span_id,message,source")
        #expect(csv.stdout.contains(",\"") )
    }

    @Test func relativeSinceCountsFromTheNewestRecord() throws {
        let all = try CLI.run(["logs", "--count", CLI.sampleData])
        let last = try CLI.run(["logs", "--count", "--since", "10m", CLI.sampleData])
        let a = Int(all.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let b = Int(last.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(b > 0 && b < a / 3)
    }
}
