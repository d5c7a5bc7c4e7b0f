import Foundation
import Testing

/// `convert` end to end: spans between the three formats give the same trace list, logs
/// become NDJSON and OTLP logs, the OTLP JSON parses with OpenTelemetry's own protobuf
/// definitions, and the output file rules hold.
@Suite("convert end to end (Convert)")
struct ConvertTests {
    static func tempDir() throws -> URL {
        let d = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("inquest-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static var spans: String { CLI.sampleData + "/spans" }

    /// `traces --output json` of some inputs, as rows.
    func traceRows(_ paths: [String]) throws -> [[String: String]] {
        let r = try CLI.run(["traces", "--output", "json", "--sort", "start"] + paths)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let rows = try #require(doc["traces"] as? [[String: Any]])
        // Times compare as instants: OTLP writes nine fractional digits where Jaeger writes six.
        func instant(_ t: String) -> String {
            guard t.hasSuffix("Z"), let dot = t.firstIndex(of: ".") else { return t }
            let frac = t[t.index(after: dot)..<t.index(before: t.endIndex)]
            return String(t[..<dot]) + "." + frac.padding(toLength: 9, withPad: "0", startingAt: 0) + "Z"
        }
        return rows.map { row in
            var r = row.mapValues { "\($0)" }
            if let s = r["start"] { r["start"] = instant(s) }
            return r
        }
    }

    @Test("SampleData's spans in each format list the same traces as the originals", arguments: ["jaeger", "zipkin", "otlp"])
    func spansListTheSame(_ format: String) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("spans.\(format).json").path
        let r = try CLI.run(["convert", Self.spans, "--to", format, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int)
        #expect(mode == 0o644)
        let detected = try CLI.run(["inspect", "--output", "json", out])
        #expect(detected.stdout.contains("\"format\":\"\(format == "zipkin" ? "zipkin-v2" : format == "otlp" ? "otlp-traces" : "jaeger")\""), "\(detected.stdout)")
        #expect(try traceRows([out]) == traceRows([Self.spans]))
        // And again from the converted file into the next format.
        let next = format == "jaeger" ? "zipkin" : format == "zipkin" ? "otlp" : "jaeger"
        let again = try CLI.run(["convert", out, "--to", next])
        #expect(again.status == 0, "\(again.stderr)")
        let out2 = dir.appendingPathComponent("again.\(next).json").path
        try again.stdout.write(toFile: out2, atomically: true, encoding: .utf8)
        #expect(try traceRows([out2]) == traceRows([Self.spans]))
    }

    @Test("Logs to NDJSON: every record once, in time order, normalized keys; span dumps named and skipped")
    func ndjson() throws {
        let r = try CLI.run(["convert", CLI.sampleData, "--to", "ndjson"])
        #expect(r.status == 0, "\(r.stderr)")
        let count = try CLI.run(["logs", "--count", CLI.sampleData])
        #expect(r.lines.count == Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(r.stderr.contains("spans/jaeger.json holds spans, not logs: skipped"))
        var last = ""
        var withTrace = 0
        for line in r.lines {
            let o = try #require(try CLI.json(line) as? [String: Any])
            #expect(o["message"] is String)
            if let t = o["time"] as? String {
                #expect(t.hasSuffix("Z"))
                #expect(t >= last || t.count != last.count, "out of order: \(t) after \(last)")
                last = t
            }
            if o["trace_id"] != nil { withTrace += 1 }
        }
        #expect(withTrace > 1000)
        // Inquest reads its own NDJSON back to the same records.
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("all.ndjson").path
        try r.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let errorsBefore = try CLI.run(["logs", "--count", "--level", "error", CLI.sampleData])
        let errorsAfter = try CLI.run(["logs", "--count", "--level", "error", file])
        #expect(errorsAfter.stdout == errorsBefore.stdout)
    }

    @Test("Logs to OTLP: one ExportLogsServiceRequest, a resource per service")
    func otlpLogs() throws {
        let r = try CLI.run(["convert", CLI.sampleData, "--to", "otlp-logs"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let resources = try #require(doc["resourceLogs"] as? [[String: Any]])
        #expect(resources.count >= 8)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("logs.otlp.json").path
        try r.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let back = try CLI.run(["logs", "--count", file])
        let count = try CLI.run(["logs", "--count", CLI.sampleData])
        #expect(back.stdout == count.stdout)
    }

    @Test("Exit statuses: the wrong kind of input only is 3, a bad --to is 2, -o over an input is 2")
    func statuses() throws {
        let spansOnly = try CLI.run(["convert", Self.spans, "--to", "ndjson"])
        #expect(spansOnly.status == 3)
        #expect(spansOnly.stderr.contains("holds spans, not logs"))
        let logsOnly = try CLI.run(["convert", CLI.sampleData + "/checkout.log", "--to", "otlp"])
        #expect(logsOnly.status == 3)
        #expect(logsOnly.stderr.contains("holds logs, not spans"))
        let bad = try CLI.run(["convert", Self.spans, "--to", "xml"])
        #expect(bad.status == 2)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.json").path
        try FileManager.default.copyItem(atPath: Self.spans + "/zipkin.json", toPath: input)
        let over = try CLI.run(["convert", input, "--to", "otlp", "-o", input])
        #expect(over.status == 2)
        #expect(over.stderr.contains("one of the inputs"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == Data(contentsOf: URL(fileURLWithPath: Self.spans + "/zipkin.json")))
        let help = try CLI.run(["convert", "--help"])
        #expect(help.stdout.contains("Zipkin has no links"))
    }

    // MARK: OpenTelemetry's protobuf JSON parser

    static let pythonHasOTLP: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import opentelemetry.proto, google.protobuf.json_format"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    static let parseScript = """
        import sys
        from google.protobuf import json_format
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
        from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
        kind, path = sys.argv[1], sys.argv[2]
        msg = ExportTraceServiceRequest() if kind == "traces" else ExportLogsServiceRequest()
        json_format.Parse(open(path, encoding="utf-8").read(), msg)
        if kind == "traces":
            n = sum(len(ss.spans) for rs in msg.resource_spans for ss in rs.scope_spans)
        else:
            n = sum(len(sl.log_records) for rl in msg.resource_logs for sl in rl.scope_logs)
        print(n)
        """

    /// Parses `file` with `json_format.Parse`; returns the number of spans or records.
    func protoParse(_ kind: String, _ file: String) throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.parseScript, kind, file]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "json_format.Parse refused \(file): \(e.suffix(600))")
        return Int(o.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static var protoInputs: [String] {
        var out = ["SampleData"]
        if CLI.hasSharedFormats { out += ["shared:spans", "shared:logs"] }
        return out
    }

    @Test("OTLP JSON output parses as ExportTraceServiceRequest / ExportLogsServiceRequest (opentelemetry-proto)",
          .enabled(if: pythonHasOTLP, "python3 with opentelemetry-proto is absent (pip install opentelemetry-proto)"),
          arguments: protoInputs)
    func openTelemetryParses(_ input: String) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source: String
        switch input {
        case "shared:spans": source = CLI.sharedFormats + "/spans"
        case "shared:logs": source = CLI.sharedFormats + "/logs"
        default: source = CLI.sampleData
        }
        if input != "shared:logs" {
            let traces = dir.appendingPathComponent("traces.json").path
            let r = try CLI.run(["convert", source, "--to", "otlp", "-o", traces])
            #expect(r.status == 0, "\(r.stderr)")
            let n = try protoParse("traces", traces)
            let count = try CLI.run(["inspect", "--output", "json", source])
            let doc = try #require(try CLI.json(count.stdout) as? [String: Any])
            let inputs = try #require(doc["inputs"] as? [[String: Any]])
            let spans = inputs.filter { $0["kind"] as? String == "spans" }.reduce(0) { $0 + ($1["parsed"] as? Int ?? 0) }
            let duplicates = r.stderr.contains("read twice") ? Int(r.stderr.components(separatedBy: "inquest: ").last { $0.contains("read twice") }?.split(separator: " ").first ?? "") ?? 0 : 0
            #expect(n == spans - duplicates)
            // The stock parser reads bytes fields as base64; OTLP JSON writes hex, which it accepts
            // as base64 text of the right length. Check the hex here.
            let text = try String(contentsOfFile: traces, encoding: .utf8)
            for m in text.matches(of: /"(traceId|spanId|parentSpanId)":"([^"]*)"/) {
                #expect(m.output.2.count == (m.output.1 == "traceId" ? 32 : 16) && m.output.2.allSatisfy(\.isHexDigit), "\(m.output.0)")
            }
        }
        if input != "shared:spans" {
            let logs = dir.appendingPathComponent("logs.json").path
            let r = try CLI.run(["convert", source, "--to", "otlp-logs", "-o", logs])
            #expect(r.status == 0, "\(r.stderr)")
            let n = try protoParse("logs", logs)
            let count = try CLI.run(["logs", "--count", source])
            #expect(n == Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }
}
