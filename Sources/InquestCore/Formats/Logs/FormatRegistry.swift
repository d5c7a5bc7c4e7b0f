#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an input holds, decided from its first bytes.
public enum DetectedFormat: Sendable {
    case logLines(any LineFormat)
    case otlpLogs
    case spans(SpanFormat)
    /// Metric dumps: series of (time, value) points.
    case metrics(MetricFormat)
    case binary
    case empty

    public var name: String {
        switch self {
        case .logLines(let f): return f.name
        case .otlpLogs: return "otlp-logs"
        case .spans(let s): return s.rawValue
        case .metrics(let m): return m.rawValue
        case .binary: return "binary"
        case .empty: return "empty"
        }
    }

    public var isSpans: Bool { if case .spans = self { return true }; return false }
    public var isMetrics: Bool { if case .metrics = self { return true }; return false }
    /// `logs`, `spans` or `metrics`, as `inspect` says.
    public var kind: String { isSpans ? "spans" : isMetrics ? "metrics" : "logs" }
}

/// The metric dump formats.
public enum MetricFormat: String, Sendable, CaseIterable {
    /// A wide CSV/TSV table: a time column, entity columns, a metric per numeric column.
    case table = "metric-table"
    /// Prometheus text exposition and OpenMetrics, with or without timestamps.
    case prometheus = "prometheus"
    /// Prometheus HTTP API results: `query_range` (matrix) and `query` (vector, scalar).
    case prometheusAPI = "prometheus-api"
}

/// The span dump formats.
public enum SpanFormat: String, Sendable, CaseIterable {
    case jaeger = "jaeger"
    case zipkinV2 = "zipkin-v2"
    case zipkinV1 = "zipkin-v1"
    case otlpTraces = "otlp-traces"
    /// CSV/TSV with a header, one span a row.
    case spanTable = "span-table"
}

/// Knows every format and picks one for an input from a sample of its first lines.
public enum FormatRegistry {
    /// Line formats in order of preference when several accept the same lines.
    public static let lineFormats: [any LineFormat] = [
        DockerJSONFormat(), JSONLinesFormat(), CRIFormat(), AccessLogFormat(), SyslogFormat(),
        LogfmtFormat(), PlainTextFormat(),
    ]

    /// Names taken by `--log-format`.
    public static var formatNames: [String] {
        lineFormats.map(\.name) + ["text", "otlp-logs", "log-table"] + SpanFormat.allCases.map(\.rawValue) + MetricFormat.allCases.map(\.rawValue)
    }

    public static func format(named name: String) -> DetectedFormat? {
        if let f = lineFormats.first(where: { $0.name == name }) { return .logLines(f) }
        if name == "text" { return .logLines(TextLinesFormat()) }
        if name == "otlp-logs" { return .otlpLogs }
        if let s = SpanFormat(rawValue: name) { return .spans(s) }
        if let m = MetricFormat(rawValue: name) { return .metrics(m) }
        if name == "log-table" { return .logLines(LogTableFormat(schema: nil)) }
        return nil
    }

    /// Decides the format from the first bytes of an input (up to 64 KiB).
    /// - Parameter columns: `--span-columns` roles for tables.
    public static func detect(head: [UInt8], columns: TableSchema.Overrides = [:]) -> DetectedFormat {
        var start = 0
        if head.count >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF { start = 3 }
        while start < head.count, head[start] == 0x20 || head[start] == 0x0A || head[start] == 0x0D || head[start] == 0x09 { start += 1 }
        if start >= head.count { return .empty }
        if looksBinary(head) { return .binary }
        let first = head[start]
        // Prometheus HTTP API answers: results, or the error a failed query gets.
        if first == 0x7B, contains(head, "\"status\""),
           (contains(head, "\"resultType\"") && contains(head, "\"result\"")) || (contains(head, "\"errorType\"") && contains(head, "\"error\"")) {
            return .metrics(.prometheusAPI)
        }
        if first == 0x7B || first == 0x5B {
            if contains(head, "\"resourceSpans\"") { return .spans(.otlpTraces) }
            if contains(head, "\"resourceLogs\"") { return .otlpLogs }
            if first == 0x7B && contains(head, "\"spans\"") && (contains(head, "\"traceID\"") || contains(head, "\"processes\"")) {
                return .spans(.jaeger)
            }
            if contains(head, "\"traceId\"") && (contains(head, "\"id\"")) && !contains(head, "\"msg\"") && !contains(head, "\"message\"") {
                if contains(head, "\"binaryAnnotations\"") || (contains(head, "\"endpoint\"") && !contains(head, "\"localEndpoint\"")) {
                    return .spans(.zipkinV1)
                }
                return .spans(.zipkinV2)
            }
        }
        if let table = detectTable(head, from: start, columns: columns) { return table }
        if PrometheusTextFormat.looksLike(head) { return .metrics(.prometheus) }
        return .logLines(detectLines(head))
    }

    /// A CSV/TSV table with a header naming span, log or metric columns.
    static func detectTable(_ head: [UInt8], from start: Int, columns: TableSchema.Overrides) -> DetectedFormat? {
        head.withUnsafeBufferPointer { buf -> DetectedFormat? in
            guard let schema = tableSchema(buf, from: start, columns: columns) else {
                // A table's header alone (an export of no rows) holds no record.
                if isLoneHeader(UnsafeBufferPointer(rebasing: buf[start...])) { return .empty }
                return nil
            }
            switch schema.kind {
            case .spans: return .spans(.spanTable)
            case .logs: return .logLines(LogTableFormat(schema: schema))
            case .metrics: return .metrics(.table)
            }
        }
    }

    /// One line of at least two comma- or tab-separated names, and nothing after it.
    static func isLoneHeader(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var end = b.count
        while end > 0, b[end - 1] == 0x0A || b[end - 1] == 0x0D || b[end - 1] == 0x20 { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: b[0..<end])
        guard end > 0, line.index(of: 0x0A, from: 0) == nil else { return false }
        var row = CSVRow(delimiter: line.contains(0x09) ? 0x09 : 0x2C)
        guard row.split(line) == .row, row.count >= 2 else { return false }
        for k in 0..<row.count {
            let cell = row.bytes(k, in: line)
            guard !cell.isEmpty, cell.count <= 80, isLetter(cell[0]) || cell[0] == 0x5F,
                  cell.allSatisfy({ isLetter($0) || ($0 >= 48 && $0 <= 57) || $0 == 0x5F || $0 == 0x2E || $0 == 0x20 || $0 == 0x28 || $0 == 0x29 || $0 == 0x25 })
            else { return false }
        }
        return true
    }

    /// The schema of the table at the start of `buf`, from its header and up to 20 rows
    /// (a row whose quoted field spans lines is joined first).
    static func tableSchema(_ buf: UnsafeBufferPointer<UInt8>, from start: Int = 0, columns: TableSchema.Overrides) -> TableSchema? {
        var lines: [Range<Int>] = []
        var s = start
        var i = start
        while i < buf.count, lines.count < 41 {
            if buf[i] == 0x0A {
                var e = i
                if e > s, buf[e - 1] == 0x0D { e -= 1 }
                lines.append(s..<e)
                s = i + 1
            }
            i += 1
        }
        // The last line of a head cut mid-way is left out, unless it is the whole input.
        if lines.isEmpty, s < buf.count { lines.append(s..<buf.count) }
        guard let header = lines.first else { return nil }
        var rows: [[UInt8]] = []
        var pending: [UInt8]?
        var probe = CSVRow(delimiter: buf[header].contains(0x09) ? 0x09 : 0x2C)
        for r in lines.dropFirst() where rows.count < 20 {
            var row = pending.map { $0 + [0x0A] } ?? []
            row.append(contentsOf: buf[r])
            let open = row.withUnsafeBufferPointer { probe.split($0) == .openQuote }
            if open, row.count < 1 << 16 { pending = row; continue }
            pending = nil
            rows.append(row)
        }
        return withBuffers(rows) { sample in
            let head = UnsafeBufferPointer(rebasing: buf[header])
            guard var schema = TableSchema.detect(header: head, rows: sample, overrides: columns) else { return nil }
            if schema.kind == .metrics {
                schema.metricColumns = MetricTableFormat.metricColumns(schema, rows: sample)
                if schema.metricColumns.isEmpty { return nil }
            }
            return schema
        }
    }

    /// Lends `arrays` as buffers to `body`.
    static func withBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeBufferPointer<UInt8>]) -> R) -> R {
        var lent: [UnsafeBufferPointer<UInt8>] = []
        func lend(_ k: Int) -> R {
            if k == arrays.count { return body(lent) }
            return arrays[k].withUnsafeBufferPointer { b in
                lent.append(b)
                return lend(k + 1)
            }
        }
        return lend(0)
    }

    /// The first `limit` lines of `head` (without a trailing CR), as ranges.
    static func lineRanges(_ head: UnsafeBufferPointer<UInt8>, limit: Int = 64) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var s = 0
        for i in head.indices where head[i] == 0x0A {
            lines.append(s..<(i > s && head[i - 1] == 0x0D ? i - 1 : i))
            s = i + 1
            if lines.count >= limit { return lines }
        }
        if s < head.count { lines.append(s..<head.count) }
        return lines
    }

    /// The non-blank lines among the first `limit` of `head`.
    static func sample(_ head: UnsafeBufferPointer<UInt8>, limit: Int = 64) -> [UnsafeBufferPointer<UInt8>] {
        lineRanges(head, limit: limit).map { UnsafeBufferPointer(rebasing: head[$0]) }.filter { !$0.isBlank() }
    }

    /// Tries each line format on the first lines and keeps the one that reads most.
    ///
    /// Plain text reads any line with a time in it, so it learns its layout from the
    /// whole sample, and a format that also finds its own time at the start of a line
    /// (syslog, access log, CRI) keeps the file when it reads two lines in three of
    /// what plain text reads: its hosts, tags and requests are worth more.
    static func detectLines(_ head: [UInt8], defaultOffset: Int64 = 0) -> any LineFormat {
        var best: (any LineFormat)? = nil
        var bestCount = 0
        head.withUnsafeBufferPointer { buf in
            let sample = Self.sample(buf)
            var timed: (any LineFormat, Int)? = nil
            for f in lineFormats {
                var format = f
                let c: Int
                if f is PlainTextFormat {
                    let layout = PlainLayout.learn(sample, defaultOffset: defaultOffset)
                    format = PlainTextFormat(layout: layout)
                    c = layout?.matched ?? 0
                } else {
                    c = sample.reduce(0) { $0 + (f.accepts($1) ? 1 : 0) }
                }
                if f is SyslogFormat || f is AccessLogFormat || f is CRIFormat, c > (timed?.1 ?? 0) { timed = (f, c) }
                if c > bestCount { best = format; bestCount = c }
            }
            if best is PlainTextFormat, let (f, c) = timed, c * 3 >= bestCount * 2 { best = f; bestCount = c }
            // logfmt accepts any line with a key=value in it: free text that only
            // sometimes carries pairs must stay text, or its other lines are lost.
            if best is LogfmtFormat, bestCount * 10 < sample.count * 8 { best = nil }
        }
        return best ?? TextLinesFormat()
    }

    static func contains(_ h: [UInt8], _ s: StaticString) -> Bool {
        s.utf8CodeUnitCount > 0 && h.withUnsafeBufferPointer { hb in
            guard let base = hb.baseAddress else { return false }
            return ByteSearch.contains(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount), in: base, count: hb.count)
        }
    }

    /// NUL bytes, or mostly control bytes, in the first 4 KiB: not a text log.
    static func looksBinary(_ h: [UInt8]) -> Bool {
        let n = min(h.count, 4096)
        var control = 0
        for i in 0..<n {
            let c = h[i]
            if c == 0 { return true }
            if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D && c != 0x1B && c != 0x0C && c != 0x08 { control += 1 }
        }
        return n > 0 && control * 10 > n
    }
}
