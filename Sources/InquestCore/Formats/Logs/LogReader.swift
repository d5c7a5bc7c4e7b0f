#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the log records of one input, one at a time, in file order.
///
/// Detects the format from the first 64 KiB (unless one is forced), joins
/// continuation lines to their record, and counts every record as parsed or
/// skipped in `stats`. Records carry only what `needs` asks for.
///
/// ```swift
/// let reader = try LogReader(unit: unit, needs: [.message])
/// while let record = reader.next() { … }
/// print(reader.stats.skipped)
/// ```
public final class LogReader {
    public let unit: InputUnit
    public private(set) var format: DetectedFormat
    // Read and written for every line: the exclusivity checks of a class's properties
    // (a runtime call each) would cost more than parsing a short line.
    @exclusivity(unchecked) public internal(set) var stats: InputStats
    @exclusivity(unchecked) var lines: LineReader
    @exclusivity(unchecked) var context: ParseContext
    var lineFormat: any LineFormat
    @exclusivity(unchecked) var pending: LogRecord?
    /// The line a record split by a container runtime (Docker, CRI) started on.
    @exclusivity(unchecked) var partialStart = 0
    @exclusivity(unchecked) var scratch = LogRecord()
    @exclusivity(unchecked) var finished = false
    /// Records from a whole-document format (OTLP logs), served from memory.
    var documentRecords: [LogRecord] = []
    var documentIndex = 0
    let needsMessage: Bool
    /// A gzip input's decompression thread: stopped when the reader is dropped before
    /// the end, or it would wait forever on its full queue, holding its buffers.
    /// The stream being read, closed when the reader goes (a decompression thread stops).
    let source: any ByteSource
    let checkUTF8: Bool
    /// Where the year of times without one comes from, said once one was read.
    let yearNote: String
    /// A line the format read as a record has been seen: lines it cannot read before
    /// that (a header) are records without a time rather than skipped.
    @exclusivity(unchecked) var sawRecord = false
    /// The year for times without one when the input has no date and no file time
    /// (standard input, memory): fixed, so output does not depend on the day it runs.
    public static let assumedYear = 2000
    /// The input is a later slice of a file: its first lines continue a record of the
    /// slice before (they are not headers). Slices are read by `count(matching:)` only.
    let continuing: Bool
    /// With a `--grep` whose matches hold known bytes or a `--where` on a field, on a
    /// format whose messages, keys and values are bytes of the line as they are: a line
    /// without those bytes cannot match, and is read without its message and fields
    /// (`gatedNeeds`).
    var gate: LineGate?
    var recordGate: LineGate?
    /// `gate` or `recordGate` is set: tested first, a flag (reading an optional struct
    /// holding an array retains and releases it, on every line).
    var gated = false
    var fullNeeds: RecordNeeds = []
    var gatedNeeds: RecordNeeds = []

    /// Reads lines that cannot match `filter`'s `--grep` or `--where` without their
    /// message and fields, when the format allows it (JSON lines, logfmt, text lines). The records of
    /// those lines are still counted and checked as any other; they only fail the filter.
    /// JSON lines and logfmt also decide `--trace` and `--service` on a field's bytes
    /// (`ParseContext.traceMayMatch`, `serviceMayMatch`).
    ///
    /// Plain text, whose records go on over the lines after them, is read whole; a record
    /// none of whose lines holds the bytes is marked to fail the filter without running
    /// the expression (`recordGate`).
    /// Once a reader: the needs it was opened with are the full ones.
    public func gate(by filter: LogFilter) {
        if lineFormat is JSONLinesFormat || lineFormat is LogfmtFormat { context.decideEarly(filter) }
        guard gate == nil, recordGate == nil, let g = LineGate(filter) else { return }
        if lineFormat is PlainTextFormat { recordGate = g; gated = true; return }
        guard lineFormat is JSONLinesFormat || lineFormat is LogfmtFormat || lineFormat is TextLinesFormat else { return }
        gate = g
        gated = true
        fullNeeds = context.needs
        gatedNeeds = context.needs.subtracting([.message, .fields])
    }

    /// Every record is one line: the format has no continuation lines.
    var oneLineRecords: Bool {
        lineFormat is JSONLinesFormat || lineFormat is LogfmtFormat || lineFormat is AccessLogFormat
    }

    /// Lines read so far (the number of the last line).
    var linesRead: Int { lines.lineNumber }

    public init(unit: InputUnit, format forced: DetectedFormat? = nil, needs: RecordNeeds = .all,
                time: TimestampParser = TimestampParser(), syslogYear: Int? = nil, checkUTF8: Bool = false,
                continuing: Bool = false) throws(InputError) {
        self.unit = unit
        self.continuing = continuing
        self.sawRecord = continuing
        var stats = InputStats(path: unit.path)
        stats.compression = unit.compression
        let source = try unit.open()
        self.source = source
        var (head, headGaps) = try source.readHead(upTo: 64 * 1024)
        var headIssue = headGaps.first?.issue
        // A UTF-8 byte order mark (Windows tools write one) is not part of the first record.
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            head.removeFirst(3)
            headGaps = headGaps.map { (max(0, $0.offset - 3), $0.issue) }
        }
        var detected = forced ?? FormatRegistry.detect(head: head, columns: unit.limits.tableColumns)
        // A log table forced by name: its header is the first line.
        if case .logLines(let f) = detected, let t = f as? LogTableFormat, t.schema == nil {
            let schema = head.withUnsafeBufferPointer { FormatRegistry.tableSchema($0, columns: unit.limits.tableColumns) }
            if let schema, schema.kind == .logs {
                detected = .logLines(LogTableFormat(schema: schema))
            } else {
                headIssue = headIssue ?? Issue(line: 1, reason: "not a log table: no time and message columns in the header")
            }
        }
        self.format = detected
        stats.format = detected.name
        stats.kind = detected.kind
        if case .logLines(let f) = detected, let t = f as? LogTableFormat, let schema = t.schema {
            stats.columns = schema.description
            if let i = schema.headerIssue { stats.note(i) }
        }
        self.lines = LineReader(source: ReplaySource(prefix: head, rest: source, gaps: headGaps), chunkSize: unit.limits.blockSize, maxLineBytes: unit.limits.maxLineBytes)
        var lineFormat: any LineFormat = TextLinesFormat()
        var yearHint: Int?
        if case .logLines(let f) = detected {
            lineFormat = f
            if let plain = f as? PlainTextFormat {
                var layout = plain.layout
                if layout == nil {
                    // Forced with --log-format: learn the layout here.
                    layout = head.withUnsafeBufferPointer { PlainLayout.learn(FormatRegistry.sample($0), defaultOffset: time.defaultOffset) }
                    lineFormat = PlainTextFormat(layout: layout)
                    self.format = .logLines(lineFormat)
                }
                yearHint = layout?.yearHint
                stats.formatDetail = layout?.description
            } else if f is SyslogFormat {
                yearHint = head.withUnsafeBufferPointer { PlainLayout.yearHint(FormatRegistry.sample($0), defaultOffset: time.defaultOffset) }
            }
        }
        self.lineFormat = lineFormat
        // Times without a year (syslog, logcat…) take one from a date in the file, else
        // from the file's modification time, else a fixed year, said by `inspect`; never
        // from today's date, so that the same file reads the same on any day.
        let year: Int
        var notAfter: Timestamp?
        if let y = syslogYear {
            year = y
            yearNote = "\(y), as given"
        } else if let y = yearHint {
            year = y
            yearNote = "\(y), from a date in the input"
        } else if let m = unit.modificationTime {
            year = Calendar.civil(fromDays: m.floorDiv(86_400)).0
            notAfter = Timestamp(seconds: m)
            yearNote = "from the input's modification time"
        } else {
            year = Self.assumedYear
            yearNote = "\(Self.assumedYear) assumed: no date in the input and no file time"
        }
        var context = ParseContext(needs: needs, time: time, fallbackService: unit.serviceFromName, syslogYear: year,
                                   maxDepth: unit.limits.maxJSONDepth)
        context.syslogNotAfter = notAfter
        self.context = context
        self.needsMessage = needs.contains(.message)
        self.checkUTF8 = checkUTF8 || needs.contains(.message)
        if let h = headIssue { stats.note(h); headIssue = nil }
        if case .binary = detected {
            stats.note(Issue(line: 0, reason: "not a log: binary data"))
            stats.unreadable = true
            finished = true
        }
        self.stats = stats
        if case .otlpLogs = detected { loadOTLP() }
        if case .spans = detected { finished = true }
        if case .metrics = detected { finished = true }
        // Nothing but blank space, or a table's header alone: no record.
        if case .empty = detected { finished = true }
    }

    deinit { source.close() }

    /// Reads an OTLP logs document (or one request a line) into memory.
    private func loadOTLP() {
        let docs = JSONDocuments.read(&lines, maxDepth: context.maxDepth)
        for i in docs.issues { stats.note(i) }
        stats.records += docs.brokenLines
        stats.skipped += docs.brokenLines
        for (value, _) in docs.documents {
            let (records, bad) = OTLPLogsFormat.records(from: value, path: unit.path, context: context)
            documentRecords.append(contentsOf: records)
            stats.records += records.count + bad.count
            stats.parsed += records.count
            stats.skipped += bad.count
            for b in bad { stats.note(b) }
        }
        finished = true
    }

    /// The next line event; nil at the end of the input (or when it cannot be read on).
    func nextEvent() -> LineReader.Event? {
        do {
            return try lines.next()
        } catch {
            stats.note(Issue(line: lines.lineNumber, reason: error.message))
            return nil
        }
    }

    /// Ends the input: says where the year came from, notes the stream's damage, and
    /// returns the record of a container line whose last part never came (kept as it is,
    /// and said), if there is one.
    func endOfInput() -> LogRecord? {
        finished = true
        if context.yearUsed { stats.yearNote = yearNote }
        for i in lines.streamIssues where !stats.errors.contains(i) { stats.note(i) }
        guard !context.partial.isEmpty else { return nil }
        let bytes = context.partial
        context.partial.removeAll()
        var r = LogRecord()
        let result = bytes.withUnsafeBufferPointer { lineFormat.finish(partial: $0, into: &r, context: &context) }
        if case .skip(let reason) = result {
            stats.skip(line: partialStart, reason: reason)
            return nil
        }
        r.location = SourceLocation(path: unit.path, line: partialStart)
        stats.records += 1
        stats.parsed += 1
        stats.note(Issue(line: partialStart, reason: "container line without its last part (kept as it is)"))
        return r
    }

    /// Counts and notes a line whose invalid UTF-8 was replaced (the record is kept).
    func noteRepaired(_ line: Int) {
        stats.repaired += 1
        stats.note(Issue(line: line, reason: "invalid UTF-8 replaced with U+FFFD (record kept)"))
    }

    /// Counts a line the format read as a record (and notes invalid UTF-8 in it).
    @inline(__always)
    func noteRecord(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) {
        sawRecord = true
        stats.records += 1
        stats.parsed += 1
        if checkUTF8 && !isValidUTF8(line) { noteRepaired(number) }
    }

    /// A line before the first record (a header, or text before the first timestamped
    /// line): a record of its own without a time, counted.
    func headerRecord(_ line: UnsafeBufferPointer<UInt8>, _ number: Int) -> LogRecord {
        var r = LogRecord(level: inferLevel(line), service: context.fallbackService,
                          location: SourceLocation(path: unit.path, line: number))
        if needsMessage { r.message = String(decoding: line, as: UTF8.self) }
        stats.records += 1
        stats.parsed += 1
        return r
    }

    /// The next record, or nil at the end of the input.
    public func next() -> LogRecord? {
        if documentIndex < documentRecords.count {
            documentIndex += 1
            return documentRecords[documentIndex - 1]
        }
        while !finished {
            guard let event = nextEvent() else {
                if let r = endOfInput() {
                    let p = pending.take()
                    pending = r
                    if let p { return p }
                }
                break
            }
            switch event {
            case .skipped(let number, let reason):
                stats.skip(line: number, reason: reason)
            case .line(let raw, let number):
                let line = raw.bindMemory(to: UInt8.self)
                scratch.clearForNextLine()
                if context.partial.isEmpty { partialStart = number }
                if gated, let gate { context.needs = gate.mayMatch(line) ? fullNeeds : gatedNeeds }
                let result = lineFormat.parse(line, into: &scratch, context: &context)
                switch result {
                case .record:
                    noteRecord(line, number)
                    scratch.location = SourceLocation(path: unit.path, line: partialStart)
                    if gated, let recordGate { scratch.failsGate = !recordGate.mayMatch(line) }
                    // Moved out, not copied: a copy retains each of the record's strings.
                    let p = pending.take()
                    pending = scratch
                    if let p { return p }
                case .continuation:
                    if pending != nil {
                        if gated, let recordGate, pending!.failsGate, recordGate.mayMatch(line) { pending!.failsGate = false }
                        if checkUTF8 && !needsMessage && !isValidUTF8(line) { noteRepaired(number) }
                        if needsMessage {
                            pending!.message += "\n"
                            pending!.message += String(decoding: line, as: UTF8.self)
                            if !isValidUTF8(line) { noteRepaired(number) }
                        }
                    } else if !line.isBlank() {
                        // Text before the first timestamped line: a record of its own, without time.
                        pending = headerRecord(line, number)
                    }
                case .ignored:
                    break
                case .skip(let reason):
                    if sawRecord || line.isBlank() {
                        stats.skip(line: number, reason: reason)
                        break
                    }
                    // Before the first record: a header, kept as a record without a time.
                    if checkUTF8 && !isValidUTF8(line) { noteRepaired(number) }
                    let r = headerRecord(line, number)
                    let p = pending.take()
                    pending = r
                    if let p { return p }
                }
            }
        }
        return pending.take()
    }
}

/// True when the bytes are valid UTF-8 (ASCII is checked eight bytes at a time).
func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = b.count
    guard let base = b.baseAddress else { return true }
    // Thirty-two bytes a test, then eight.
    while i + 32 <= n {
        let r = UnsafeRawPointer(base + i)
        let w = r.loadUnaligned(as: UInt64.self) | r.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            | r.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | r.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        if w & 0x8080_8080_8080_8080 != 0 { break }
        i += 32
    }
    while i + 8 <= n {
        let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
        if w & 0x8080_8080_8080_8080 != 0 { break }
        i += 8
    }
    while i < n {
        let c = b[i]
        if c < 0x80 { i += 1; continue }
        let len: Int
        if c & 0xE0 == 0xC0 { len = 2; if c < 0xC2 { return false } }
        else if c & 0xF0 == 0xE0 { len = 3 }
        else if c & 0xF8 == 0xF0 { len = 4; if c > 0xF4 { return false } }
        else { return false }
        guard i + len <= n else { return false }
        for k in 1..<len where b[i + k] & 0xC0 != 0x80 { return false }
        if len == 3 {
            let c1 = b[i + 1]
            if c == 0xE0 && c1 < 0xA0 { return false }
            if c == 0xED && c1 >= 0xA0 { return false }
        }
        if len == 4 {
            let c1 = b[i + 1]
            if c == 0xF0 && c1 < 0x90 { return false }
            if c == 0xF4 && c1 >= 0x90 { return false }
        }
        i += len
    }
    return true
}
