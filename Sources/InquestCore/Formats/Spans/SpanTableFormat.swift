#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Span tables: CSV or TSV with a header, one span a row, as tracing back ends built on
/// ClickHouse, BigQuery or Elasticsearch export them and as research data sets of
/// microservice incidents ship them.
///
/// Columns are mapped by name (`TableSchema`): trace, span and parent IDs (`root`, empty,
/// `-1` and `0` mean no parent), service (or a Kubernetes pod name, whose workload is the
/// service; the pod is kept as `k8s.pod.name`), operation, start (unit from the column
/// name, else from the magnitude, or an RFC 3339 time), end or duration (µs unless the
/// name says otherwise), status, kind. Other columns become attributes. Rows are read
/// one at a time from the stream; a damaged row is skipped with its line and reason.
enum SpanTableFormat {
    /// Reads every row after the header into spans.
    static func read(_ lines: inout LineReader, schema: TableSchema, path: String, detail: SpanDetail,
                     into spans: inout [Span], bad: inout [Issue], issues: inout [Issue]) {
        var reader = Rows(schema: schema, path: path, detail: detail)
        TableRows.forEach(&lines, schema: schema, maxRowBytes: 16 << 20, issues: &issues) { event in
            switch event {
            case .row(let line, let number, let row):
                if let reason = reader.append(line, row: row, number: number, to: &spans) {
                    bad.append(Issue(line: number, reason: reason))
                }
            case .bad(let number, let reason):
                bad.append(Issue(line: number, reason: reason))
            }
        }
    }

    /// Turns rows into spans with one schema; interns repeated names.
    struct Rows {
        let schema: TableSchema
        let path: String
        let detail: SpanDetail
        var interner = Interner()
        let trace: Int, span: Int
        let parent: Int?, service: Int?, pod: Int?, operation: Int?, start: Int?, end: Int?, duration: Int?
        let status: Int?, statusMessage: Int?, kind: Int?
        let startUnit: Int64?, endUnit: Int64?, durationUnit: Int64
        /// Columns kept as attributes, with their names.
        let attributeColumns: [(Int, String)]
        var podNames: [String: String] = [:]
        let parser = TimestampParser()

        init(schema: TableSchema, path: String, detail: SpanDetail) {
            self.schema = schema
            self.path = path
            self.detail = detail
            let r = schema.roles
            trace = r[.trace] ?? 0
            span = r[.span] ?? 0
            parent = r[.parent]; service = r[.service]; pod = r[.pod]; operation = r[.operation]
            start = r[.start]; end = r[.end]; duration = r[.duration]
            status = r[.status]; statusMessage = r[.statusMessage]; kind = r[.kind]
            startUnit = start.flatMap { TableValues.unit(of: schema.columns[$0]) }
            endUnit = end.flatMap { TableValues.unit(of: schema.columns[$0]) }
            durationUnit = duration.flatMap { TableValues.unit(of: schema.columns[$0]) } ?? 1000
            let mapped = Set(r.values)
            attributeColumns = schema.columns.indices.filter { !mapped.contains($0) }.map { ($0, schema.columns[$0].name) }
        }

        /// Appends the row's span to `spans`; the reason when the row is damaged.
        mutating func append(_ line: UnsafeBufferPointer<UInt8>, row: CSVRow, number: Int, to spans: inout [Span]) -> String? {
            switch span(line, row: row, number: number) {
            case .success(let s): spans.append(s); return nil
            case .failure(let e): return e.message
            }
        }

        mutating func span(_ line: UnsafeBufferPointer<UInt8>, row: CSVRow, number: Int) -> Result<Span, TableError> {
            let traceBytes = row.bytes(trace, in: line)
            let spanBytes = row.bytes(span, in: line)
            guard !traceBytes.isBlank(), !spanBytes.isBlank() else { return .failure(TableError("row without a trace ID or a span ID")) }
            var s = Span(traceID: interner.id(trimmed(traceBytes)), spanID: idString(trimmed(spanBytes)),
                         location: SourceLocation(path: path, line: number))
            if let p = parent {
                let b = trimmed(row.bytes(p, in: line))
                if !Self.isNoParent(b) { s.parentID = idString(b) }
            }
            if let c = service, !row.bytes(c, in: line).isBlank() {
                s.service = row.withUnescaped(c, in: line) { interner.intern(bytes: trimmed($0)) }
            } else if let c = pod, !row.bytes(c, in: line).isBlank() {
                let name = interner.intern(bytes: trimmed(row.bytes(c, in: line)))
                if let known = podNames[name] { s.service = known } else {
                    let svc = interner.intern(PodName.service(name))
                    podNames[name] = svc
                    s.service = svc
                }
            }
            if let c = pod, detail != .minimal, !row.bytes(c, in: line).isBlank() {
                s.resource.append(LogRecord.Field("k8s.pod.name", interner.intern(bytes: trimmed(row.bytes(c, in: line)))))
            }
            if let c = operation { s.operation = row.withUnescaped(c, in: line) { interner.intern(bytes: trimmed($0)) } }
            switch times(line, row: row) {
            case .success(let (start, duration)): s.start = start; s.durationNanos = duration
            case .failure(let e): return .failure(e)
            }
            if let c = status { s.status = Self.status(trimmed(row.bytes(c, in: line))) }
            if let c = statusMessage, !row.bytes(c, in: line).isBlank() { s.statusMessage = row.string(c, in: line) }
            if let c = kind { s.kind = Self.kind(trimmed(row.bytes(c, in: line))) }
            if detail == .full {
                for (c, name) in attributeColumns where !row.bytes(c, in: line).isBlank() {
                    s.attributes.append(LogRecord.Field(name, row.string(c, in: line)))
                }
            }
            return .success(s)
        }

        /// A row's start and duration (zero and zero without the columns), or why they cannot be read.
        func times(_ line: UnsafeBufferPointer<UInt8>, row: CSVRow) -> Result<(Timestamp, Int64), TableError> {
            var startTime = Timestamp(nanos: 0)
            var durationNanos: Int64 = 0
            if let c = start {
                let b = row.bytes(c, in: line)
                guard let t = TableValues.time(b, unitHint: startUnit, parser: parser) else {
                    return .failure(TableError("\(schema.columns[c].name): '\(cellText(b))' is not a time"))
                }
                startTime = t
            }
            if let c = end, !row.bytes(c, in: line).isBlank(), start != nil {
                let b = row.bytes(c, in: line)
                guard let t = TableValues.time(b, unitHint: endUnit, parser: parser) else {
                    return .failure(TableError("\(schema.columns[c].name): '\(cellText(b))' is not a time"))
                }
                durationNanos = max(0, Timestamp.distance(startTime, t))
            } else if let c = duration {
                let b = trimmed(row.bytes(c, in: line))
                guard let d = TableValues.double(b), !d.isNaN || b.isEmpty else {
                    return .failure(TableError("\(schema.columns[c].name): '\(cellText(b))' is not a number"))
                }
                let nanos = d.isNaN ? 0 : d * Double(durationUnit)
                guard nanos.isFinite, abs(nanos) < 9e18 else { return .failure(TableError("\(schema.columns[c].name): duration out of range")) }
                durationNanos = max(0, Int64(nanos))
            }
            return .success((startTime, durationNanos))
        }

        static func isNoParent(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            if b.isEmpty { return true }
            if b.allSatisfy({ $0 == 0x30 }) { return true }
            // An ID is longer than any of these words: no String made for it.
            guard b.count <= 4 else { return false }
            switch lowerWord(b) {
            case "root", "-1", "null", "none", "nil", "-": return true
            default: return false
            }
        }

        /// `true`/`1`/`error`/`STATUS_CODE_ERROR`/`2` (OTLP's code), or an HTTP status ≥ 500.
        static func status(_ b: UnsafeBufferPointer<UInt8>) -> Span.Status {
            if b.isEmpty { return .unset }
            if let n = TableValues.integer(b) {
                if n >= 100 { return n >= 500 ? .error : .ok }
                return n == 2 ? .error : n == 1 ? .ok : .unset
            }
            let w = lowerWord(b)
            switch w {
            case "true", "yes", "error", "status_code_error", "failed", "failure", "fail", "t": return .error
            case "ok", "status_code_ok", "success": return .ok
            default: return .unset
            }
        }

        static func kind(_ b: UnsafeBufferPointer<UInt8>) -> Span.Kind {
            if let n = TableValues.integer(b) {
                return [.unspecified, .internal, .server, .client, .producer, .consumer][Int(max(0, min(5, n)))]
            }
            var w = lowerWord(b)
            if w.hasPrefix("span_kind_") { w.removeFirst(10) }
            return Span.Kind(rawValue: w) ?? .unspecified
        }
    }
}

extension SpanTableFormat {
    /// How many spans each trace ID has among a table's rows, without making the spans:
    /// all `traces --count` needs. A row counts exactly when `Rows.span` would make a span
    /// of it that `SpanReader.validateTimes` keeps; damaged rows are the same, with the
    /// same reasons, in the same order.
    struct TraceTally: TableSliceState {
        var rows: Rows
        /// Spans per trace ID (as `Rows.span` spells the ID).
        var perTrace: [String: Int] = [:]
        var parsed = 0
        /// Rows `Rows.span` refuses, in line order.
        var bad: [Issue] = []
        /// Rows whose span `SpanReader.validateTimes` drops, in line order.
        var outOfRange: [Issue] = []
        /// The trace ID of the rows just read (rows of a trace mostly follow each other).
        var runID: [UInt8] = []
        var run = 0

        init(schema: TableSchema, path: String) { rows = Rows(schema: schema, path: path, detail: .minimal) }

        mutating func row(_ line: UnsafeBufferPointer<UInt8>, number: Int, row: CSVRow) {
            let traceBytes = row.bytes(rows.trace, in: line)
            guard !traceBytes.isBlank(), !row.bytes(rows.span, in: line).isBlank() else {
                bad.append(Issue(line: number, reason: "row without a trace ID or a span ID"))
                return
            }
            let start: Timestamp, duration: Int64
            switch rows.times(line, row: row) {
            case .success(let t): (start, duration) = t
            case .failure(let e): bad.append(Issue(line: number, reason: e.message)); return
            }
            let limit = Timestamp.spanLimit
            if start.nanos > limit || start.nanos < -limit || duration < 0 || duration > limit {
                outOfRange.append(Issue(line: number, reason: "span time or duration out of range (years 1824 to 2115)"))
                return
            }
            parsed += 1
            let id = trimmed(traceBytes)
            if run > 0, id.count == runID.count, let b = id.baseAddress,
               runID.withUnsafeBufferPointer({ memcmp($0.baseAddress!, b, id.count) == 0 }) {
                run += 1
                return
            }
            flush()
            runID = Array(id)
            run = 1
        }

        mutating func bad(number: Int, reason: String) { bad.append(Issue(line: number, reason: reason)) }

        mutating func shiftLines(by offset: Int) {
            for i in bad.indices { bad[i].line += offset }
            for i in outOfRange.indices { outOfRange[i].line += offset }
        }

        /// The tallies of a table's slices as one.
        static func joined(_ parts: [TraceTally], schema: TableSchema, path: String) -> TraceTally {
            var all = TraceTally(schema: schema, path: path)
            for var p in parts {
                p.flush()
                all.parsed += p.parsed
                all.bad += p.bad
                all.outOfRange += p.outOfRange
                if all.perTrace.isEmpty { all.perTrace = p.perTrace } else {
                    all.perTrace.merge(p.perTrace, uniquingKeysWith: +)
                }
            }
            return all
        }

        mutating func flush() {
            if run > 0 { perTrace[runID.withUnsafeBufferPointer(idString), default: 0] += run }
            run = 0
        }

        /// Counts the rows of a table: in slices on every core for a large plain file,
        /// else in one pass over `lines`.
        static func count(_ lines: inout LineReader, unit: InputUnit, schema: TableSchema) -> (tally: TraceTally, issues: [Issue]) {
            if let parts = TableSlices.read(unit, schema: schema, make: { _ in
                TraceTally(schema: schema, path: String(decoding: Array(unit.path.utf8), as: UTF8.self))
            }) {
                return (joined(parts, schema: schema, path: unit.path), [])
            }
            var tally = TraceTally(schema: schema, path: unit.path)
            var issues: [Issue] = []
            TableRows.forEach(&lines, schema: schema, maxRowBytes: 16 << 20, issues: &issues) { event in
                switch event {
                case .row(let line, let number, let row): tally.row(line, number: number, row: row)
                case .bad(let number, let reason): tally.bad(number: number, reason: reason)
                }
            }
            tally.flush()
            return (tally, issues)
        }
    }
}

/// The rows of a table after its header, with multi-line quoted fields joined and
/// repeated headers (files concatenated) passed over.
enum TableRows {
    enum Event {
        case row(UnsafeBufferPointer<UInt8>, number: Int, row: CSVRow)
        case bad(number: Int, reason: String)
    }

    static func forEach(_ lines: inout LineReader, schema: TableSchema, maxRowBytes: Int, issues: inout [Issue],
                        _ body: (Event) -> Void) {
        var row = CSVRow(delimiter: schema.delimiter)
        var seenHeader = false
        var pending: [UInt8] = []
        var pendingLine = 0
        let width = schema.columns.count
        func emit(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) {
            var line = line
            if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line[0..<(line.count - 1)]) }
            switch row.split(line) {
            case .openQuote:
                pending = Array(line)
                pendingLine = number
            case .bad(let reason):
                body(.bad(number: number, reason: reason))
            case .row:
                if row.count != width {
                    body(.bad(number: number, reason: "row has \(row.count) columns, the header \(width)"))
                } else {
                    body(.row(line, number: number, row: row))
                }
            }
        }
        while true {
            let event: LineReader.Event?
            do { event = try lines.next() } catch {
                issues.append(Issue(line: lines.lineNumber, reason: error.message))
                break
            }
            guard let event else { break }
            switch event {
            case .skipped(let number, let reason):
                if !pending.isEmpty { pending = []; body(.bad(number: pendingLine, reason: "row cut by a line that was too long")) }
                body(.bad(number: number, reason: reason))
            case .line(let raw, let number):
                let line = raw.bindMemory(to: UInt8.self)
                if !pending.isEmpty {
                    pending.append(0x0A)
                    pending.append(contentsOf: line)
                    if pending.count > maxRowBytes {
                        pending = []
                        body(.bad(number: pendingLine, reason: "quoted field never closed (row longer than \(maxRowBytes >> 20) MiB)"))
                        continue
                    }
                    let joined = pending
                    pending = []
                    let start = pendingLine
                    joined.withUnsafeBufferPointer { emit($0, start) }
                    continue
                }
                if line.isBlank() { continue }
                if !seenHeader || Self.isHeader(line, schema.header) {
                    // The first line is the header; a line equal to it later is a repeated header.
                    if !seenHeader { seenHeader = true; continue }
                    continue
                }
                emit(line, number)
            }
        }
        if !pending.isEmpty { body(.bad(number: pendingLine, reason: "quoted field never closed")) }
        for i in lines.streamIssues where !issues.contains(i) { issues.append(i) }
    }

    static func isHeader(_ line: UnsafeBufferPointer<UInt8>, _ header: [UInt8]) -> Bool {
        var n = line.count
        if n > 0, line[n - 1] == 0x0D { n -= 1 }
        var h = header.count
        if h > 0, header[h - 1] == 0x0D { h -= 1 }
        guard n == h, n > 0 else { return false }
        return header.withUnsafeBufferPointer { memcmp($0.baseAddress!, line.baseAddress!, n) == 0 }
    }
}

@inline(__always) func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var s = 0, e = b.count
    while s < e, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
    while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 || b[e - 1] == 0x0D { e -= 1 }
    if s == 0, e == b.count { return b }
    return UnsafeBufferPointer(rebasing: b[s..<e])
}

/// A cell's text for a message, cut to 40 bytes.
func cellText(_ b: UnsafeBufferPointer<UInt8>) -> String {
    let cut = b.count > 40 ? UnsafeBufferPointer(rebasing: b[0..<40]) : b
    return String(decoding: cut, as: UTF8.self) + (b.count > 40 ? "…" : "")
}
