import Foundation
import Testing
@testable import InquestCore

/// CSV/TSV tables: splitting rows, mapping columns by name, and span and log tables read
/// as spans and records.
@Suite("Tables")
struct TableFormatTests {
    func split(_ s: String, _ d: Character = ",") -> (CSVRow.Split, [String]) {
        var bytes = Array(s.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            let line = UnsafeBufferPointer(b)
            var row = CSVRow(delimiter: d.asciiValue ?? 0x2C)
            let r = row.split(line)
            return (r, r == .row ? (0..<row.count).map { row.string($0, in: line) } : [])
        }
    }

    @Test func csvQuotingAsRFC4180() {
        #expect(split("a,b,c").1 == ["a", "b", "c"])
        #expect(split("a,,c,").1 == ["a", "", "c", ""])
        #expect(split("\"x,y\",\"say \"\"hi\"\"\",z").1 == ["x,y", "say \"hi\"", "z"])
        #expect(split("\"\"").1 == [""])
        #expect(split("a\tb\t\"c\td\"", "\t").1 == ["a", "b", "c\td"])
        #expect(split("\"open,field").0 == .openQuote)
        if case .bad = split("\"a\"b,c").0 {} else { Testing.Issue.record("text after a closing quote is damage") }
    }

    @Test(arguments: [
        ("cartservice-579f59597d-wc2lz", "cartservice"),
        ("api-gateway-7d9c8b6f54-x2kqz", "api-gateway"),
        ("node-exporter-b2x7k", "node-exporter"),  // DaemonSet: one suffix
        ("kafka-0", "kafka-0"),                      // StatefulSet ordinal kept
        ("payment", "payment"),
        ("my-house-a1b2c", "my-house-a1b2c"),        // vowels: not a generated suffix
    ])
    func podNamesLoseTheirGeneratedSuffixes(pod: String, service: String) {
        #expect(PodName.service(pod) == service)
    }

    @Test func columnNamesFoldCaseSeparatorsAndUnits() {
        let c = TableSchema.fold("CpuUsage(m)")
        #expect(c.key == "cpuusage" && c.unit == "m")
        #expect(TableSchema.fold("parent_span.id").key == "parentspanid")
        #expect(TableSchema.fold("Duration [ms]").unit == "ms")
        #expect(TableValues.unit(of: TableSchema.fold("StartTimeUnixNano")) == 1)
        #expect(TableValues.unit(of: TableSchema.fold("Duration(ms)")) == 1_000_000)
        #expect(TableValues.unit(of: TableSchema.fold("duration")) == nil)
    }

    @Test func goTimeTextAndEpochNumbers() throws {
        func t(_ s: String, _ unit: Int64? = nil) -> Timestamp? {
            var s = s
            return s.withUTF8 { TableValues.time($0, unitHint: unit, parser: TimestampParser()) }
        }
        let go = try #require(t("2022-08-23 14:00:28.66 +0000 UTC m=+7260.64"))
        #expect(go.rfc3339() == "2022-08-23T14:00:28.660Z")
        let zoned = try #require(t("2022-08-23 16:00:28 +0200 CEST"))
        #expect(zoned.rfc3339() == "2022-08-23T14:00:28Z")
        #expect(t("1661140374351773094")?.nanos == 1_661_140_374_351_773_094)
        #expect(t("1661140374351", nil)?.rfc3339() == "2022-08-22T03:52:54.351Z")
        #expect(t("1661140374", 1_000_000_000)?.rfc3339() == "2022-08-22T03:52:54Z")
        #expect(t("2022-08-23T14:00:28Z")?.rfc3339() == "2022-08-23T14:00:28Z")
        #expect(t("yesterday") == nil)
    }

    static let spanTable = #"""
        TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration,http.status
        aa01,s1,root,web-6d4cf56db6-x9k2p,GET /,1700000000000000000,1700000000200000000,200000,200
        aa01,s2,s1,cart-7b8c9d6f54-zxcvb,GetCart,1700000000010000000,1700000000050000000,40000,
        aa01,s3,s1,cart-7b8c9d6f54-zxcvb,"Get, ""quoted""",1700000000060000000,1700000000070000000,10000,
        bb02,t1,-1,web-6d4cf56db6-x9k2p,GET /x,1700000001000000000,1700000001100000000,100000,500
        bb02,t2,t1,web-6d4cf56db6-x9k2p,bad,not-a-time,1700000001100000000,100000,
        bb02,t3,t1,web-6d4cf56db6-x9k2p,short row

        """#

    func read(_ text: String, name: String = "spans.csv", columns: TableSchema.Overrides = [:]) throws -> SpanReader.Result {
        var limits = InputLimits()
        limits.tableColumns = columns
        return try SpanReader.read(unit: .memory(Array(text.utf8), name: name, limits: limits))
    }

    @Test func spanTableReadByColumnNames() throws {
        let r = try read(Self.spanTable)
        #expect(r.stats.kind == "spans" && r.stats.format == "span-table")
        #expect(r.stats.records == 6 && r.stats.parsed == 4 && r.stats.skipped == 2)
        #expect(r.stats.errors.map(\.line) == [6, 7])
        #expect(r.stats.errors[0].reason.contains("StartTimeUnixNano: 'not-a-time' is not a time"))
        #expect(r.stats.errors[1].reason == "row has 5 columns, the header 9")
        let root = try #require(r.spans.first)
        #expect(root.parentID == nil && root.service == "web" && root.operation == "GET /")
        #expect(root.resource.contains(LogRecord.Field("k8s.pod.name", "web-6d4cf56db6-x9k2p")))
        #expect(root.durationNanos == 200_000_000 && root.attribute("http.status") == "200")
        #expect(r.spans[1].parentID == "s1" && r.spans[1].service == "cart")
        #expect(r.spans[2].operation == "Get, \"quoted\"")
        #expect(r.spans[3].parentID == nil)
        #expect(r.stats.columns?.contains("pod=PodName") == true)
    }

    @Test func spanTableDurationOnlyStatusAndOverrides() throws {
        let tsv = "trace\tid\tparent\tsvc\tname\tts\tdur_ms\tfailed\n"
            + "T1\tA\t\tfront\troot op\t2024-05-01T10:00:00Z\t12.5\tfalse\n"
            + "T1\tB\tA\tback\tcall\t2024-05-01T10:00:00.002Z\t3\ttrue\n"
        // `id`, `svc`, `dur_ms` and `failed` are not names Inquest knows: say which is which.
        let r = try read(tsv, name: "x.tsv", columns: ["span": "id", "service": "svc", "duration": "dur_ms", "status": "failed", "start": "ts", "operation": "name"])
        #expect(r.stats.skipped == 0 && r.spans.count == 2, "\(r.stats.errors)")
        #expect(r.spans[0].durationNanos == 12_500_000)
        #expect(r.spans[1].status == .error && r.spans[0].status != .error)
        #expect(r.spans[1].service == "back" && r.spans[1].parentID == "a")
    }

    @Test func spanTableGzippedAndSplitAcrossLines() throws {
        let multi = "TraceID,SpanID,ParentID,ServiceName,Name,StartTime,Duration,Note\n"
            + "c1,d1,,svc,op,1700000000000000,5,\"line one\nline two\"\n"
            + "c1,d2,d1,svc,op2,1700000000000001,5,\"never closed\n"
        let r = try SpanReader.read(unit: .memory(gzipped(multi), name: "m.csv.gz"))
        #expect(r.stats.compression == .gzip)
        #expect(r.spans.count == 1 && r.spans[0].attribute("Note") == "line one\nline two")
        #expect(r.stats.skipped == 1 && r.stats.errors.first?.line == 4)
        #expect(r.stats.records == r.stats.parsed + r.stats.skipped)
    }

    @Test func logTableWithDockerLinesInside() throws {
        let csv = #"""
            Timestamp,TimeUnixNano,PodName,TraceID,SpanID,Log
            2024-05-01T10:00:00.5Z,1714557600500000000,shop-5f6585d649-fnmft,ab12,cd34,"{""log"":""{\""severity\"":\""ERROR\"",\""message\"":\""charge failed\""}\n"",""stream"":""stderr"",""time"":""2024-05-01T10:00:00.6Z""}"
            2024-05-01T10:00:01Z,1714557601000000000,shop-5f6585d649-fnmft,,,"10:00:01.000 WARN  - slow query"
            2024-05-01T10:00:02Z,1714557602000000000,shop-5f6585d649-fnmft,,,plain words
            not a time,1,shop-5f6585d649-fnmft,,,x

            """#
        let reader = try LogReader(unit: .memory(Array(csv.utf8), name: "logs.csv"))
        var records: [LogRecord] = []
        while let r = reader.next() { records.append(r) }
        #expect(reader.stats.kind == "logs" && reader.stats.format == "log-table")
        #expect(reader.stats.records == 4 && reader.stats.parsed == 3 && reader.stats.skipped == 1)
        #expect(reader.stats.errors.first?.line == 5)
        try #require(records.count == 3)
        #expect(records[0].level == .error && records[0].message == "charge failed")
        #expect(records[0].service == "shop" && records[0].traceID == "ab12" && records[0].spanID == "cd34")
        #expect(records[0].timestamp?.rfc3339() == "2024-05-01T10:00:00.500Z")
        #expect(records[0].fields.contains(LogRecord.Field("stream", "stderr")))
        #expect(records[1].level == .warn)
        #expect(records[2].message == "plain words" && records[2].traceID == nil)
    }

    @Test func notTablesStayWhatTheyWere() {
        for text in ["2024-05-01 12:00:00,123 ERROR [main] Foo: bar, baz\n2024-05-01 12:00:01,123 INFO x\n",
                     "level=info msg=\"a, b\" time=2024-05-01T12:00:00Z\n",
                     "{\"time\": \"2024-05-01T12:00:00Z\", \"msg\": \"a,b\"}\n"] {
            let f = FormatRegistry.detect(head: Array(text.utf8))
            #expect(!f.isSpans && !f.isMetrics && f.name != "log-table", "\(text)")
        }
        // A header alone holds no record.
        #expect(FormatRegistry.detect(head: Array("Source,Target,Weight\n".utf8)).name == "empty")
    }
}

