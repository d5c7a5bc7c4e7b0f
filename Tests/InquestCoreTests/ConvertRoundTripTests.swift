import Foundation
import Testing
@testable import InquestCore

/// Span conversion: writing spans as Jaeger, Zipkin or OTLP JSON and reading them back
/// gives the same traces, through every order of the three formats.
enum ConvertSupport {
    static func write(_ spans: [Span], as format: SpanOutputFormat) -> String {
        var out = ""
        switch format {
        case .jaeger: JaegerWriter.write(spans, to: &out)
        case .zipkin: ZipkinWriter.write(spans, to: &out)
        case .otlp: OTLPTraceWriter.write(spans, to: &out)
        }
        return out
    }

    static func read(_ text: String, name: String) throws -> SpanReader.Result {
        try SpanReader.read(unit: .memory(Array(text.utf8), name: name))
    }

    /// IDs as values: zero-padded spellings agree, and IDs that are not hex compare as the
    /// hash OTLP and Zipkin output gives them.
    static func span(_ id: String) -> String { normalizeID(SpanWriting.hexID(id, width: 16)) }
    static func trace(_ id: String) -> String { normalizeID(SpanWriting.hexID(id, width: 32)) }

    static func fields(_ f: [LogRecord.Field]) -> String {
        Set(f.map { "\($0.key)=\($0.value)" }).sorted().joined(separator: " ")
    }

    /// One span as text, in the terms every format can hold: IDs as values (zero-padded
    /// spellings agree), times in microseconds, attributes as a set without the tags that
    /// carry kind, status and scope, and links with LINK and FOLLOWS_FROM as one (Jaeger
    /// knows only FOLLOWS_FROM).
    static func canonical(_ s: Span) -> String {
        var parts = [span(s.spanID), s.parentID.map(span) ?? "-", s.service, s.operation,
                     "start=\(SpanWriting.micros(s.start.nanos))", "dur=\(SpanWriting.durationMicros(s))",
                     s.kind.rawValue, s.status.rawValue, s.status == .unset ? "" : (s.statusMessage ?? ""),
                     "attrs{\(fields(SpanWriting.plainAttributes(s)))}", "resource{\(fields(s.resource))}",
                     "scope=\(s.scopeName ?? "")@\(s.scopeVersion ?? "")"]
        for e in s.events {
            parts.append("event \(SpanWriting.micros(e.time.nanos)) \(e.name) {\(fields(e.attributes.filter { !($0.key == "event" && $0.value == e.name) }))}")
        }
        for l in s.links.map({ "\($0.type == .childOf ? "CHILD_OF" : "FOLLOWS_FROM") \(trace($0.traceID)) \(span($0.spanID))" }).sorted() {
            parts.append("link " + l)
        }
        return parts.joined(separator: " | ")
    }

    /// Trace ID to the sorted canonical spans of the trace.
    static func traces(_ spans: [Span]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for s in spans { out[trace(s.traceID), default: []].append(canonical(s)) }
        return out.mapValues { $0.sorted() }
    }

    /// Compares trace by trace and span by span, recording the first differences.
    static func expectSame(_ a: [String: [String]], _ b: [String: [String]], _ what: String,
                           sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, "\(what): \(a.count) traces became \(b.count)", sourceLocation: sourceLocation)
        var shown = 0
        for (t, spans) in a.sorted(by: { $0.key < $1.key }) where shown < 3 {
            guard let other = b[t] else {
                Testing.Issue.record("\(what): trace \(t) lost", sourceLocation: sourceLocation); shown += 1; continue
            }
            if spans.count != other.count {
                Testing.Issue.record("\(what): trace \(t) had \(spans.count) spans, now \(other.count)", sourceLocation: sourceLocation); shown += 1; continue
            }
            for (x, y) in zip(spans, other) where x != y && shown < 3 {
                Testing.Issue.record("\(what): trace \(t)\n  was: \(x)\n  now: \(y)", sourceLocation: sourceLocation)
                shown += 1
            }
        }
    }

    static let orders: [[SpanOutputFormat]] = [
        [.jaeger, .zipkin, .otlp], [.jaeger, .otlp, .zipkin], [.zipkin, .jaeger, .otlp],
        [.zipkin, .otlp, .jaeger], [.otlp, .jaeger, .zipkin], [.otlp, .zipkin, .jaeger],
    ]

    /// Reads `path`, then writes and reads it through each order of the three formats (and
    /// back to the first), checking the traces after every step.
    static func roundTrip(_ path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let original = try SpanReader.read(unit: singleUnit(path))
        #expect(original.stats.skipped == 0, "\(path): \(original.stats.errors)", sourceLocation: sourceLocation)
        #expect(!original.spans.isEmpty, "\(path): no spans", sourceLocation: sourceLocation)
        let expected = traces(original.spans)
        let name = URL(fileURLWithPath: path).lastPathComponent
        for order in orders {
            var spans = original.spans
            var trail = name
            for format in order + [order[0]] {
                let text = write(spans, as: format)
                let back = try read(text, name: "\(name).\(format.rawValue)")
                trail += " → \(format.rawValue)"
                #expect(back.stats.skipped == 0, "\(trail): \(back.stats.errors)", sourceLocation: sourceLocation)
                #expect(back.spans.count == spans.count, "\(trail): \(spans.count) spans became \(back.spans.count)", sourceLocation: sourceLocation)
                expectSame(expected, traces(back.spans), trail, sourceLocation: sourceLocation)
                spans = back.spans
            }
        }
    }
}

@Suite("Convert: span round trips")
struct ConvertRoundTripTests {
    static let sampleSpans = ["jaeger.json", "zipkin.json", "otlp.json"]

    @Test("SampleData spans through every order of Jaeger, Zipkin and OTLP", arguments: sampleSpans)
    func sampleData(_ file: String) throws {
        try ConvertSupport.roundTrip(TestPaths.packageRoot.appendingPathComponent("SampleData/spans/" + file).path)
    }

    static var sharedSpanFiles: [String] {
        guard TestPaths.hasSharedFormats else { return [] }
        var out: [String] = []
        for dir in ["jaeger", "zipkin", "otlp"] {
            let d = TestPaths.shared("spans/" + dir)
            for f in ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).sorted() { out.append(dir + "/" + f) }
        }
        return out
    }

    @Test("Real exporters' files through every order (when ../shared/formats is present)", arguments: sharedSpanFiles)
    func realFixtures(_ file: String) throws {
        try ConvertSupport.roundTrip(TestPaths.shared("spans/" + file))
    }

    @Test("Damaged dumps and logs: whatever is read is written and read back whole (the convert fuzz target)")
    func damagedInputsRoundTrip() throws {
        let names = ["spans/jaeger-api.json", "spans/zipkin-v2.json", "spans/zipkin-v1.json", "spans/otlp-traces.json",
                     "spans/otlp-base64-ids.json", "logs/ecs.json", "logs/logfmt.log", "logs/otlp-logs.json", "logs/syslog-5424.log"]
        var rng = SplitMix64(seed: 11)
        for name in names {
            let original = [UInt8](try Data(contentsOf: TestPaths.fixtures.appendingPathComponent(name)))
            FuzzTarget.convert.run(original)
            for _ in 0..<40 {
                var copy = original
                for _ in 0..<4 {
                    let at = Int(rng.next() % UInt64(copy.count))
                    copy[at] = Array("0123456789abcdef-\"\\{}[],:\u{1B}\u{FF}".utf8)[Int(rng.next() % 26)]
                }
                FuzzTarget.convert.run(copy)
            }
        }
    }

    @Test("Project fixtures: FOLLOWS_FROM links, logs and errors survive", arguments: ["jaeger-follows-from.json"])
    func projectFixtures(_ file: String) throws {
        try ConvertSupport.roundTrip(TestPaths.fixture("spans/" + file))
    }
}

@Suite("Convert: what each writer writes")
struct ConvertWriterTests {
    static func sample() -> [Span] {
        var server = Span(traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331", service: "checkout",
                          operation: "POST /orders", kind: .server, start: Timestamp(nanos: 1_700_000_000_123_456_789),
                          durationNanos: 2_500_000, status: .error, statusMessage: "payment refused",
                          attributes: [LogRecord.Field("http.status_code", "502", type: .int), LogRecord.Field("retry", "true", type: .bool),
                                       LogRecord.Field("ratio", "0.25", type: .double), LogRecord.Field("note", "a \"quoted\" value")],
                          events: [Span.Event(time: Timestamp(nanos: 1_700_000_000_124_000_000), name: "exception",
                                              attributes: [LogRecord.Field("exception.type", "Refused")])],
                          links: [Span.Reference(type: .link, traceID: "1", spanID: "2")])
        server.resource = [LogRecord.Field("host.name", "node-1"), LogRecord.Field("ip", "10.0.0.7")]
        server.scopeName = "io.opentelemetry.netty"
        server.scopeVersion = "1.2"
        let client = Span(traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "00f067aa0ba902b7", parentID: "b7ad6b7169203331",
                          service: "checkout", operation: "charge", kind: .client, start: Timestamp(nanos: 1_700_000_000_124_000_000),
                          durationNanos: 1_000_000, status: .ok, attributes: [LogRecord.Field("peer.service", "payment")])
        return [server, client]
    }

    @Test("Jaeger: typed tags, process tags, references, error and kind tags")
    func jaeger() throws {
        let text = ConvertSupport.write(Self.sample(), as: .jaeger)
        #expect(text.hasPrefix("{\"data\":["))
        #expect(text.contains("{\"key\":\"http.status_code\",\"type\":\"int64\",\"value\":502}"))
        #expect(text.contains("{\"key\":\"retry\",\"type\":\"bool\",\"value\":true}"))
        #expect(text.contains("{\"key\":\"ratio\",\"type\":\"float64\",\"value\":0.25}"))
        #expect(text.contains("{\"key\":\"error\",\"type\":\"bool\",\"value\":true}"))
        #expect(text.contains("{\"key\":\"span.kind\",\"type\":\"string\",\"value\":\"server\"}"))
        #expect(text.contains("\"startTime\":1700000000123456,\"duration\":2500"))
        #expect(text.contains("{\"refType\":\"FOLLOWS_FROM\",\"traceID\":\"0000000000000001\",\"spanID\":\"0000000000000002\"}"))
        #expect(text.contains("\"p1\":{\"serviceName\":\"checkout\",\"tags\":[{\"key\":\"host.name\""))
        #expect(text.contains("\"p2\":{\"serviceName\":\"checkout\",\"tags\":[]}"))
        #expect(text.contains("{\"key\":\"event\",\"type\":\"string\",\"value\":\"exception\"}"))
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test("Zipkin: endpoints, error tag, links and resource as tags, annotations with attributes")
    func zipkin() throws {
        let text = ConvertSupport.write(Self.sample(), as: .zipkin)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(json.count == 2)
        let s = json[0]
        #expect(s["kind"] as? String == "SERVER")
        #expect(s["timestamp"] as? Int == 1_700_000_000_123_456)
        let local = try #require(s["localEndpoint"] as? [String: Any])
        #expect(local["serviceName"] as? String == "checkout")
        #expect(local["ipv4"] as? String == "10.0.0.7")
        let tags = try #require(s["tags"] as? [String: String])
        #expect(tags["error"] == "payment refused")
        #expect(tags["http.status_code"] == "502")
        #expect(tags["resource.host.name"] == "node-1")
        #expect(tags["link.0"] == "LINK:0000000000000001:0000000000000002")
        #expect(tags["otel.scope.name"] == "io.opentelemetry.netty")
        let ann = try #require(s["annotations"] as? [[String: Any]])
        #expect(ann.first?["value"] as? String == "exception|{\"exception.type\":\"Refused\"}|0")
        #expect((json[1]["remoteEndpoint"] as? [String: Any])?["serviceName"] as? String == "payment")
        #expect((json[1]["tags"] as? [String: String])?["peer.service"] == nil)
    }

    @Test("OTLP: hex IDs padded, times as strings, integer enums, typed AnyValues, status")
    func otlp() throws {
        let text = ConvertSupport.write(Self.sample(), as: .otlp)
        #expect(text.contains("\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\""))
        #expect(text.contains("\"kind\":2,\"startTimeUnixNano\":\"1700000000123456789\",\"endTimeUnixNano\":\"1700000000125956789\""))
        #expect(text.contains("{\"key\":\"http.status_code\",\"value\":{\"intValue\":\"502\"}}"))
        #expect(text.contains("{\"key\":\"retry\",\"value\":{\"boolValue\":true}}"))
        #expect(text.contains("{\"key\":\"ratio\",\"value\":{\"doubleValue\":0.25}}"))
        #expect(text.contains("\"status\":{\"message\":\"payment refused\",\"code\":2}"))
        #expect(text.contains("\"status\":{\"code\":1}"))
        #expect(text.contains("\"links\":[{\"traceId\":\"00000000000000000000000000000001\",\"spanId\":\"0000000000000002\"}]"))
        #expect(text.contains("\"scope\":{\"name\":\"io.opentelemetry.netty\",\"version\":\"1.2\"}"))
        // Two resources: the same service with and without resource attributes.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect((json["resourceSpans"] as? [Any])?.count == 2)
        let back = try ConvertSupport.read(text, name: "x.json")
        #expect(back.spans[0].attributes.first(where: { $0.key == "http.status_code" })?.type == .int)
        #expect(back.spans[0].resource == Self.sample()[0].resource)
    }

    @Test("Sample spans survive every order of formats")
    func sampleRoundTrip() throws {
        let expected = ConvertSupport.traces(Self.sample())
        for order in ConvertSupport.orders {
            var spans = Self.sample()
            for f in order {
                spans = try ConvertSupport.read(ConvertSupport.write(spans, as: f), name: "s.\(f.rawValue)").spans
                ConvertSupport.expectSame(expected, ConvertSupport.traces(spans), order.map(\.rawValue).joined(separator: "→"))
            }
        }
    }

    @Test("Values that do not fit their type are written as strings; JSON stays valid")
    func badTypedValues() throws {
        let s = Span(traceID: "abc", spanID: "def", operation: "x\u{1}y",
                     attributes: [LogRecord.Field("n", "007", type: .int), LogRecord.Field("d", "NaN", type: .double),
                                  LogRecord.Field("b", "yes", type: .bool)])
        for f in SpanOutputFormat.allCases {
            let text = ConvertSupport.write([s], as: f)
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
            let back = try ConvertSupport.read(text, name: "b.\(f.rawValue)")
            #expect(back.spans.count == 1)
            #expect(back.spans.first?.attribute("n") == "007")
            #expect(back.spans.first?.attribute("d") == "NaN")
            #expect(back.spans.first?.operation == "x\u{1}y")
        }
    }

    @Test("Exact duplicates are written once")
    func duplicates() {
        let s = Self.sample()
        let (out, dropped) = SpanWriting.deduplicated(s + s)
        #expect(out.count == 2 && dropped == 2)
    }
}

@Suite("Convert: log writers")
struct ConvertLogWriterTests {
    static func record() -> LogRecord {
        LogRecord(timestamp: Timestamp(nanos: 1_700_000_000_123_000_000, precision: 3), level: .warn, service: "payment",
                  message: "charge \"refused\"", traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7",
                  fields: [LogRecord.Field("http.status", "502", type: .int), LogRecord.Field("message", "dup"),
                           LogRecord.Field("resource.host.name", "node-1"), LogRecord.Field("scope", "app")])
    }

    @Test("NDJSON: normalized keys first, other fields typed, clashing keys renamed")
    func ndjson() throws {
        let line = NDJSONLogWriter.line(Self.record())
        #expect(line == #"{"time":"2023-11-14T22:13:20.123Z","level":"warn","service":"payment","message":"charge \"refused\"","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","http.status":502,"field.message":"dup","resource.host.name":"node-1","scope":"app"}"# + "\n")
    }

    @Test("OTLP logs: grouped by service and scope, resource attributes, severity, hex IDs")
    func otlpLogs() throws {
        var w = OTLPLogWriter()
        var out = ""
        w.begin(to: &out)
        var other = Self.record()
        other.service = "cart"
        other.traceID = "not-hex"
        other.fields = []
        other.level = .unknown
        other.timestamp = nil
        w.write(Self.record(), to: &out)
        w.write(other, to: &out)
        w.write(Self.record(), to: &out)
        w.end(to: &out)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let rl = try #require(json["resourceLogs"] as? [[String: Any]])
        #expect(rl.count == 2)
        #expect(out.contains(#"{"key":"service.name","value":{"stringValue":"payment"}},{"key":"host.name","value":{"stringValue":"node-1"}}"#))
        #expect(out.contains(#""scope":{"name":"app"}"#))
        #expect(out.contains(#"{"timeUnixNano":"1700000000123000000","severityNumber":13,"severityText":"WARN","body":{"stringValue":"charge \"refused\""},"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","attributes":[{"key":"http.status","value":{"intValue":"502"}},{"key":"message","value":{"stringValue":"dup"}}]}"#))
        #expect(out.contains(#"{"body":{"stringValue":"charge \"refused\""},"spanId":"00f067aa0ba902b7","attributes":[{"key":"trace_id","value":{"stringValue":"not-hex"}}]}"#))
        // Read back by Inquest's own OTLP logs reader.
        let tape = JSONTape(bytes: Array(out.utf8))
        let (records, bad) = OTLPLogsFormat.records(from: try #require(tape.root), path: "x", context: ParseContext(fallbackService: nil))
        #expect(bad.isEmpty)
        #expect(records.count == 3)
        #expect(records.filter { $0.service == "payment" }.allSatisfy { $0.level == .warn && $0.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" })
    }

    @Test("OTLP logs: a full window is written and a new one begun; the document stays valid")
    func windows() throws {
        var w = OTLPLogWriter(windowBytes: 100)
        var out = ""
        w.begin(to: &out)
        for _ in 0..<5 { w.write(Self.record(), to: &out) }
        w.end(to: &out)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect((json["resourceLogs"] as? [Any])?.count == 5)
    }
}
