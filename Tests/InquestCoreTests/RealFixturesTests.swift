import Foundation
import Testing
@testable import InquestCore

/// One row of `../shared/formats/MANIFEST.tsv`: a file written by a real exporter.
struct ManifestEntry: Sendable, CustomTestStringConvertible {
    var path: String
    var kind: String
    var format: String
    var expect: String
    var testDescription: String { path }
    var fullPath: String { TestPaths.shared(path) }
    var name: String { String(path.split(separator: "/").last ?? "") }

    /// The manifest rows, or none when the shared folder is absent.
    static let all: [ManifestEntry] = {
        guard let text = try? String(contentsOfFile: TestPaths.shared("MANIFEST.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return f.count >= 4 ? ManifestEntry(path: f[0], kind: f[1], format: f[2], expect: f[3]) : nil
        }
    }()

    static var good: [ManifestEntry] { all.filter { $0.expect == "ok" } }
    static var bad: [ManifestEntry] { all.filter { $0.expect == "bad" } }

    /// The reader's format name for the manifest's finer one (`json-bunyan` is read as `json`).
    var readerFormat: String {
        switch format {
        case "jaeger-trace", "jaeger-api": "jaeger"
        case "otlp-json": "otlp-traces"
        case "otlp-logs-json": "otlp-logs"
        case "syslog-3164": "syslog"
        case "access-combined": "access"
        case "plain-multiline": "plain"
        case "none": "empty"
        default: format.hasPrefix("json") ? "json" : format
        }
    }
}

/// Every regular file under `folder` of the shared formats, relative to it.
func sharedFiles(under folder: String) -> [String] {
    let root = TestPaths.sharedFormats
    guard let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path) else { return [] }
    var out: [String] = []
    while let rel = walker.nextObject() as? String {
        var isDir: ObjCBool = false
        let full = root.appendingPathComponent(folder).appendingPathComponent(rel).path
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { out.append(folder + "/" + rel) }
    }
    return out.sorted()
}

@Suite("Real exporter files", .enabled(if: TestPaths.hasSharedFormats, "../shared/formats is absent"))
struct RealFixturesTests {
    @Test("every file under logs/, spans/ and bad/ is in the manifest")
    func manifestComplete() {
        let listed = Set(ManifestEntry.all.map(\.path))
        for file in sharedFiles(under: "logs") + sharedFiles(under: "spans") + sharedFiles(under: "bad") {
            #expect(listed.contains(file), "\(file) is not in MANIFEST.tsv")
        }
        #expect(ManifestEntry.good.count >= 20)
    }

    @Test("good files: the kind and format from the manifest, records, none skipped", arguments: ManifestEntry.good)
    func good(entry: ManifestEntry) throws {
        let summary = Inspector.inspect(try singleUnit(entry.fullPath))
        let stats = summary.stats
        #expect(stats.kind == entry.kind)
        #expect(stats.format == entry.readerFormat)
        #expect(!stats.unreadable)
        #expect(stats.records > 0)
        #expect(stats.skipped == 0, "\(stats.errors)")
        #expect(stats.repaired == 0)
        expectBalanced(stats)
        if entry.kind == "spans" { #expect(summary.spans == stats.parsed) }
    }

    @Test("bad files: read without a crash, every record counted, damage located", arguments: ManifestEntry.bad)
    func bad(entry: ManifestEntry) throws {
        let summary = Inspector.inspect(try singleUnit(entry.fullPath))
        let stats = summary.stats
        expectBalanced(stats)
        #expect(stats.kind == entry.kind)
        switch entry.name {
        case "empty.log":
            #expect(stats.records == 0)
            #expect(stats.format == "empty")
        case "invalid_utf8.log":
            #expect(stats.repaired >= 1)
            #expect(stats.errors.contains { $0.line > 0 && $0.reason.contains("UTF-8") })
        default:
            #expect(stats.skipped >= 1)
            #expect(stats.parsed >= 1, "the undamaged records are still read")
            #expect(stats.errors.contains { $0.line > 0 }, "\(stats.errors)")
        }
    }

    @Test("bad files: the skipped records are at the damaged lines")
    func badLines() throws {
        func skippedLines(_ name: String) throws -> [Int] {
            let (_, stats, _) = try readLogs(TestPaths.shared("bad/" + name))
            return stats.errors.map(\.line)
        }
        #expect(try skippedLines("bad_access_log.0") == [2])
        #expect(try skippedLines("bad_syslog.0") == [3])
        #expect(try skippedLines("json_invalid.json") == [5])
        #expect(try skippedLines("invalid_json.json").first == 3)
    }

    @Test("bunyan: numeric levels, name as service")
    func bunyan() throws {
        let r = try readLogs(TestPaths.shared("logs/json/bunyan.log")).records
        try #require(r.count == 10)
        #expect(r[0].level == .debug)
        #expect(r[3].level == .info)
        #expect(r[0].service == "renovate")
        #expect(r[0].time == "2023-03-24T14:26:16.243Z")
        #expect(r[3].message == "Dependency extraction complete")
    }

    @Test("pino: epoch milliseconds, dotted service name, trace IDs")
    func pino() throws {
        let r = try readLogs(TestPaths.shared("logs/json/pino.log")).records
        try #require(r.count == 1)
        #expect(r[0].time == "2025-04-24T22:08:37.537Z")
        #expect(r[0].level == .info)
        #expect(r[0].service == "payment")
        #expect(r[0].traceID == "c759f29f5f1e2162be56f32dd1e77fce")
        #expect(r[0].spanID == "17c4a60ca4297cf1")
        #expect(r[0].message == "Charge request received.")
    }

    @Test("ECS levels including critical")
    func ecs() throws {
        let r = try readLogs(TestPaths.shared("logs/json/ecs.json")).records
        #expect(r.map(\.level) == [.debug, .info, .warn, .error, .fatal])
        #expect(r.first?.time == "2025-01-13T09:58:13.631Z")
    }

    @Test("logfmt from Kubernetes: quoted messages, levels, microsecond times")
    func kube() throws {
        let r = try readLogs(TestPaths.shared("logs/logfmt/kube.log")).records
        try #require(r.count == 5)
        #expect(r.map(\.level) == [.error, .warn, .info, .info, .error])
        #expect(r[0].time == "2021-09-15T21:17:10.220731Z")
        #expect(r[1].message == "Failed to DeletePod in the provider")
        #expect(r[0].field("reason") == "")
    }

    @Test("syslog across a new year")
    func syslogRollover() throws {
        let r = try readLogs(TestPaths.shared("logs/syslog/syslog.1"), syslogYear: 2020).records
        #expect(r.map { $0.time ?? "-" } == ["2020-12-03T09:23:38Z", "2020-12-03T09:23:38Z", "2020-12-03T09:23:38Z", "2021-01-03T09:47:02Z"])
        #expect(r.map { $0.service ?? "-" } == ["automount", "automount", "automount", "sudo"])
    }

    @Test("syslog continuation lines join their record")
    func syslogContinuation() throws {
        let r = try readLogs(TestPaths.shared("logs/syslog/syslog.3")).records
        #expect(r.count == 7)
        #expect(r[2].message.split(separator: "\n").count == 3)
    }

    @Test("access log levels from status")
    func access() throws {
        let r = try readLogs(TestPaths.shared("logs/access/access_log.0")).records
        #expect(r.map(\.level) == [.info, .warn, .info])
        #expect(r[1].message == "GET /vmw/vSphere/default/vmkboot.gz HTTP/1.0 404 46210")
    }

    @Test("zap console: a Go stack joins the error record")
    func zap() throws {
        let r = try readLogs(TestPaths.shared("logs/plain/zap-console.log")).records
        try #require(r.count == 3)
        #expect(r[1].level == .error)
        #expect(r[1].message.contains("exporterhelper/internal.NewQueueSender.func3"))
        #expect(r[1].message.split(separator: "\n").count == 7)
        #expect(r[2].level == .info)
    }

    @Test("CRLF plain text: no CR in messages")
    func crlf() throws {
        let r = try readLogs(TestPaths.shared("logs/plain/crlf.log")).records
        #expect(r.map(\.message) == ["foo bar baz", "foo bar baz"])
        #expect(r.map(\.level) == [.debug, .warn])
    }

    @Test("OTLP logs example: resource service, severity 10, upper-case IDs folded")
    func otlpLogs() throws {
        let r = try readLogs(TestPaths.shared("logs/otlp/logs.json")).records
        try #require(r.count == 1)
        #expect(r[0].service == "my.service")
        #expect(r[0].level == .info)
        #expect(r[0].traceID == "5b8efff798038103d269b633813fc60c")
        #expect(r[0].time == "2018-12-13T14:51:00.300000000Z")
        #expect(r[0].field("array.attribute") == "[many,values]")
    }

    @Test("OTLP trace example and Zipkin skew: parents, kinds, shared IDs")
    func spans() throws {
        let otlp = try readSpans(TestPaths.shared("spans/otlp/trace.json")).spans
        #expect(otlp.map(\.spanID) == ["eee19b7ec3c1b174"])
        #expect(otlp.first?.parentID == "eee19b7ec3c1b173")
        #expect(otlp.first?.kind == .server)
        #expect(otlp.first?.durationNanos == 1_000_000_000)
        let skew = try readSpans(TestPaths.shared("spans/zipkin/skew.json")).spans
        #expect(skew.count == 4)
        #expect(skew.filter { $0.spanID == "74280ae0c10d8062" }.map(\.kind) == [.server, .client])
        let api = try readSpans(TestPaths.shared("spans/jaeger/api-response.json")).spans
        #expect(api.allSatisfy { $0.parentID == "909541b92cf05311" })
    }
}
