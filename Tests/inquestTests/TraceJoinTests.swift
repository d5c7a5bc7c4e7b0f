import Foundation
import Testing

/// `trace ID`: every log line joined to a request carries that request's ID, or is
/// marked as a time join (issue 15). Counted over many traces of SampleData and of a
/// simulated incident with another seed.
@Suite("Trace log joins end to end", .serialized)
struct TraceJoinTests {
    /// What the joined lines of one trace were.
    struct Count: CustomStringConvertible {
        var byID = 0, byTime = 0, wrong: [String] = []
        /// Lines joined by ID, per service.
        var byIDOf: [String: Int] = [:]
        var description: String { "\(byID) by ID, \(byTime) by time, \(wrong.count) wrong" }
        static func + (a: Count, b: Count) -> Count {
            Count(byID: a.byID + b.byID, byTime: a.byTime + b.byTime, wrong: a.wrong + b.wrong,
                  byIDOf: a.byIDOf.merging(b.byIDOf, uniquingKeysWith: +))
        }
    }

    /// 64-bit IDs logged for 128-bit traces match on the low half, as `LogCorrelation.sameTrace`.
    static func sameTrace(_ a: String, _ b: String) -> Bool {
        a == b || (a.count >= 16 && b.count >= 16 && (a.hasSuffix(b) || b.hasSuffix(a)))
    }

    /// Runs `trace ID --output json` and checks each joined line against the trace.
    static func count(_ id: String, _ inputs: [String], extra: [String] = []) throws -> Count {
        let r = try CLI.run(["trace", id, "--output", "json"] + extra + inputs)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        var stack = try #require(doc["spans"] as? [[String: Any]])
        var spanIDs = Set<String>()
        var logs: [[String: Any]] = []
        while let n = stack.popLast() {
            if let s = n["span_id"] as? String { spanIDs.insert(s) }
            logs += n["logs"] as? [[String: Any]] ?? []
            stack += n["children"] as? [[String: Any]] ?? []
        }
        var c = Count()
        for l in logs {
            let join = l["join"] as? String ?? "?"
            let trace = l["trace_id"] as? String, span = l["span_id"] as? String
            let what = "\(id): \(join) \(l["source"] as? String ?? "") \(l["message"] as? String ?? "")"
            switch join {
            case "time":
                c.byTime += 1
                if trace != nil || span != nil { c.wrong.append(what) }
            case "trace_id", "span_id":
                c.byID += 1
                c.byIDOf[l["service"] as? String ?? "", default: 0] += 1
                if let trace { if !sameTrace(trace, id) { c.wrong.append(what) } }
                else if let span, join == "span_id" { if !spanIDs.contains(where: { $0.hasPrefix(span) }) { c.wrong.append(what) } }
                else { c.wrong.append(what) }
            default:
                c.wrong.append(what)
            }
        }
        return c
    }

    static func traceIDs(_ inputs: [String], failed: [String], limit: Int) throws -> [String] {
        let r = try CLI.run(["traces", "--sort", "spans", "--limit", String(limit), "--output", "json"] + inputs)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let rows = try #require(doc["traces"] as? [[String: Any]])
        return Array(failed.prefix(limit)) + rows.compactMap { $0["trace_id"] as? String }.filter { !failed.contains($0) }
    }

    static func failed(_ truthPath: String) throws -> [String] {
        let truth = try #require(try CLI.json(String(contentsOfFile: truthPath, encoding: .utf8)) as? [String: Any])
        return try #require((truth["traces"] as? [String: Any])?["failed_trace_ids"] as? [String])
    }

    @Test func sampleDataJoinsOnlyItsOwnLines() throws {
        let ids = try Self.traceIDs([CLI.sampleData], failed: try Self.failed(CLI.sampleData + "/ground-truth.json"), limit: 8)
        var total = Count()
        for id in ids { total = total + (try Self.count(id, [CLI.sampleData])) }
        print("SampleData, \(ids.count) traces: \(total)")
        #expect(total.wrong.isEmpty, "\(total.wrong.prefix(5))")
        #expect(total.byID > 10 * ids.count, "the traces' own lines are still joined: \(total)")
    }

    @Test func simulatedIncidentJoinsOnlyItsOwnLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-joins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try CLI.run(["simulate", dir.path, "--seed", "7", "--requests", "200", "--duration", "20m"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let ids = try Self.traceIDs([dir.path], failed: try Self.failed(dir.appendingPathComponent("ground-truth.json").path), limit: 8)
        var total = Count()
        for id in ids { total = total + (try Self.count(id, [dir.path])) }
        print("simulate --seed 7, \(ids.count) traces: \(total)")
        #expect(total.wrong.isEmpty, "\(total.wrong.prefix(5))")
        #expect(total.byID > 10 * ids.count)
        // --no-time-join: the same lines by ID, none by time.
        let strict = try Self.count(try #require(ids.first), [dir.path], extra: ["--no-time-join"])
        #expect(strict.byTime == 0)
        #expect(strict.wrong.isEmpty)
    }

    /// The issue's case: a Java service writing `… ERROR [svc] trace=<id> - …`, under load.
    @Test func textWithBareTraceKeyJoinsOnlyItsOwnLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-joins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = try CLI.run(["simulate", dir.path, "--seed", "11", "--requests", "1000", "--duration", "10m"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let log = dir.appendingPathComponent("payment.log")
        let text = try String(contentsOf: log, encoding: .utf8)
        let ids = try NSRegularExpression(pattern: " trace_id=([0-9a-f]+) span_id=[0-9a-f]+")
        let bare = ids.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: " trace=$1")
        #expect(bare != text && !bare.contains("trace_id="))
        try bare.write(to: log, atomically: true, encoding: .utf8)
        let failed = try Self.failed(dir.appendingPathComponent("ground-truth.json").path).prefix(5)
        var total = Count()
        for id in failed { total = total + (try Self.count(id, [dir.path])) }
        print("simulate --seed 11 with payment writing trace=, \(failed.count) failed traces: \(total), payment by ID \(total.byIDOf["payment"] ?? 0)")
        #expect(total.wrong.isEmpty, "\(total.wrong.prefix(5))")
        #expect((total.byIDOf["payment"] ?? 0) >= 3 * failed.count, "payment's own lines, by their trace=")
    }

    @Test func timeJoinsAreMarkedInTextAndHTML() throws {
        let id = try #require(try Self.failed(CLI.sampleData + "/ground-truth.json").first)
        let c = try Self.count(id, [CLI.sampleData])
        try #require(c.byTime > 0, "the frontend's access log has no IDs: its line is a time join")
        let text = try CLI.run(["trace", id, "--logs-per-span", "1000", CLI.sampleData])
        #expect(text.lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("≈ ") }.count == c.byTime)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-joins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("t.html").path
        #expect(try CLI.run(["trace", id, "--output", "html", "-o", page, CLI.sampleData]).status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<span class=\"join\">≈</span>").count - 1 == c.byTime)
        let none = try CLI.run(["trace", id, "--no-time-join", CLI.sampleData])
        #expect(!none.lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("≈ ") })
    }
}
