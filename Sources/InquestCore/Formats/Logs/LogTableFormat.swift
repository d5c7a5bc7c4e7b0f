/// Log tables: CSV or TSV with a header, one log record a row, as log stores and
/// research data sets export them (`Timestamp,TimeUnixNano,Node,PodName,Container,
/// TraceID,SpanID,Log`).
///
/// The time comes from the time column (RFC 3339, or a number whose unit the column
/// names); the service from a service column, or from a Kubernetes pod name (its
/// workload); trace and span IDs from their columns. The message column may hold a
/// Docker json-file line, a JSON or logfmt line, or plain text with a level: it is read
/// as the container readers read the line they unwrap, so its level, message and IDs
/// count too. Other columns become fields. A quoted field may span lines.
public struct LogTableFormat: LineFormat {
    public var name: String { "log-table" }
    /// Nil only when forced by name before the header was seen (`LogReader` fills it).
    public let schema: TableSchema?
    let time: Int?, message: Int?, level: Int?, service: Int?, pod: Int?, trace: Int?, span: Int?
    let timeUnit: Int64?
    let fieldColumns: [(Int, String)]

    public init(schema: TableSchema?) {
        self.schema = schema
        let r = schema?.roles ?? [:]
        time = r[.time]; message = r[.message]; level = r[.level]; service = r[.service]; pod = r[.pod]
        trace = r[.trace]; span = r[.span]
        if let t = r[.time], let schema { timeUnit = TableValues.unit(of: schema.columns[t]) } else { timeUnit = nil }
        let mapped = Set(r.values)
        fieldColumns = schema.map { s in s.columns.indices.filter { !mapped.contains($0) }.map { ($0, s.columns[$0].name) } } ?? []
    }

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { false }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        guard let schema else { return .skip("log table without a header") }
        if !context.partial.isEmpty {
            // The rest of a row whose quoted field spans lines.
            var joined = context.partial
            context.partial.removeAll(keepingCapacity: true)
            joined.append(0x0A)
            joined.append(contentsOf: line)
            return joined.withUnsafeBufferPointer { row($0, schema, into: &r, context: &context) }
        }
        if line.isBlank() || TableRows.isHeader(line, schema.header) { return .ignored }
        return row(line, schema, into: &r, context: &context)
    }

    /// A row cut off at the end of the input (a quote never closed).
    public func finish(partial: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        .skip("quoted field never closed")
    }

    func row(_ line: UnsafeBufferPointer<UInt8>, _ schema: TableSchema, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        var cells = CSVRow(delimiter: schema.delimiter)
        switch cells.split(line) {
        case .openQuote:
            context.partial.append(contentsOf: line)
            if context.partial.count > 16 << 20 { context.partial.removeAll(); return .skip("quoted field longer than 16 MiB") }
            return .ignored
        case .bad(let reason): return .skip(reason)
        case .row: break
        }
        guard cells.count == schema.columns.count else {
            return .skip("row has \(cells.count) columns, the header \(schema.columns.count)")
        }
        var tableTime: Timestamp?
        if let c = time, !cells.bytes(c, in: line).isBlank() {
            guard let t = TableValues.time(cells.bytes(c, in: line), unitHint: timeUnit, parser: context.time) else {
                return .skip("\(schema.columns[c].name): '\(cellText(cells.bytes(c, in: line)))' is not a time")
            }
            tableTime = t
        }
        if let m = message {
            cells.withUnescaped(m, in: line) { text in
                // A Docker json-file line: its `log` is the service's own line.
                if text.first == 0x7B, let d = DockerJSONFormat().fields(text) {
                    var inner = d.log
                    while inner.hasSuffix("\n") || inner.hasSuffix("\r") { inner.removeLast() }
                    let outer = d.time.flatMap { context.time.parse(d.s.bytes($0))?.0 }
                    var bytes = Array(inner.utf8)
                    _ = bytes.withUnsafeMutableBufferPointer { b in
                        parseInner(UnsafeBufferPointer(b), outerTime: tableTime ?? outer, stream: d.stream.isEmpty ? nil : d.stream, into: &r, context: &context)
                    }
                } else {
                    _ = parseInner(text, outerTime: tableTime, stream: nil, into: &r, context: &context)
                }
            }
        }
        if let t = tableTime { r.timestamp = t }
        if let c = level, let l = Level(bytes: trimmed(cells.bytes(c, in: line))) { r.level = l }
        if context.needs.contains(.service) {
            if let c = service, !cells.bytes(c, in: line).isBlank() {
                r.service = cells.string(c, in: line).trimmingSpaces
            } else if let c = pod, !cells.bytes(c, in: line).isBlank() {
                r.service = PodName.service(cells.string(c, in: line).trimmingSpaces)
            }
        }
        if context.needs.contains(.trace) {
            if let c = trace, !cells.bytes(c, in: line).isBlank() { r.traceID = normalizeID(cells.string(c, in: line).trimmingSpaces) }
            if let c = span, !cells.bytes(c, in: line).isBlank() { r.spanID = normalizeID(cells.string(c, in: line).trimmingSpaces) }
        }
        if context.needs.contains(.fields) {
            if let c = pod, !cells.bytes(c, in: line).isBlank() { r.fields.append(LogRecord.Field("k8s.pod.name", cells.string(c, in: line))) }
            for (c, name) in fieldColumns where !cells.bytes(c, in: line).isBlank() {
                r.fields.append(LogRecord.Field(name, cells.string(c, in: line)))
            }
        }
        return .record
    }
}
