import Foundation
import Testing
@testable import InquestCore

/// Reads a project fixture under `Fixtures/logs`, checking the accounting and the detected format.
func fixtureLogs(_ name: String, format: String, syslogYear: Int? = nil) throws -> [LogRecord] {
    let (records, stats, detected) = try readLogs(TestPaths.fixture("logs/" + name), syslogYear: syslogYear)
    #expect(detected.name == format, "\(name) detected as \(detected.name)")
    #expect(stats.skipped == 0, "\(name): \(stats.errors)")
    #expect(stats.records == records.count)
    expectBalanced(stats)
    return records
}

@Suite("Log format: JSON lines")
struct JSONLinesFormatTests {
    @Test("bunyan: numeric levels, name as service, nested error as dotted fields")
    func bunyan() throws {
        let r = try fixtureLogs("bunyan.log", format: "json")
        try #require(r.count == 4)
        #expect(r.map(\.level) == [.info, .error, .debug, .fatal])
        #expect(r[0].time == "2024-05-01T12:00:00.000Z")
        #expect(r[0].service == "cart")
        #expect(r[0].message == "cart loaded")
        #expect(r[0].field("hostname") == "web-1")
        #expect(r[0].field("pid") == "101")
        #expect(r[1].time == "2024-05-01T12:00:01.250Z")
        #expect(r[1].message == "checkout failed")
        #expect(r[1].field("err.message") == "card declined")
        #expect(r[1].location.line == 2)
    }

    @Test("pino: epoch milliseconds, service, trace and span IDs")
    func pino() throws {
        let r = try fixtureLogs("pino.log", format: "json")
        try #require(r.count == 2)
        #expect(r[0].time == "2024-05-01T12:00:00.121Z")
        #expect(r[0].level == .info)
        #expect(r[0].service == "inventory")
        #expect(r[0].message == "stock checked")
        #expect(r[0].traceID == "0af7651916cd43dd8448eb211c80319c")
        #expect(r[0].spanID == "b7ad6b7169203331")
        #expect(r[1].time == "2024-05-01T12:00:01.005Z")
        #expect(r[1].level == .warn)
        #expect(r[1].traceID == nil)
        #expect(r[1].field("sku") == "A-17")
    }

    @Test("ECS: dotted and nested keys for level, service, trace and span")
    func ecs() throws {
        let r = try fixtureLogs("ecs.json", format: "json")
        try #require(r.count == 2)
        #expect(r[0].time == "2024-05-01T12:00:00.000Z")
        #expect(r[0].level == .info)
        #expect(r[0].service == "auth")
        #expect(r[0].message == "user logged in")
        #expect(r[0].traceID == "5b8efff798038103d269b633813fc60c")
        #expect(r[0].spanID == "eee19b7ec3c1b174")
        #expect(r[0].field("ecs.version") == "1.6.0")
        #expect(r[0].field("service.version") == "2.1.0")
        #expect(r[0].field("user.name") == "alice")
        #expect(r[1].level == .error)
        #expect(r[1].service == "auth")
        #expect(r[1].traceID == "5b8efff798038103d269b633813fc60c")
        #expect(r[1].spanID == "0102030405060708")
        #expect(r[1].field("log.logger") == "auth.db")
    }

    @Test("key conventions", arguments: [
        (#"{"@timestamp":"2024-05-01T12:00:00Z","level":"WARNING","message":"m"}"#, Level.warn, "m"),
        (#"{"time":"2024-05-01T12:00:00Z","severity":"ERROR","msg":"x","message":"ignored"}"#, .error, "x"),
        (#"{"ts":1714564800,"levelname":"CRITICAL","event":"e"}"#, .fatal, "e"),
        (#"{"t":"2024-05-01T12:00:00Z","lvl":"dbg","body":"b"}"#, .debug, "b"),
        (#"{"timestamp":"2024-05-01T12:00:00Z","severity_number":13,"body":"otel"}"#, .warn, "otel"),
        (#"{"timestamp":"2024-05-01T12:00:00Z","severityNumber":21,"severityText":"x","@m":"y"}"#, .fatal, "y"),
        (#"{"timestamp":"2024-05-01T12:00:00Z","severityText":"Information","severityNumber":9,"body":"i"}"#, .info, "i"),
        (#"{"timestamp":"2024-05-01T12:00:00Z","level":50,"msg":"n"}"#, .error, "n"),
    ])
    func conventions(line: String, level: Level, message: String) throws {
        let (result, r) = parseLine(JSONLinesFormat(), line)
        #expect(result == .record)
        #expect(r.level == level)
        #expect(r.message == message)
        #expect(r.time == "2024-05-01T12:00:00Z")
    }

    @Test("time as epoch numbers and strings")
    func epochTimes() {
        #expect(parseLine(JSONLinesFormat(), #"{"time":1714564800123,"msg":"a"}"#).1.time == "2024-05-01T12:00:00.123Z")
        #expect(parseLine(JSONLinesFormat(), #"{"time":"1714564800","msg":"a"}"#).1.time == "2024-05-01T12:00:00Z")
        #expect(parseLine(JSONLinesFormat(), #"{"ts":1714564800.25,"msg":"a"}"#).1.time == "2024-05-01T12:00:00.250000Z")
        #expect(parseLine(JSONLinesFormat(), #"{"ts":1714564800123456789,"msg":"a"}"#).1.time == "2024-05-01T12:00:00.123456789Z")
    }

    @Test("Datadog and logstash shapes")
    func datadogAndLogstash() {
        let dd = parseLine(JSONLinesFormat(), #"{"message":"m","dd":{"trace_id":"1234567890","span_id":"42"},"service":{"name":"web"}}"#).1
        // Datadog's decimal 64-bit IDs, as the 16 hex digits spans carry.
        #expect(dd.traceID == "00000000499602d2")
        #expect(dd.spanID == "000000000000002a")
        #expect(dd.service == "web")
        let ls = parseLine(JSONLinesFormat(), #"{"ts":"2024-05-01T12:00:00Z","@fields":{"lvl":"ERROR","msg":"inside"}}"#).1
        #expect(ls.level == .error)
        #expect(ls.message == "inside")
    }

    @Test("damaged objects are skipped with a reason", arguments: [
        #"{"msg":"unterminated"#, #"{"msg":"a",}"#, #"{"msg":"a"} trailing"#, #"["not","an","object"]"#, "plain text",
    ])
    func damaged(line: String) {
        let (result, _) = parseLine(JSONLinesFormat(), line)
        guard case .skip(let reason) = result else {
            Testing.Issue.record("expected a skip for \(line), got \(result)")
            return
        }
        #expect(!reason.isEmpty)
    }
}

@Suite("Level words")
struct LevelWordTests {
    /// Level words read from memory a word at a time give what the byte-by-byte reading
    /// gives: every word in three cases, with digits, other bytes and non-ASCII beside them.
    @Test func wordAtATimeAgreesWithByteByByte() {
        let words = ["trace", "trc", "t", "finest", "finer", "verbose", "v", "debug", "dbg", "d", "fine", "config",
                     "info", "inf", "i", "notice", "note", "n", "stats", "warn", "warning", "wrn", "w", "error", "err",
                     "e", "severe", "fail", "failure", "fatal", "critical", "crit", "c", "f", "alert", "emerg", "panic",
                     "dpanic", "information", "emergency", "debug1", "debug9", "debug0x", "", "x", "errors", "@", "[",
                     "`", "{", "inf\u{e9}", "\u{e9}rror", "warn\u{0}", "e\u{0}", "critical1", "Z", "ZZZZZZZZ"]
        for w in words {
            for v in [w, w.uppercased(), w.prefix(1).uppercased() + w.dropFirst()] {
                let bytes = Array(v.utf8)
                let fast = bytes.withUnsafeBufferPointer { Level(bytes: $0) }
                #expect(fast == Level.parse(bytes), "\(v)")
            }
        }
        // Every two-byte and three-byte ASCII spelling against the reference.
        for a in UInt8(0)...127 {
            for b in UInt8(0)...127 {
                for word in [[a, b], [a, b, 0x6F], [0x65, a, b, 0x6F, 0x72]] {
                    let fast = word.withUnsafeBufferPointer { Level(bytes: $0) }
                    if fast != Level.parse(word) { #expect(fast == Level.parse(word), "\(word)"); return }
                }
            }
        }
    }
}

@Suite("Log format: logfmt")
struct LogfmtFormatTests {
    @Test("fields, quoted values with escapes, epoch time, IDs")
    func fixture() throws {
        let r = try fixtureLogs("logfmt.log", format: "logfmt")
        try #require(r.count == 3)
        #expect(r[0].time == "2024-05-01T12:00:00.250Z")
        #expect(r[0].level == .info)
        #expect(r[0].service == "api")
        #expect(r[0].message == "request served")
        #expect(r[0].traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(r[0].spanID == "00f067aa0ba902b7")
        #expect(r[0].fields == [.init("path", "/v1/items"), .init("status", "200"), .init("duration", "12ms")])
        #expect(r[1].time == "2024-05-01T12:00:01.500Z")
        #expect(r[1].level == .warn)
        #expect(r[1].message == "quota \"gold\" nearly used\tby tenant \\acme\\")
        #expect(r[1].field("tenant") == "acme")
        #expect(r[2].time == "2024-05-01T12:00:02Z")
        #expect(r[2].level == .error)
        #expect(r[2].service == "worker")
        #expect(r[2].field("error") == "context deadline exceeded")
        #expect(r[2].field("job") == "17")
    }

    @Test("an unclosed quote is a skipped record")
    func unclosed() {
        let (result, _) = parseLine(LogfmtFormat(), #"level=info msg="never closed"#)
        #expect(result == .skip("unclosed quote in logfmt"))
    }

    @Test("empty values and values with equals signs")
    func edges() {
        let r = parseLine(LogfmtFormat(), #"level=info msg=ok reason= query="a=b&c=d""#).1
        #expect(r.field("reason") == "")
        #expect(r.field("query") == "a=b&c=d")
    }
}

@Suite("Log format: syslog")
struct SyslogFormatTests {
    @Test("RFC 5424: priority, timestamp with offset, app, procid, structured data")
    func rfc5424() throws {
        let r = try fixtureLogs("syslog-5424.log", format: "syslog")
        try #require(r.count == 3)
        #expect(r[0].time == "2024-05-01T12:00:00.003Z")
        #expect(r[0].level == .notice)
        #expect(r[0].service == "evntslog")
        #expect(r[0].message == "An application event log entry")
        #expect(r[0].field("host") == "mymachine.example.com")
        #expect(r[0].field("facility") == "20")
        #expect(r[0].field("structured_data") == #"[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]"#)
        #expect(r[1].time == "2024-05-01T12:00:01.000Z")
        #expect(r[1].level == .error)
        #expect(r[1].service == "nginx")
        #expect(r[1].field("pid") == "2345")
        #expect(r[1].message == "upstream timed out while reading response header")
        #expect(r[2].level == .info)
        #expect(r[2].field("structured_data") == #"[meta@1 note="a \] in a value"][origin@2 ip="10.0.0.7"]"#)
        #expect(r[2].message == "invoice 88 sent")
    }

    @Test("RFC 3164: the year rolls over from December to January")
    func rollover() throws {
        let r = try fixtureLogs("syslog-3164-rollover.log", format: "syslog", syslogYear: 2025)
        try #require(r.count == 4)
        #expect(r.map { $0.time ?? "-" } == ["2025-12-31T23:59:58Z", "2025-12-31T23:59:59Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"])
        #expect(r.map { $0.service ?? "-" } == ["sshd", "CRON", "kernel", "systemd"])
        #expect(r[0].field("pid") == "4321")
        #expect(r[0].field("host") == "web01")
        #expect(r[0].message == "Accepted publickey for deploy from 10.0.0.5 port 52144")
        #expect(r[2].level == .error, "guessed from the words without a priority")
        #expect(r[3].level == .info)
        #expect(r[3].field("facility") == "3")
    }

    @Test("RFC 3164 without a year given: the file's modification time decides it", arguments: [
        // mtime, and the times the lines must get.
        ("2026-01-01T00:10:00Z", ["2025-12-31T23:59:58Z", "2026-01-01T00:00:01Z"]),
        ("2026-06-30T00:00:00Z", ["2025-12-31T23:59:58Z", "2026-01-01T00:00:01Z"]),
        ("2025-12-31T23:59:59Z", ["2025-12-31T23:59:58Z", "2026-01-01T00:00:01Z"]),
    ])
    func yearFromModificationTime(mtime: String, expected: [String]) throws {
        let dir = try TempDirectory()
        let path = try dir.write("messages", "Dec 31 23:59:58 web01 sshd[1]: last of the year\nJan  1 00:00:01 web01 sshd[1]: first of the next\n")
        let when = try #require(TimestampParser().parse(mtime))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(when.nanos) / 1e9)], ofItemAtPath: path)
        let (records, _, _) = try readLogs(path)
        #expect(records.map { $0.time ?? "-" } == expected)
    }

    @Test("lines starting with white space continue the record")
    func continuation() {
        var context = ParseContext()
        #expect(parseLine(SyslogFormat(), "\tmore text", context: &context).0 == .continuation)
    }

    @Test("lines that are not syslog are skipped", arguments: ["<999>bad priority", "Nov  3 09:23:38 hostonly", "hello"])
    func rejected(line: String) {
        guard case .skip = parseLine(SyslogFormat(), line).0 else {
            Testing.Issue.record("expected a skip for \(line)")
            return
        }
    }
}

@Suite("Log format: access log")
struct AccessLogFormatTests {
    @Test("combined format: time zones, fraction, request, status level, extras")
    func fixture() throws {
        let r = try fixtureLogs("access.log", format: "access")
        try #require(r.count == 3)
        #expect(r.map { $0.time ?? "-" } == ["2024-05-01T12:00:00Z", "2024-05-01T12:00:01Z", "2024-05-01T12:00:02.123Z"])
        #expect(r.map(\.level) == [.info, .warn, .error])
        #expect(r[0].message == "GET /api/items HTTP/1.1 200 512")
        #expect(r[0].service == "access")
        #expect(r[0].fields == [.init("client", "10.0.0.1"), .init("method", "GET"), .init("path", "/api/items"),
                                .init("protocol", "HTTP/1.1"), .init("status", "200"), .init("bytes", "512"),
                                .init("user_agent", "curl/8.5.0")])
        #expect(r[1].field("user") == "alice")
        #expect(r[1].field("referer") == "https://shop.example/")
        #expect(r[1].field("user_agent") == "Mozilla/5.0 (X11; Linux x86_64)")
        #expect(r[2].field("field2") == "0.250")
    }

    @Test("level from status: 5xx error, 4xx warn, others info", arguments: [
        (200, Level.info), (204, .info), (301, .info), (304, .info), (400, .warn), (404, .warn), (499, .warn),
        (500, .error), (503, .error), (599, .error),
    ])
    func levelFromStatus(status: Int, level: Level) {
        let line = #"1.2.3.4 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" \#(status) 0 "-" "ua""#
        let (result, r) = parseLine(AccessLogFormat(), line)
        #expect(result == .record)
        #expect(r.level == level)
    }
}

@Suite("Log format: Docker json-file")
struct DockerJSONFormatTests {
    @Test("the inner line is unwrapped and parsed; split lines are joined")
    func fixture() throws {
        let r = try fixtureLogs("docker-json.log", format: "docker-json")
        try #require(r.count == 3)
        #expect(r[0].time == "2024-05-01T12:00:00.123Z", "the inner JSON's time wins over Docker's")
        #expect(r[0].level == .info)
        #expect(r[0].service == "checkout")
        #expect(r[0].message == "server started on :8080")
        #expect(r[0].traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(r[0].spanID == "00f067aa0ba902b7")
        #expect(r[0].field("stream") == "stdout")
        #expect(r[1].message == "GET /cart/items?page=1 served in 12ms, the first part of a line Docker split at 16 KiB; the second part of the same line")
        #expect(r[1].time == "2024-05-01T12:00:01.000000002Z", "a line without its own time takes Docker's")
        #expect(r[1].service == "docker-json", "service from the file name")
        #expect(r[2].time == "2024-05-01T12:00:02.500Z")
        #expect(r[2].level == .error)
        #expect(r[2].message == "payment declined for order 1042")
        #expect(r[2].field("stream") == "stderr")
    }

    @Test("a joined record is located at its first line")
    func joinedLocation() throws {
        let r = try fixtureLogs("docker-json.log", format: "docker-json")
        #expect(r.map(\.location.line) == [1, 2, 4])
    }
}

@Suite("Log format: CRI")
struct CRIFormatTests {
    @Test("P parts are joined with the F part; inner JSON and logfmt are parsed")
    func fixture() throws {
        let r = try fixtureLogs("cri.log", format: "cri")
        try #require(r.count == 3)
        #expect(r[0].time == "2024-05-01T12:00:00.000Z")
        #expect(r[0].level == .warn)
        #expect(r[0].service == "orders")
        #expect(r[0].message == "slow query")
        #expect(r[0].field("duration_ms") == "812")
        #expect(r[0].field("stream") == "stdout")
        #expect(r[1].message == "connection reset by peer while reading response")
        #expect(r[1].level == .error)
        #expect(r[1].service == "orders")
        #expect(r[1].field("attempt") == "3")
        #expect(r[1].field("stream") == "stderr")
        #expect(r[1].time == "2024-05-01T12:00:01.100000002Z")
        #expect(r[2].message == "plain text without a time of its own")
        #expect(r[2].time == "2024-05-01T12:00:02.000000000Z")
        #expect(r.map(\.location.line) == [1, 2, 5], "a joined record is located at its first part")
    }

    @Test("lines that are not CRI are skipped", arguments: [
        "2024-05-01T12:00:00Z stdout X text", "2024-05-01T12:00:00Z console F text", "no time stdout F text",
    ])
    func rejected(line: String) {
        #expect(parseLine(CRIFormat(), line).0 == .skip("not a CRI log line"))
    }
}

@Suite("Log format: plain text")
struct PlainTextFormatTests {
    @Test("a Python traceback joins its record; continuation lines are not records")
    func python() throws {
        let r = try fixtureLogs("python-traceback.log", format: "plain")
        try #require(r.count == 3)
        #expect(r.map { $0.time ?? "-" } == ["2024-05-01T12:00:00.123Z", "2024-05-01T12:00:01.456Z", "2024-05-01T12:00:02.000Z"])
        #expect(r.map(\.level) == [.info, .error, .warn])
        #expect(r[0].message == "[app.main] Starting worker pid=4242")
        #expect(r[1].message == """
            [app.jobs] Job 17 failed
            Traceback (most recent call last):
              File "/srv/app/jobs.py", line 88, in run
                result = handler(payload)
              File "/srv/app/handlers.py", line 12, in handler
                raise ValueError("bad payload")
            ValueError: bad payload
            """)
        #expect(r[1].location.line == 2)
        #expect(r[2].location.line == 9)
    }

    @Test("a Java stack trace joins its record")
    func java() throws {
        let r = try fixtureLogs("java-stacktrace.log", format: "plain")
        try #require(r.count == 3)
        #expect(r[0].message == "[main] c.e.Shop - Started ShopApplication in 3.2 seconds")
        #expect(r[1].level == .error)
        #expect(r[1].time == "2024-05-01T12:00:05.120Z")
        let lines = r[1].message.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 7)
        #expect(lines.first == "[http-nio-8080-exec-1] c.e.OrderController - Order 1042 failed")
        #expect(lines[1] == "java.lang.IllegalStateException: inventory unavailable")
        #expect(lines.last == "\t... 12 more")
        #expect(r[2].message == "[main] c.e.Shop - Health check OK")
        #expect(r[2].level == .info)
    }

    @Test("level words in the first tokens", arguments: [
        ("2024-05-01 12:00:00 [main] WARN Foo: bar", Level.warn),
        ("2024-05-01T12:00:00Z\terror\tqueue.go:12\tfailed", .error),
        ("2024-05-01 12:00:00,000:DEBUG:foo bar", .debug),
        ("24/05/01 12:00:00 INFO spark.SecurityManager: ok", .info),
        ("2024-05-01 12:00:00 something crashed with an exception", .error),
        ("2024-05-01 12:00:00 all good", .unknown),
    ])
    func levels(line: String, level: Level) {
        let (result, r) = parseLine(PlainTextFormat(), line)
        #expect(result == .record)
        #expect(r.level == level)
    }
}

@Suite("Log format: OTLP JSON logs")
struct OTLPLogsFormatTests {
    @Test("severity numbers and text, resource service, hex and base64 IDs, observed time")
    func fixture() throws {
        let r = try fixtureLogs("otlp-logs.json", format: "otlp-logs")
        try #require(r.count == 3)
        #expect(r[0].time == "2024-05-01T12:00:00.123456789Z")
        #expect(r[0].level == .error)
        #expect(r[0].service == "payment")
        #expect(r[0].message == "card declined")
        #expect(r[0].traceID == "5b8efff798038103d269b633813fc60c")
        #expect(r[0].spanID == "eee19b7ec3c1b174")
        #expect(r[0].field("order.id") == "1042")
        #expect(r[0].field("retry") == "false")
        #expect(r[0].field("scope") == "payment.charge")
        #expect(r[0].field("resource.host.name") == "pay-7f9c")
        #expect(r[1].time == "2024-05-01T12:00:01.000000000Z", "timeUnixNano 0: the observed time")
        #expect(r[1].level == .info)
        #expect(r[1].traceID == "5b8efff798038103d269b633813fc60c", "base64 ID as hex")
        #expect(r[1].spanID == "00f067aa0ba902b7")
        #expect(r[2].level == .warn, "from severityText")
        #expect(r[2].message == "{event=slow}")
    }

    @Test("severity numbers map to levels", arguments: [
        (0, Level.unknown), (1, .trace), (4, .trace), (5, .debug), (9, .info), (12, .info), (13, .warn), (17, .error), (20, .error), (21, .fatal), (24, .fatal),
    ])
    func severityNumbers(n: Int, level: Level) {
        #expect(Level(otlp: n) == level)
    }
}
