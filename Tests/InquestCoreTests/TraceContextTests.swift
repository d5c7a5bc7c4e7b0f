import Foundation
import Testing
@testable import InquestCore

/// Trace and span IDs where services write them: free text, JSON and logfmt fields.
@Suite("Trace context in log lines")
struct TraceContextTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let span = "00f067aa0ba902b7"

    /// The IDs `extractIDs` finds in a line of text.
    static func ids(_ text: String) -> (trace: String?, span: String?) {
        var r = LogRecord()
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { extractIDs(UnsafeBufferPointer($0), into: &r) }
        return (r.traceID, r.spanID)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var text: String, trace: String?, span: String?
        var testDescription: String { text }
        init(_ text: String, _ trace: String?, _ span: String? = nil) { self.text = text; self.trace = trace; self.span = span }
    }

    @Test("each form in text", arguments: [
        Case("[mailer] trace=\(trace) - null pointer in handler", trace),
        Case("charge failed trace_id=\(trace) span_id=\(span)", trace, span),
        Case("charge failed traceId=\(trace), spanId=\(span)", trace, span),
        Case("charge failed traceID:\(trace) spanID: \(span)", trace, span),
        Case("TraceID: \(trace) SpanID: \(span) charge failed", trace, span),
        Case("upper case TRACE_ID=4BF92F3577B34DA6A3CE929D0E0E4736", trace),
        Case("quoted trace_id=\"\(trace)\" span_id='\(span)'", trace, span),
        Case("ends a sentence with trace_id=\(trace).", trace),
        Case("embedded JSON {\"traceId\":\"\(trace)\",\"spanId\":\"\(span)\"}", trace, span),
        // Datadog writes decimal 64-bit IDs: as 16 hex digits.
        Case("dd.service=orders dd.trace_id=1234567890123456789 dd.span_id=987654321", "112210f47de98115", "000000003ade68b1"),
        Case("traceparent: 00-\(trace)-\(span)-01 received", trace, span),
        Case("INFO [orders,\(trace),\(span)] handled", trace, span),
        Case("INFO [orders,a3ce929d0e0e4736,\(span),true] handled", "a3ce929d0e0e4736", span),
        Case("INFO [,\(trace),\(span)] no application name", trace, span),
        Case("INFO [\(trace)-\(span)] handled", trace, span),
        Case("[SW_CTX:[orders,orders-pod-1,a1b2c3.45.16000000000000001,a1b2c3.45.16000000000000002,0]] handled",
             "a1b2c3.45.16000000000000001"),
        Case("[TID:a1b2c3.45.16000000000000001] handled", "a1b2c3.45.16000000000000001"),
        // X-Ray: epoch and unique parts joined, as OpenTelemetry's X-Ray propagator does.
        Case("X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
             "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"),
        Case("forwarded with Self=1-67891233-abcdef012345678912345678;Root=1-5759e988-bd862e3fe1be46a994272793",
             "5759e988bd862e3fe1be46a994272793"),
        Case("xray_trace_id=1-5759e988-bd862e3fe1be46a994272793", "5759e988bd862e3fe1be46a994272793"),
        Case("otelTraceID=\(trace) otelSpanID=\(span)", trace, span),
        Case("X-B3-TraceId=\(trace) X-B3-SpanId=\(span)", trace, span),
        Case("span=\(span) trace=a3ce929d0e0e4736", "a3ce929d0e0e4736", span),
    ])
    func textForms(c: Case) {
        let (t, s) = Self.ids(c.text)
        #expect(t == c.trace)
        #expect(s == c.span)
    }

    @Test("words and values that are not trace context", arguments: [
        "ran under strace=\(trace)",
        "printed backtrace: \(trace)",
        "subtrace_id=\(trace)",
        "trace=on for module x",
        "trace=12345 frames",
        "trace=\(trace)ff too long for a bare key",
        "span=3 of 9",
        "trace_id=null span_id=null",
        "traceId=N/A spanId=N/A",
        "trace_id=- span_id=-",
        "trace_id=00000000000000000000000000000000",
        "[SW_CTX:N/A] handled",
        "[TID:N/A] handled",
        "tid=12345 worker started",
        "[http-nio-8080-exec-12] c.e.Handler - done",
        "[main,worker,7] started",
        "Root=/var/lib/data mounted",
        "parent_span_id=\(span) alone is not this line's span",
        "no ids here at all: 2025-11-27 16:21:35.841 key=value other: thing",
    ])
    func notIDs(text: String) {
        let (t, s) = Self.ids(text)
        #expect(t == nil)
        #expect(s == nil)
    }

    @Test("a plain-text line: the ID after the level and service")
    func plainText() {
        let r = parseLine(PlainTextFormat(), "2025-11-27 16:21:35.841 ERROR [mailer] trace=\(Self.trace) - null pointer in handler").1
        #expect(r.level == .error)
        #expect(r.traceID == Self.trace)
    }

    @Test("a plain-text layout with the IDs before the level")
    func plainTextIDsFirst() {
        let r = parseLine(PlainTextFormat(), "2025-11-27 16:21:35.841 [\(Self.trace),\(Self.span)] WARN slow").1
        #expect(r.level == .warn)
        #expect(r.traceID == Self.trace)
        #expect(r.spanID == Self.span)
        let kv = parseLine(PlainTextFormat(), "2025-11-27 16:21:35.841 traceId=\(Self.trace) ERROR failed").1
        #expect(kv.traceID == Self.trace)
    }

    @Test("a container line whose inner text has no timestamp")
    func containerText() {
        let r = parseLine(DockerJSONFormat(), #"{"log":"handled traceparent=00-\#(Self.trace)-\#(Self.span)-01\n","stream":"stdout","time":"2024-05-01T12:00:00Z"}"#).1
        #expect(r.traceID == Self.trace)
        #expect(r.spanID == Self.span)
    }

    @Test("a syslog line")
    func syslog() {
        let r = parseLine(SyslogFormat(), "<134>1 2024-05-01T12:00:00Z host orders 12 - - reserved traceId=\(Self.trace) spanId=\(Self.span)").1
        #expect(r.traceID == Self.trace)
        #expect(r.spanID == Self.span)
    }

    @Test("JSON keys", arguments: [
        Case(#"{"msg":"m","trace_id":"\#(trace)","span_id":"\#(span)"}"#, trace, span),
        Case(#"{"msg":"m","trace":"\#(trace)","span":"\#(span)"}"#, trace, span),
        Case(#"{"msg":"m","trace":{"id":"\#(trace)"},"span":{"id":"\#(span)"}}"#, trace, span),
        Case(#"{"msg":"m","otelTraceID":"\#(trace)","otelSpanID":"\#(span)"}"#, trace, span),
        Case(#"{"msg":"m","X-B3-TraceId":"\#(trace)","X-B3-SpanId":"\#(span)"}"#, trace, span),
        Case(#"{"msg":"m","traceparent":"00-\#(trace)-\#(span)-01"}"#, trace, span),
        Case(#"{"msg":"m","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793"}"#, "5759e988bd862e3fe1be46a994272793"),
        Case(#"{"msg":"m","X-Amzn-Trace-Id":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"}"#,
             "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"),
        Case(#"{"msg":"m","dd.trace_id":"1234567890123456789","dd.span_id":987654321}"#, "112210f47de98115", "000000003ade68b1"),
        Case(#"{"msg":"m","traceId":"a1b2c3.45.16000000000000001"}"#, "a1b2c3.45.16000000000000001"),
        // No trace field: the message is read as text.
        Case(#"{"msg":"charge failed trace=\#(trace) span=\#(span)"}"#, trace, span),
        // A stack trace under `trace` is no ID; empty and placeholder values are none.
        Case(#"{"msg":"m","trace":"java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)"}"#, nil),
        Case(#"{"msg":"m","trace_id":"","span_id":"-"}"#, nil),
        Case(#"{"msg":"m","trace_id":"null","span_id":"00000000"}"#, nil),
    ])
    func json(c: Case) {
        let (result, r) = parseLine(JSONLinesFormat(), c.text)
        #expect(result == .record)
        #expect(r.traceID == c.trace)
        #expect(r.spanID == c.span)
    }

    @Test("logfmt keys", arguments: [
        Case("level=info msg=charged trace_id=\(trace) span_id=\(span)", trace, span),
        Case("level=info msg=charged trace=\(trace) span=\(span)", trace, span),
        Case("level=info msg=charged dd.trace_id=1234567890123456789 dd.span_id=987654321", "112210f47de98115", "000000003ade68b1"),
        Case("level=info msg=charged traceparent=00-\(trace)-\(span)-01", trace, span),
        Case("level=info msg=\"charged [orders,\(trace),\(span)]\"", trace, span),
        Case("level=info msg=charged trace=verbose", nil),
    ])
    func logfmt(c: Case) {
        let (result, r) = parseLine(LogfmtFormat(), c.text)
        #expect(result == .record)
        #expect(r.traceID == c.trace)
        #expect(r.spanID == c.span)
    }

    @Test("lines built from the scanner's own pieces, cut anywhere: no trap, and IDs only of ID shape")
    func pieces() {
        let pieces = ["trace", "Trace_Id", "span_id", "traceparent", "X-Amzn-Trace-Id", "Root", "Parent", "dd.trace_id",
                      "SW_CTX", "TID", "=", ":", ": ", "[", "]", ",", "-", ";", "\"", "'", " ", ".", "00-", "1-",
                      "5759e988", "4bf92f3577b34da6", "a3ce929d0e0e4736", "0000000000000000", "12345678901234567890123",
                      "a1b2c3.45.1600", "N/A", "é"]
        var rng = SplitMix64(seed: 15)
        for _ in 0..<20_000 {
            var line = ""
            for _ in 0..<rng.int(0...14) { line += rng.pick(pieces) ?? "" }
            var bytes = Array(line.utf8)
            bytes.removeLast(rng.int(0...min(3, bytes.count)))
            var r = LogRecord()
            bytes.withUnsafeMutableBufferPointer { extractIDs(UnsafeBufferPointer($0), into: &r) }
            for id in [r.traceID, r.spanID].compactMap({ $0 }) {
                #expect(!id.isEmpty && id.utf8.count <= 96, "\(line) → \(id)")
                #expect(id.utf8.allSatisfy { $0 > 0x20 && $0 != 0x22 && $0 != 0x27 && $0 != 0x3B }, "\(line) → \(id)")
            }
        }
    }

    @Test("a trace ID typed by a user: X-Ray form as the 32-hex ID, hex lower-cased, other text kept")
    func query() {
        #expect(traceIDQuery("1-5759e988-bd862e3fe1be46a994272793") == "5759e988bd862e3fe1be46a994272793")
        #expect(traceIDQuery("4BF92F35") == "4bf92f35")
        #expect(traceIDQuery("a1b2c3.45.16000000000000001") == "a1b2c3.45.16000000000000001")
    }

    @Test("the reader gives `logs --trace` the IDs of every form")
    func filter() throws {
        let dir = try TempDirectory()
        let path = try dir.write("orders.log", """
            2024-05-01 12:00:00.100 INFO [orders,\(Self.trace),\(Self.span)] accepted
            2024-05-01 12:00:00.200 ERROR [orders] trace=11112222333344445555666677778888 - other request
            2024-05-01 12:00:00.300 INFO X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793 seen

            """)
        let (units, _) = InputDiscovery.discover([path])
        var filter = LogFilter()
        filter.traces = [String(Self.trace.prefix(8)), "5759e988bd"]
        var got: [String] = []
        LogStream(units: units, filter: filter, needs: .all).forEach { got.append($0.message); return true }
        #expect(got.count == 2)
        #expect(got.first?.hasSuffix("accepted") == true)
        #expect(got.last?.hasSuffix("seen") == true)
    }
}
