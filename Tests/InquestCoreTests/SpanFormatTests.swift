import Testing
@testable import InquestCore

/// Reads a project fixture under `Fixtures/spans`, checking the detected format and the accounting.
func fixtureSpans(_ name: String, format: String, skipped: Int = 0) throws -> (spans: [Span], stats: InputStats) {
    let result = try readSpans(TestPaths.fixture("spans/" + name))
    #expect(result.stats.kind == "spans")
    #expect(result.stats.format == format, "\(name) detected as \(result.stats.format)")
    #expect(result.stats.skipped == skipped, "\(name): \(result.stats.errors)")
    #expect(result.stats.parsed == result.spans.count)
    expectBalanced(result.stats)
    return (result.spans, result.stats)
}

extension Span {
    var startTime: String { start.rfc3339() }
    var durationMillis: Double { Double(durationNanos) / 1e6 }
}

@Suite("Span format: Jaeger")
struct JaegerFormatTests {
    @Test("UI download: processes, CHILD_OF parent, FOLLOWS_FROM link, error tag, logs as events")
    func uiDownload() throws {
        let (s, _) = try fixtureSpans("jaeger-follows-from.json", format: "jaeger")
        try #require(s.count == 3)
        let trace = "7b1c4d2a9e8f3a60b5c2d1e0f9a8b7c6"
        #expect(s.allSatisfy { $0.traceID == trace })
        #expect(s.map(\.spanID) == ["a1b2c3d4e5f60718", "0000000000000b0b", "c0ffee0000000001"])
        #expect(s.map(\.service) == ["orders", "orders", "notifier"])
        #expect(s.map(\.kind) == [.server, .client, .consumer])
        #expect(s.map(\.location.line) == [4, 18, 36])

        #expect(s[0].parentID == nil)
        #expect(s[0].operation == "POST /orders")
        #expect(s[0].startTime == "2024-05-01T12:00:00.000000Z")
        #expect(s[0].durationNanos == 250_000_000)
        #expect(s[0].status == .unset)
        #expect(s[0].attribute("http.status_code") == "201")

        #expect(s[1].parentID == "a1b2c3d4e5f60718")
        #expect(s[1].status == .error)
        #expect(s[1].events.map(\.name) == ["error"])
        #expect(s[1].events.first?.time.rfc3339() == "2024-05-01T12:00:00.049000Z")
        #expect(s[1].events.first?.attributes.contains(.init("message", "out of stock")) == true)

        #expect(s[2].parentID == nil, "FOLLOWS_FROM is not a parent")
        #expect(s[2].links == [Span.Reference(type: .followsFrom, traceID: trace, spanID: "a1b2c3d4e5f60718")])
    }

    @Test("query API response: several traces under data, 64- and 128-bit IDs, OTel status tags")
    func apiResponse() throws {
        let (s, _) = try fixtureSpans("jaeger-api.json", format: "jaeger")
        try #require(s.count == 3)
        #expect(s[0].traceID == "1a2b3c4d5e6f7081", "a zero high half is dropped so 64- and 128-bit spellings agree")
        #expect(s[0].service == "gateway")
        #expect(s[0].durationNanos == 1_200_000)
        #expect(s[1].traceID == "2c3d4e5f60718293")
        #expect(s[1].status == .error)
        #expect(s[1].statusMessage == "index unavailable")
        #expect(s[2].parentID == "2c3d4e5f60718293")
        #expect(s[2].service == "search-db-client")
        #expect(s[2].kind == .client)
    }

    @Test("a document cut mid-span gives the spans before the cut and counts the cut one skipped")
    func truncated() throws {
        let (s, stats) = try fixtureSpans("jaeger-truncated.json", format: "jaeger", skipped: 1)
        #expect(s.map(\.spanID) == ["5d2f8a1b3c4e6f70", "6e3f9b2c4d5f7081"])
        #expect(s[1].parentID == "5d2f8a1b3c4e6f70")
        #expect(stats.records == 3)
        #expect(stats.errors.contains { $0.line == 24 && $0.reason.contains("cut off") }, "\(stats.errors)")
    }
}

@Suite("Span format: Zipkin")
struct ZipkinFormatTests {
    @Test("v2 array: kinds, shared server half, remote endpoint, tags, annotations")
    func v2Array() throws {
        let (s, _) = try fixtureSpans("zipkin-v2.json", format: "zipkin-v2")
        try #require(s.count == 3)
        #expect(s.map(\.kind) == [.server, .client, .server])
        #expect(s.map(\.service) == ["frontend", "frontend", "backend"])
        #expect(s.map(\.location.line) == [2, 12, 24])
        #expect(s[0].traceID == "1e223ff1f80f1c69")
        #expect(s[0].parentID == nil)
        #expect(s[0].startTime == "2024-05-01T12:00:00.000000Z")
        #expect(s[0].durationNanos == 99_411_000)
        #expect(s[0].attribute("http.path") == "/api")
        #expect(s[1].spanID == s[2].spanID, "client and server share the span ID")
        #expect(s[1].remoteService == "backend")
        #expect(s[1].attribute("peer.service") == "backend")
        #expect(s[1].events.map(\.name) == ["wire send"])
        #expect(!s[1].shared)
        #expect(s[2].shared)
        #expect(s[2].status == .error)
        #expect(s[2].statusMessage == "timeout talking to db")
    }

    @Test("v2 one span a line: 128-bit trace IDs, lines kept, blank lines ignored")
    func v2Lines() throws {
        let (s, _) = try fixtureSpans("zipkin-v2-lines.json", format: "zipkin-v2")
        try #require(s.count == 3)
        #expect(s.allSatisfy { $0.traceID == "463ac35c9f6413ad48485a3953bb6124" })
        #expect(s.map(\.location.line) == [1, 2, 4])
        #expect(s[0].status == .error)
        #expect(s[0].statusMessage == "Internal Server Error")
        #expect(s[1].parentID == "a2fb4a1d1a96d312")
        #expect(s[1].remoteService == "payment")
        #expect(s[1].durationMillis == 90)
        #expect(s[2].service == "payment")
        #expect(s[2].parentID == "0020000000000001")
    }

    @Test("v1: client and server annotations become two spans sharing an ID")
    func v1() throws {
        let (s, _) = try fixtureSpans("zipkin-v1.json", format: "zipkin-v1")
        try #require(s.count == 3)
        let (client, server, query) = (s[0], s[1], s[2])
        #expect(client.spanID == "6b221d5bc9e6496c")
        #expect(server.spanID == client.spanID)
        #expect(client.kind == .client)
        #expect(client.service == "frontend")
        #expect(client.remoteService == "backend")
        #expect(client.startTime == "2024-05-01T12:00:00.000000Z")
        #expect(client.durationMillis == 250)
        #expect(client.attribute("http.path") == "/api")
        #expect(server.kind == .server)
        #expect(server.shared)
        #expect(server.service == "backend")
        #expect(server.startTime == "2024-05-01T12:00:00.010000Z")
        #expect(server.durationMillis == 230)
        #expect(query.parentID == "6b221d5bc9e6496c")
        #expect(query.kind == .client)
        #expect(query.service == "backend")
        #expect(query.status == .error)
        #expect(query.statusMessage == "deadlock detected")
        #expect(query.durationMillis == 200)
    }

    @Test("a span without a traceId is counted skipped with its line; the others are read")
    func brokenSpan() throws {
        let (s, stats) = try fixtureSpans("broken-span.json", format: "zipkin-v2", skipped: 1)
        #expect(s.map(\.spanID) == ["bb00000000000001", "bb00000000000003"])
        #expect(stats.records == 3)
        let error = try #require(stats.errors.first)
        #expect(error.line == 10)
        #expect(error.reason.contains("traceId"))
    }
}

@Suite("Span format: OTLP JSON")
struct OTLPTracesFormatTests {
    @Test("request document: resource services, numeric and named kinds, status, events, links")
    func requestDocument() throws {
        let (s, _) = try fixtureSpans("otlp-traces.json", format: "otlp-traces")
        try #require(s.count == 3)
        let trace = "5b8efff798038103d269b633813fc60c"
        #expect(s.allSatisfy { $0.traceID == trace }, "hex IDs are lower-cased")
        #expect(s.map(\.service) == ["checkout", "checkout", "worker"])
        #expect(s.map(\.kind) == [.server, .client, .consumer])
        #expect(s.map(\.status) == [.error, .error, .ok])
        #expect(s[0].spanID == "eee19b7ec3c1b174")
        #expect(s[0].parentID == nil, "an empty parentSpanId is a root")
        #expect(s[0].startTime == "2024-05-01T12:00:00.000000000Z")
        #expect(s[0].durationNanos == 750_000_000)
        #expect(s[0].statusMessage == "payment failed")
        #expect(s[0].attribute("http.response.status_code") == "502")
        #expect(s[0].location.line == 14)
        #expect(s[1].parentID == "eee19b7ec3c1b174")
        #expect(s[1].events.map(\.name) == ["exception"])
        #expect(s[1].events.first?.attributes == [.init("exception.type", "TimeoutError")])
        #expect(s[1].links == [Span.Reference(type: .link, traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331")])
        #expect(s[2].durationNanos == 100_000_000)
    }

    @Test("collector file exporter: one request a line")
    func fileExporter() throws {
        let (s, _) = try fixtureSpans("otlp-file-exporter.jsonl", format: "otlp-traces")
        try #require(s.count == 3)
        #expect(s.map(\.service) == ["frontend", "cart", "cart"])
        #expect(s.map(\.kind) == [.server, .server, .client])
        #expect(s.map(\.location.line) == [1, 2, 2])
        #expect(s.map(\.parentID) == [nil, "b7ad6b7169203331", "c8be7c8270314442"])
        #expect(s.map(\.durationNanos) == [40_000_000, 25_000_000, 1_500_000])
    }

    @Test("base64 IDs, as protobuf's JSON mapping writes them, become hex")
    func base64IDs() throws {
        let (s, _) = try fixtureSpans("otlp-base64-ids.json", format: "otlp-traces")
        try #require(s.count == 1)
        #expect(s[0].traceID == "5b8efff798038103d269b633813fc60c")
        #expect(s[0].spanID == "eee19b7ec3c1b174")
        #expect(s[0].parentID == "00f067aa0ba902b7")
        #expect(s[0].kind == .internal)
        #expect(s[0].service == "ledger")
    }
}

@Suite("Span inputs in inspect")
struct SpanInspectionTests {
    @Test("inspect counts spans, traces and services, and the time range of a dump")
    func summary() throws {
        let summary = Inspector.inspect(try singleUnit(TestPaths.fixture("spans/otlp-traces.json")))
        #expect(summary.stats.kind == "spans")
        #expect(summary.spans == 3)
        #expect(summary.traces == 1)
        #expect(summary.services.map(\.name) == ["checkout", "worker"])
        #expect(summary.first?.rfc3339() == "2024-05-01T12:00:00.000000000Z")
        #expect(summary.last?.rfc3339() == "2024-05-01T12:00:00.900000000Z")
    }

    @Test("IDs are normalised: case folded, zero high half dropped, non-hex kept")
    func ids() {
        #expect(normalizeID("ABCDEF0123456789") == "abcdef0123456789")
        #expect(normalizeID("0000000000000000ABCDEF0123456789") == "abcdef0123456789")
        #expect(normalizeID("1000000000000000abcdef0123456789") == "1000000000000000abcdef0123456789")
        #expect(normalizeID("not-hex-ID") == "not-hex-ID")
    }

    /// The normal form made without copies agrees with the plain definition, from a
    /// `String` and from bytes, on IDs of every shape.
    @Test func idsNormalisedInPlaceAgreeWithTheDefinition() {
        func reference(_ s: String) -> String {
            var u = Array(s.utf8)
            var allHex = !u.isEmpty
            for i in u.indices {
                let c = u[i]
                if c >= 65 && c <= 70 { u[i] = c | 0x20 } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) { allHex = false }
            }
            guard allHex else { return s }
            if u.count == 32, u[0..<16].allSatisfy({ $0 == 48 }) { u.removeFirst(16) }
            return String(decoding: u, as: UTF8.self)
        }
        var state: UInt64 = 7
        let alphabet = Array("0000000000aAbBcCfF9g-".utf8)
        for _ in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let n = [0, 1, 8, 16, 31, 32, 33][Int(state >> 60) % 7]
            var bytes: [UInt8] = []
            for k in 0..<n {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                // Mostly zeros up front, to reach the all-zero high half.
                bytes.append(k < 16 && state >> 63 == 0 ? 48 : alphabet[Int(state >> 40) % alphabet.count])
            }
            let s = String(decoding: bytes, as: UTF8.self)
            #expect(normalizeID(s) == reference(s), "\(s)")
            #expect(bytes.withUnsafeBufferPointer { normalizeID(bytes: $0) } == reference(s), "\(s)")
        }
    }
}
