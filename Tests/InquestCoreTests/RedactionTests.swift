import Foundation
import Testing
@testable import InquestCore

/// A line built from plain text and seeded values: the input has the values, the
/// expected output has their placeholders, and nothing else differs.
struct SeededLine {
    /// `quoted`: a JSON number replaced by a string (`4111…` becomes `"<card>"`).
    enum Part { case text(String); case seed(RedactionKind, String); case quoted(RedactionKind, String) }
    var parts: [Part]
    init(_ parts: Part...) { self.parts = parts }
    var input: String {
        parts.map { p -> String in
            switch p {
            case .text(let t): return t
            case .seed(_, let v), .quoted(_, let v): return v
            }
        }.joined()
    }
    var expected: String {
        parts.map { p -> String in
            switch p {
            case .text(let t): return t
            case .seed(let k, _): return k.placeholder
            case .quoted(let k, _): return "\"" + k.placeholder + "\""
            }
        }.joined()
    }
    var seeds: [(RedactionKind, String)] {
        parts.compactMap { p -> (RedactionKind, String)? in
            switch p {
            case .text: return nil
            case .seed(let k, let v), .quoted(let k, let v): return (k, v)
            }
        }
    }
}

func t(_ s: String) -> SeededLine.Part { .text(s) }
func s(_ k: RedactionKind, _ v: String) -> SeededLine.Part { .seed(k, v) }

enum Seeds {
    static let email = "jane.doe+test@example.com"
    static let email2 = "ops@mail.example.org"
    static let ipv4 = "203.0.113.42"
    static let ipv4b = "10.1.2.3"
    static let ipv6 = "2001:db8:85a3::8a2e:370:7334"
    static let ipv6b = "fe80::1ff:fe23:4567:890a"
    static let visa = "4111 1111 1111 1111"
    static let mastercard = "5500-0000-0000-0004"
    static let amex = "378282246310005"
    static let phoneE164 = "+1 415 555 2671"
    static let phoneUS = "(415) 555-2671"
    static let phoneUK = "+44 20 7946 0958"
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    static let aws = "AKIAIOSFODNN7EXAMPLE"
    static let github = "ghp_" + String(repeating: "aB3", count: 12)
    static let slack = "xoxb-1234567890-abcdefghijkl"
    static let stripe = "sk_live_" + String(repeating: "4eC39HqL", count: 3)
    static let bearer = "mF_9.B5f-4.1JqM"
    static let password = "hunter2!x"
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let spanID = "00f067aa0ba902b7"

    /// Values that look numeric or hex but must stay: IDs, times, durations, versions,
    /// a 16-digit order number failing Luhn.
    static let negatives = "order=4111111111111112 ord-38d04544 uuid=550e8400-e29b-41d4-a716-446655440000 at 10:30:00.123 took 336 ms (1.5s) epoch=1795600801667 Chrome/131.0.0.0 mac=00:1a:2b:3c:4d:5e v1.2.3 build 2026.11.25 sku=SKU-9140 count=1234567890123456 pid 48536 port :8080"
    static let traceparent = "00-\(traceID)-\(spanID)-01"
}

@Suite("Redaction detectors")
struct RedactionDetectorTests {
    func detect(_ text: String, rules: RedactionRules = RedactionRules()) -> [(RedactionKind, String)] {
        let r = Redactor(rules: rules, pseudonymizer: nil)
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { b in
            r.detect(b, fields: true).map { ($0.kind, String(decoding: b[$0.range], as: UTF8.self)) }
        }
    }

    @Test(arguments: [
        ("mail jane.doe+test@example.com now", RedactionKind.email, "jane.doe+test@example.com"),
        ("<ops@mail.example.org>", .email, "ops@mail.example.org"),
        ("from 203.0.113.42:8080", .ipv4, "203.0.113.42"),
        ("client=[2001:db8::1]:443", .ipv6, "2001:db8::1"),
        ("peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok", .ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        ("mapped ::ffff:192.0.2.1 x", .ipv6, "::ffff:192.0.2.1"),
        // Ending on a colon once looped for ever, appending the address again and again.
        ("connect to 2001:db8::1: connection refused", .ipv6, "2001:db8::1"),
        ("card 4111 1111 1111 1111.", .card, "4111 1111 1111 1111"),
        ("card=5500-0000-0000-0004", .card, "5500-0000-0000-0004"),
        ("amex 378282246310005", .card, "378282246310005"),
        ("call +1 415 555 2671 now", .phone, "+1 415 555 2671"),
        ("call (415) 555-2671", .phone, "(415) 555-2671"),
        ("tel 415-555-2671", .phone, "415-555-2671"),
        ("tel +44 20 7946 0958", .phone, "+44 20 7946 0958"),
        ("tel 020 7946 0958", .phone, "020 7946 0958"),
        ("tel 01 23 45 67 89", .phone, "01 23 45 67 89"),
        ("tel +14155552671", .phone, "+14155552671"),
        ("t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_-123", .jwt, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_-123"),
        ("Authorization: Bearer mF_9.B5f-4.1JqM", .token, "mF_9.B5f-4.1JqM"),
        ("header bearer abcdefgh12345678", .token, "abcdefgh12345678"),
        ("aws AKIAIOSFODNN7EXAMPLE", .token, "AKIAIOSFODNN7EXAMPLE"),
        ("xoxb-1234567890-abcdefghijkl", .token, "xoxb-1234567890-abcdefghijkl"),
        ("password=hunter2 user=bob", .secret, "hunter2"),
        ("db_passwd: 's3cr et'", .secret, "s3cr et"),
        ("{\"client_secret\": \"abc\\\"def\"}", .secret, "abc\\\"def"),
        ("X-Api-Key: k-123456", .secret, "k-123456"),
        ("refresh_token=r1.r2.r3;", .secret, "r1.r2.r3"),
    ])
    func finds(_ text: String, _ kind: RedactionKind, _ value: String) {
        let found = detect(text)
        #expect(found.count == 1, "\(text): \(found)")
        #expect(found.first?.0 == kind, "\(text)")
        #expect(found.first?.1 == value, "\(text)")
    }

    @Test(arguments: [
        Seeds.negatives,
        "2026-11-25T10:00:46.012205Z 2026-11-25 10:00:46,028 [25/Nov/2026:10:00:01 +0000] +02:00 -0500",
        "trace_id=\(Seeds.traceID) span_id=\(Seeds.spanID) traceparent=\(Seeds.traceparent)",
        "{\"traceId\":\"\(Seeds.traceID)\",\"spanId\":\"\(Seeds.spanID)\",\"parentSpanId\":\"4111111111111111\",\"startTimeUnixNano\":\"1795600801667615123\"}",
        "trace_id=4111111111111111 ts=5500000000000004 level=INFO",
        "std::vector a::b Foo::Bar 12:34:56 de:ad:be:ef:00:01",
        "@timestamp user@host tokens_used=5 token_count=3 max_tokens=100 token: null",
        "1.2.3.4.5 version 10.0.19045.1 Chrome/131.0.0.0 Safari/537.36",
        "ids 1234-5678-9012 2024-01-15 01-02-2024 12.05.2024 3.14159 +1.5 -4111111111111111",
        "durations 1h30m 250ms 0.5 0 12 34 00 44 20 7946 0958",
    ])
    func leavesAlone(_ text: String) {
        let found = detect(text)
        #expect(found.isEmpty, "\(text): \(found)")
    }

    @Test func luhnAndIssuer() {
        #expect(CardDetector.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!CardDetector.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        // Sixteen-digit order numbers: Luhn fails or no card network starts that way.
        for n in ["4111111111111112", "4000123412341235", "1234567812345670", "9999999999999995"] {
            #expect(detect("order \(n) placed").isEmpty, "\(n)")
        }
        #expect(detect("order 4000123412341234 placed").map(\.0) == [.card])
    }

    @Test func userPatternsAndSkip() throws {
        var rules = RedactionRules()
        rules.patterns = [try UserPatternDetector("cust-[0-9]{4}")]
        rules.kinds.remove(.email)
        let found = detect("cust-1234 bought for cust-9876 (a@example.com)", rules: rules)
        #expect(found.map(\.1) == ["cust-1234", "cust-9876"])
        #expect(throws: PatternError.self) { try UserPatternDetector("x*") }
        #expect(throws: PatternError.self) { try UserPatternDetector("(") }
    }

    @Test func ipv6Canonical() {
        let a = Array("2001:db8::1".utf8).withUnsafeBufferPointer { IPv6Detector.canonical($0) }
        let b = Array("2001:0DB8:0:0:0:0:0:1".utf8).withUnsafeBufferPointer { IPv6Detector.canonical($0) }
        #expect(a == b)
        #expect(a.count == 16)
    }
}

@Suite("Redaction end to end in the library")
struct RedactionRunTests {
    /// Redacts `inputs` (name → bytes) written in a temporary directory; returns the
    /// output directory, the summary and the temporary directory (kept alive).
    func redact(_ inputs: [(String, [UInt8])], pseudonymizer: Pseudonymizer? = nil, rules: RedactionRules = RedactionRules(),
                in dir: TempDirectory? = nil, outName: String = "out") throws -> (out: String, summary: RedactionSummary, dir: TempDirectory) {
        let d = try dir ?? TempDirectory()
        for (name, bytes) in inputs { try d.write("in/" + name, bytes) }
        let options = RedactionOptions(outDirectory: d.url(outName).path)
        let found = InputDiscovery.discover([d.url("in").path])
        #expect(found.problems.isEmpty)
        let plan = try Redaction.plan(paths: [d.url("in").path], units: found.units, options: options)
        let summary = Redaction.run(plan, redactor: Redactor(rules: rules, pseudonymizer: pseudonymizer), options: options)
        return (d.url(outName).path, summary, d)
    }

    func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    func decompressed(_ path: String) throws -> [UInt8] {
        let unit = InputUnit.memory(try read(path), name: path)
        return try drain(try unit.open()).bytes
    }

    func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static let tail = " trace_id=\(Seeds.traceID) span_id=\(Seeds.spanID)"

    static let logfmt: [SeededLine] = [
        SeededLine(t("time=2026-11-25T10:00:46.012205Z level=INFO msg=\"user "), s(.email, Seeds.email), t(" logged in from "), s(.ipv6, Seeds.ipv6), t("\" aws="), s(.token, Seeds.aws), t(tail)),
        SeededLine(t("time=2026-11-25T10:00:47.000001Z level=WARN msg=\"retry\" password="), s(.secret, Seeds.password), t(" peer="), s(.ipv4, Seeds.ipv4), t(" " + Seeds.negatives)),
        SeededLine(t("time=2026-11-25T10:00:48Z level=ERROR msg=\"charge failed card "), s(.card, Seeds.mastercard), t(" phone "), s(.phone, Seeds.phoneUK), t("\" traceparent=\(Seeds.traceparent)")),
        SeededLine(t("")),
        SeededLine(t("time=2026-11-25T10:00:49Z level=INFO msg=\"no secrets here\" duration_ms=370 order_id=ord-a8bda622")),
    ]

    static let plain: [SeededLine] = [
        SeededLine(t("2026-11-25 10:00:46,028 INFO  [http-nio-8080-exec-12] c.s.p.ChargeService - Charging card "), s(.card, Seeds.visa), t(" for "), s(.phone, Seeds.phoneE164), t(tail)),
        SeededLine(t("\tat com.shop.Payment.charge(Payment.java:42) Authorization: Bearer "), s(.jwt, Seeds.jwt)),
        SeededLine(t("2026-11-25 10:00:47,001 WARN  [main] c.s.Auth - github "), s(.token, Seeds.github), t(" slack "), s(.token, Seeds.slack), t(" stripe "), s(.token, Seeds.stripe)),
        SeededLine(t("2026-11-25 10:00:48,500 INFO  [main] c.s.Auth - header bearer "), s(.token, Seeds.bearer), t(", amex "), s(.card, Seeds.amex), t(" " + Seeds.negatives)),
    ]

    static let syslog: [SeededLine] = [
        SeededLine(t("<134>1 2026-11-25T10:00:01.672672Z inventory-8e3a5546b-99e6f inventory 48536 - - login ok user="), s(.email, Seeds.email2), t(" from "), s(.ipv4, Seeds.ipv4b), t(tail)),
        SeededLine(t("<131>Nov 25 10:00:02 host sshd[4242]: Failed password for root from "), s(.ipv4, Seeds.ipv4), t(" port 52044 ssh2")),
        SeededLine(t("<134>1 2026-11-25T10:00:03Z host app 1 - - callback "), s(.phone, Seeds.phoneUS), t(" ip "), s(.ipv6, Seeds.ipv6b)),
    ]

    static let access: [SeededLine] = [
        SeededLine(s(.ipv4, Seeds.ipv4), t(" - - [25/Nov/2026:10:00:01 +0000] \"GET /reset?email="), s(.email, Seeds.email), t("&token="), s(.secret, "abc123456"), t(" HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36\"")),
        SeededLine(s(.ipv6, Seeds.ipv6b), t(" - - [25/Nov/2026:10:00:07 +0000] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.31\"")),
    ]

    static let jsonLines: [SeededLine] = [
        SeededLine(t("{\"@timestamp\":\"2026-11-25T10:00:46.012Z\",\"level\":\"info\",\"trace_id\":\"\(Seeds.traceID)\",\"span_id\":\"\(Seeds.spanID)\",\"msg\":\"charge for \\\""),
                   s(.email, Seeds.email), t("\\\"\\tcard "), s(.card, Seeds.mastercard), t("\\n"), s(.email, Seeds.email2),
                   t("\",\"user\":{\"email\":\""), s(.email, Seeds.email2), t("\",\"phone\":\""), s(.phone, Seeds.phoneUS),
                   t("\"},\"password\":\""), s(.secret, Seeds.password), t("\",\"headers\":{\"authorization\":\"Bearer "), s(.secret, Seeds.jwt),
                   t("\"},\"amount\":12.5,\"ok\":true,\"note\":null,\"card_number\":"), .quoted(.card, "4000123412341234"), t("}")),
        SeededLine(t("{\"ts\":1795600801667,\"time\":\"10:30:00\",\"traceId\":\"4111111111111111\",\"spanID\":\"\(Seeds.spanID)\",\"parentSpanId\":\"5500000000000004\",\"msg\":\"\(Seeds.negatives)\",\"ip\":\""),
                   s(.ipv4, Seeds.ipv4), t("\",\"unicode\":\"caf\\u00e9 \\ud83d\\ude00 "), s(.email, Seeds.email), t("\"}")),
        SeededLine(t("not json at all, mail "), s(.email, Seeds.email), t(" ok")),
    ]

    /// A Jaeger dump on one line: tag and log values are redacted, IDs, times and tags
    /// naming IDs are not.
    static let jaeger: [SeededLine] = [
        SeededLine(t("{\"data\":[{\"traceID\":\"\(Seeds.traceID)\",\"spans\":[{\"traceID\":\"\(Seeds.traceID)\",\"spanID\":\"\(Seeds.spanID)\",\"operationName\":\"POST /login\",\"references\":[],\"startTime\":1795600801667615,\"duration\":7011,\"tags\":[{\"key\":\"user.email\",\"type\":\"string\",\"value\":\""),
                   s(.email, Seeds.email), t("\"},{\"key\":\"net.peer.ip\",\"type\":\"string\",\"value\":\""), s(.ipv4, Seeds.ipv4),
                   t("\"},{\"key\":\"http.request.header.authorization\",\"type\":\"string\",\"value\":\"Basic "), s(.secret, "dXNlcjpwYXNz"),
                   t("\"},{\"key\":\"trace_id\",\"type\":\"string\",\"value\":\"4111111111111111\"},{\"key\":\"http.status_code\",\"type\":\"int64\",\"value\":200}],\"logs\":[{\"timestamp\":1795600801667615,\"fields\":[{\"key\":\"event\",\"type\":\"string\",\"value\":\"sent mail to "),
                   s(.email, Seeds.email2), t("\"}]}],\"processID\":\"p1\"}],\"processes\":{\"p1\":{\"serviceName\":\"auth\",\"tags\":[{\"key\":\"ip\",\"type\":\"string\",\"value\":\""),
                   s(.ipv4, Seeds.ipv4b), t("\"}]}}}]}")),
    ]

    /// The same kind of dump, pretty-printed over many lines (OTLP attribute shape).
    static let otlpPretty: [SeededLine] = [
        SeededLine(t("{")),
        SeededLine(t("  \"resourceSpans\": [{\"resource\": {\"attributes\": [{\"key\": \"service.name\", \"value\": {\"stringValue\": \"auth\"}}]},")),
        SeededLine(t("    \"scopeSpans\": [{\"spans\": [{")),
        SeededLine(t("      \"traceId\": \"\(Seeds.traceID)\", \"spanId\": \"\(Seeds.spanID)\", \"name\": \"login\",")),
        SeededLine(t("      \"startTimeUnixNano\": \"1795600801667615123\", \"endTimeUnixNano\": \"1795600801667615999\",")),
        SeededLine(t("      \"attributes\": [")),
        SeededLine(t("        {\"key\": \"enduser.id\", \"value\": {\"stringValue\": \""), s(.email, Seeds.email), t("\"}},")),
        SeededLine(t("        {\"key\": \"api_key\", \"value\": {\"stringValue\": \""), s(.secret, "k-987654321"), t("\"}},")),
        SeededLine(t("        {\"key\": \"client.address\", \"value\": {\"stringValue\": \""), s(.ipv6, Seeds.ipv6), t("\"}}")),
        SeededLine(t("      ]")),
        SeededLine(t("    }]}]}]")),
        SeededLine(t("}")),
    ]

    func text(_ ls: [SeededLine], crlf: Bool = false, finalNewline: Bool = true) -> (input: [UInt8], expected: [UInt8]) {
        let sep = crlf ? "\r\n" : "\n"
        var i = ls.map(\.input).joined(separator: sep), e = ls.map(\.expected).joined(separator: sep)
        if finalNewline { i += sep; e += sep }
        return (Array(i.utf8), Array(e.utf8))
    }

    func checkNoSeedSurvives(_ out: [UInt8], _ ls: [SeededLine], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let o = String(decoding: out, as: UTF8.self)
        for l in ls { for (_, v) in l.seeds { #expect(!o.contains(v), "\(v) survived", sourceLocation: sourceLocation) } }
        for survivor in [Seeds.traceID, Seeds.spanID] where String(decoding: text(ls).input, as: UTF8.self).contains(survivor) {
            #expect(o.contains(survivor), "\(survivor) must stay", sourceLocation: sourceLocation)
        }
    }

    static let formats: [(String, [SeededLine], String)] = [
        ("checkout.log", logfmt, "logfmt"),
        ("payment.log", plain, "plain"),
        ("inventory.log", syslog, "syslog"),
        ("frontend-access.log", access, "access"),
        ("api.ndjson", jsonLines, "json"),
        ("spans/jaeger.json", jaeger, "jaeger"),
        ("spans/otlp.json", otlpPretty, "otlp-traces"),
    ]

    @Test(arguments: 0..<7)
    func everyFormatExactlyTheSeedsReplaced(_ index: Int) throws {
        let (name, ls, format) = Self.formats[index]
        let (input, expected) = text(ls)
        let (out, summary, keep) = try redact([(name, input)])
        defer { withExtendedLifetime(keep) {} }
        let written = try read(out + "/" + name)
        #expect(lines(written) == lines(expected), "\(name)")
        #expect(written == expected, "\(name)")
        checkNoSeedSurvives(written, ls)
        let file = try #require(summary.files.first)
        #expect(file.format == format || (format == "logfmt" && file.format == "text"), "\(name): \(file.format)")
        #expect(file.lines == ls.count)
        var want = RedactionCounts()
        for l in ls { for (k, _) in l.seeds { want[k] += 1 } }
        #expect(file.detections == want, "\(name)")
        if name.hasSuffix("json") {
            // JSON stays JSON: each line of JSON lines, and the whole document of a dump.
            if name.hasSuffix("ndjson") {
                for (i, l) in lines(written).enumerated() where l.hasPrefix("{") {
                    #expect((try? JSONSerialization.jsonObject(with: Data(l.utf8))) != nil, "line \(i + 1) is not JSON")
                }
            } else {
                #expect((try? JSONSerialization.jsonObject(with: Data(written))) != nil, "\(name) is not JSON")
            }
        }
    }

    @Test func lineEndingsAndFinalNewlineKept() throws {
        for (crlf, final) in [(true, true), (false, false), (true, false)] {
            let (input, expected) = text(Self.logfmt, crlf: crlf, finalNewline: final)
            let (out, _, keep) = try redact([("a.log", input)])
            defer { withExtendedLifetime(keep) {} }
            #expect(try read(out + "/a.log") == expected, "crlf \(crlf) final \(final)")
        }
    }

    @Test func gzipInGzipOut() throws {
        let (input, expected) = text(Self.jsonLines)
        let gz = try #require(GzipEncoding.member(input))
        let (out, summary, keep) = try redact([("api.log.gz", gz)])
        defer { withExtendedLifetime(keep) {} }
        let raw = try read(out + "/api.log.gz")
        #expect(raw.starts(with: [0x1F, 0x8B]))
        #expect(try decompressed(out + "/api.log.gz") == expected)
        #expect(summary.files.first?.detections.total == Self.jsonLines.reduce(0) { $0 + $1.seeds.count })
    }

    @Test func tarGzMembersRedactedIntoTheSameShape() throws {
        let a = text(Self.logfmt), b = text(Self.syslog), c = text(Self.plain)
        var tar = UstarArchive()
        try tar.add(name: "logs/checkout.log", contents: a.input, modified: 1_795_600_000)
        try tar.add(name: "logs/inventory.log.1", contents: b.input, modified: 1_795_600_000)
        try tar.add(name: "payment.log.gz", contents: try #require(GzipEncoding.member(c.input)), modified: 1_795_600_000)
        let archive = try #require(GzipEncoding.member(tar.finish()))
        let (out, summary, keep) = try redact([("rotated.tar.gz", archive)])
        defer { withExtendedLifetime(keep) {} }
        #expect(summary.files.map(\.path).map { $0.split(separator: ":").last.map(String.init) ?? "" } == ["logs/checkout.log", "logs/inventory.log.1", "payment.log.gz"])
        #expect(summary.problems.isEmpty)
        // Read the output archive back with the project's own reader.
        let units = InputDiscovery.discover([out + "/rotated.tar.gz"]).units
        #expect(units.map { $0.path.split(separator: ":").last.map(String.init) ?? "" } == ["logs/checkout.log", "logs/inventory.log.1", "payment.log.gz"])
        #expect(units.allSatisfy { $0.compression == .tarGzip })
        let contents = try units.map { try drain(try $0.open()).bytes }
        #expect(contents == [a.expected, b.expected, c.expected])
        // The gzip member stayed gzip inside the archive.
        let tarBytes = try decompressed(out + "/rotated.tar.gz")
        let member = TarReader(source: MemorySource(tarBytes))
        _ = try member.nextMember(); _ = try member.nextMember()
        _ = try #require(try member.nextMember())
        #expect(try member.memberSource().readFully(upTo: 2) == [0x1F, 0x8B])
    }

    @Test func outputsAreMode0600AndMirrorPaths() throws {
        let (input, _) = text(Self.logfmt)
        let (out, summary, keep) = try redact([("a/b/c.log", input), ("top.log", input)])
        defer { withExtendedLifetime(keep) {} }
        #expect(summary.files.compactMap(\.out).sorted() == [out + "/a/b/c.log", out + "/top.log"])
        for f in ["a/b/c.log", "top.log"] {
            var st = stat()
            #expect(stat(out + "/" + f, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600, "\(f)")
        }
    }

    @Test func samePseudonymAcrossFilesAndRunsDifferentKeyDiffers() throws {
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let p = try Pseudonymizer(key: key)
        let one = Array("user \(Seeds.email) from \(Seeds.ipv4)\n".utf8)
        let two = Array("{\"msg\":\"again \(Seeds.email.uppercased())\",\"ip\":\"\(Seeds.ipv4)\"}\n".utf8)
        let run1 = try redact([("one.log", one), ("two.json", two)], pseudonymizer: p)
        let run2 = try redact([("one.log", one)], pseudonymizer: try Pseudonymizer(key: key))
        let other = try redact([("one.log", one)], pseudonymizer: try Pseudonymizer(key: Array("another key of 16+ bytes".utf8)))
        defer { withExtendedLifetime((run1.dir, run2.dir, other.dir)) {} }
        func tokens(_ path: String) throws -> [String] {
            let s = String(decoding: try read(path), as: UTF8.self)
            var found: [String] = []
            var rest = Substring(s)
            while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
                found.append(String(rest[open...close])); rest = rest[rest.index(after: close)...]
            }
            return found
        }
        let a = try tokens(run1.out + "/one.log"), b = try tokens(run1.out + "/two.json")
        let c = try tokens(run2.out + "/one.log"), d = try tokens(other.out + "/one.log")
        #expect(a.count == 2 && a[0].hasPrefix("<email:") && a[1].hasPrefix("<ipv4:"))
        #expect(a[0].count == "<email:>".count + Pseudonymizer.tokenHexDigits)
        #expect(a == b, "same values in two files (e-mail case differs)")
        #expect(a == c, "same values in two runs")
        #expect(a[0] != d[0] && a[1] != d[1], "another key gives other tokens")
        #expect((try? JSONSerialization.jsonObject(with: Data(try read(run1.out + "/two.json")))) != nil)
        #expect(throws: RedactionError.self) { try Pseudonymizer(key: Array("short".utf8)) }
    }

    @Test func keyFileChecks() throws {
        let d = try TempDirectory()
        let k = try d.write("key", Array(repeating: 7, count: 32))
        chmod(k, 0o644)
        #expect(throws: RedactionError.self) { try Pseudonymizer.loadKey(path: k) }
        chmod(k, 0o600)
        #expect(try Pseudonymizer.loadKey(path: k).count == 32)
        let short = try d.write("short", Array(repeating: 7, count: 8))
        chmod(short, 0o600)
        #expect(throws: RedactionError.self) { try Pseudonymizer.loadKey(path: short) }
    }

    @Test func neverWritesOverAnInput() throws {
        let d = try TempDirectory()
        let input = try d.write("logs/app.log", "mail \(Seeds.email)\n")
        let units = InputDiscovery.discover([d.url("logs").path]).units
        // --out equal to, or inside, an input directory.
        for out in [d.url("logs").path, d.url("logs/redacted").path, d.url("logs").path + "/./x/.."] {
            #expect(throws: RedactionError.self) {
                try Redaction.plan(paths: [d.url("logs").path], units: units, options: RedactionOptions(outDirectory: out))
            }
        }
        // An input inside --out: its output would be the input itself, even with force.
        var force = RedactionOptions(outDirectory: d.url("logs").path)
        force.force = true
        let fileUnits = InputDiscovery.discover([input]).units
        #expect(throws: RedactionError.self) { try Redaction.plan(paths: [input], units: fileUnits, options: force) }
        // An existing output is refused without force, replaced with it.
        try d.write("out/app.log", "old\n")
        let outDir = d.url("out").path
        #expect(throws: RedactionError.self) { try Redaction.plan(paths: [d.url("logs").path], units: units, options: RedactionOptions(outDirectory: outDir)) }
        var replace = RedactionOptions(outDirectory: outDir)
        replace.force = true
        let plan = try Redaction.plan(paths: [d.url("logs").path], units: units, options: replace)
        let summary = Redaction.run(plan, redactor: Redactor(rules: RedactionRules(), pseudonymizer: nil), options: replace)
        #expect(summary.files.first?.out == outDir + "/app.log")
        #expect(try read(outDir + "/app.log") == Array("mail <email>\n".utf8))
        #expect(try read(input) == Array("mail \(Seeds.email)\n".utf8))
        // A symbolic link planted where an output goes is not followed.
        let victim = try d.write("victim.txt", "keep\n")
        try FileManager.default.createDirectory(atPath: d.url("out2").path, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: d.url("out2/app.log").path, withDestinationPath: victim)
        var linked = RedactionOptions(outDirectory: d.url("out2").path)
        linked.force = true
        let linkedPlan = try Redaction.plan(paths: [d.url("logs").path], units: units, options: linked)
        let linkedRun = Redaction.run(linkedPlan, redactor: Redactor(rules: RedactionRules(), pseudonymizer: nil), options: linked)
        #expect(linkedRun.files.first?.out == nil)
        #expect(try read(victim) == Array("keep\n".utf8))
    }

    @Test func severalArgumentsKeepTheirNames() throws {
        let d = try TempDirectory()
        try d.write("a/x.log", "a \(Seeds.email)\n")
        try d.write("b/x.log", "b \(Seeds.email)\n")
        let single = try d.write("c/single.log", "c \(Seeds.ipv4)\n")
        let args = [d.url("a").path, d.url("b").path + "/", single]
        let options = RedactionOptions(outDirectory: d.url("out").path)
        let plan = try Redaction.plan(paths: args, units: InputDiscovery.discover(args).units, options: options)
        #expect(plan.map(\.outPath) == ["a/x.log", "b/x.log", "single.log"].map { d.url("out").path + "/" + $0 })
        let summary = Redaction.run(plan, redactor: Redactor(rules: RedactionRules(), pseudonymizer: nil), options: options)
        #expect(summary.files.map(\.path) == [d.url("a").path + "/x.log", d.url("b").path + "/x.log", single])
        #expect(try read(d.url("out/b/x.log").path) == Array("b <email>\n".utf8))
        // Two inputs that would land on one output are refused.
        let twin = try d.write("d/single.log", "d\n")
        #expect(throws: RedactionError.self) {
            try Redaction.plan(paths: [single, twin], units: InputDiscovery.discover([single, twin]).units, options: options)
        }
    }

    @Test func truncatedGzipIsRedactedAsFarAsItGoesAndReported() throws {
        let (input, _) = text(Self.logfmt)
        let gz = try #require(GzipEncoding.member(input))
        let (out, summary, keep) = try redact([("cut.log.gz", Array(gz.prefix(gz.count - 30)))])
        defer { withExtendedLifetime(keep) {} }
        let file = try #require(summary.files.first)
        #expect(file.issues.contains { $0.reason.contains("ends early") }, "\(file.issues)")
        let written = String(decoding: try decompressed(out + "/cut.log.gz"), as: UTF8.self)
        #expect(!written.contains(Seeds.email) && !written.contains(Seeds.ipv6))
    }

    @Test func dryRunWritesNothing() throws {
        let d = try TempDirectory()
        try d.write("in/a.log", "mail \(Seeds.email) and \(Seeds.ipv4)\n")
        var options = RedactionOptions(outDirectory: d.url("out").path)
        options.dryRun = true
        let units = InputDiscovery.discover([d.url("in").path]).units
        let plan = try Redaction.plan(paths: [d.url("in").path], units: units, options: options)
        let summary = Redaction.run(plan, redactor: Redactor(rules: RedactionRules(), pseudonymizer: nil), options: options)
        #expect(summary.totals[.email] == 1 && summary.totals[.ipv4] == 1)
        #expect(summary.files.first?.out == nil)
        #expect(!FileManager.default.fileExists(atPath: d.url("out").path))
    }

    @Test func overlongLineWrittenEmptyAndCounted() throws {
        let d = try TempDirectory()
        let long = String(repeating: "x", count: 5000) + Seeds.email
        try d.write("in/a.log", "first \(Seeds.email)\n\(long)\nlast\n")
        var options = RedactionOptions(outDirectory: d.url("out").path)
        options.limits.maxLineBytes = 1024
        let units = InputDiscovery.discover([d.url("in").path]).units
        let plan = try Redaction.plan(paths: [d.url("in").path], units: units, options: options)
        let summary = Redaction.run(plan, redactor: Redactor(rules: RedactionRules(), pseudonymizer: nil), options: options)
        #expect(try read(d.url("out/a.log").path) == Array("first <email>\n\nlast\n".utf8))
        #expect(summary.files.first?.lines == 3)
        #expect(summary.files.first?.issues.count == 1)
    }

    /// The rewriter is fed lines of every length the reader's buffer can split.
    @Test(arguments: [64, 100, 1 << 12])
    func smallBuffersGiveTheSameOutput(_ chunk: Int) throws {
        let (input, expected) = text(Self.logfmt + Self.plain + Self.jsonLines, crlf: true)
        let redactor = Redactor(rules: RedactionRules(), pseudonymizer: nil)
        var reader = TerminatedLineReader(source: MemorySource(input), chunkSize: chunk, maxLineBytes: 1 << 20)
        var out: [UInt8] = [], counts = RedactionCounts()
        var rewriter = JSONLineRewriter()
        while let e = try reader.next() {
            guard case .line(let b, let t) = e else { Testing.Issue.record("unexpected \(e)"); continue }
            if !rewriter.rewrite(b, redactor: redactor, into: &out, counts: &counts) { redactor.rewriteText(b, into: &out, counts: &counts) }
            out += t.bytes
        }
        #expect(out == expected)
    }
}

