/// What a command needs from each record; parsers build only those `String`s.
public struct RecordNeeds: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let message = RecordNeeds(rawValue: 1)
    public static let fields = RecordNeeds(rawValue: 2)
    public static let service = RecordNeeds(rawValue: 4)
    public static let trace = RecordNeeds(rawValue: 8)
    public static let all: RecordNeeds = [.message, .fields, .service, .trace]
}

/// The outcome of parsing one line.
public enum LineResult: Equatable {
    /// The line starts a record (now in the record passed in).
    case record
    /// The line continues the previous record (a stack trace line).
    case continuation
    /// Not a record: blank, or a comment; not counted.
    case ignored
    /// A damaged record, counted as skipped with this reason.
    case skip(String)
}

/// State shared by the lines of one input.
public struct ParseContext {
    public var needs: RecordNeeds
    public var time: TimestampParser
    /// Service name for records that do not carry one (from the file name).
    public var fallbackService: String?
    /// Year for timestamps that have none (syslog's, logcat's); rolled forward on Dec → Jan.
    public var syslogYear: Int
    /// The newest a year-less time can be (the file's modification time): a first record
    /// later than that was written the year before (a file that spans new year).
    public var syslogNotAfter: Timestamp?
    var lastSyslogMonth = 0
    /// Set when a time without a year was read (so `inspect` says where the year came from).
    public internal(set) var yearUsed = false
    /// Bytes of a line a container runtime split, waiting for its last part.
    var partial: [UInt8] = []
    public var maxDepth: Int
    /// False when nothing reads the records' times (a count by level or service): formats
    /// whose records do not depend on their time (JSON lines, logfmt) then skip parsing it.
    public var needsTime = true
    /// The keys of the line before (JSON lines), to find those of the next by comparison.
    var keyMemo = KeyMemo()

    public init(needs: RecordNeeds = .all, time: TimestampParser = TimestampParser(), fallbackService: String? = nil,
                syslogYear: Int = 2026, maxDepth: Int = 256) {
        self.needs = needs
        self.time = time
        self.fallbackService = fallbackService
        self.syslogYear = syslogYear
        self.maxDepth = maxDepth
    }
}

/// A log format read line by line.
public protocol LineFormat: Sendable {
    /// The name shown by `inspect` and taken by `--log-format`.
    var name: String { get }
    /// Whether a line looks like this format, for detection from a file's first lines.
    func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool
    /// Parses a line into `record` (reset by the caller).
    func parse(_ line: UnsafeBufferPointer<UInt8>, into record: inout LogRecord, context: inout ParseContext) -> LineResult
    /// The bytes still held in `context.partial` at the end of the input (a line a
    /// container runtime split whose last part never came, a quote never closed).
    func finish(partial: UnsafeBufferPointer<UInt8>, into record: inout LogRecord, context: inout ParseContext) -> LineResult
}

extension LineFormat {
    /// Container formats keep the line as it is.
    public func finish(partial: UnsafeBufferPointer<UInt8>, into record: inout LogRecord, context: inout ParseContext) -> LineResult {
        parseInner(partial, outerTime: nil, stream: nil, into: &record, context: &context)
    }
}

extension LineFormat {
    /// True when `parse` reads the line as a record (detection for strict formats).
    func parses(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var r = LogRecord()
        var c = ParseContext(needs: [])
        return parse(line, into: &r, context: &c) == .record
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    @inline(__always) func isBlank() -> Bool {
        for c in self where !(c == 0x20 || c == 0x09 || c == 0x0D) { return false }
        return true
    }
    @inline(__always) func string(_ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[r]), as: UTF8.self)
    }
    func hasPrefix(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard count >= n else { return false }
        for i in 0..<n where self[i] != s.utf8Start[i] { return false }
        return true
    }
    /// Index of the first space or tab at or after `from` (`count` when none).
    @inline(__always) func blank(from: Int) -> Int {
        guard let base = baseAddress else { return count }
        return ByteSearch.first((0x20, 0x09, 0x20, 0x09), in: base, from: from, end: count)
    }
    /// Index of the first `=`, space, tab or `"` at or after `from` (`count` when none):
    /// where a logfmt key ends.
    @inline(__always) func keyEnd(from: Int) -> Int {
        guard let base = baseAddress else { return count }
        return ByteSearch.first((0x3D, 0x20, 0x09, 0x22), in: base, from: from, end: count)
    }
    /// Index of the first occurrence of `byte` at or after `from`.
    @inline(__always) func index(of byte: UInt8, from: Int) -> Int? {
        var i = from
        while i < count { if self[i] == byte { return i }; i += 1 }
        return nil
    }
}

/// Guesses a level from message words, for formats that carry none (syslog without
/// a priority, plain text without a level token), as lnav does.
func inferLevel(_ msg: UnsafeBufferPointer<UInt8>) -> Level {
    // Look for whole words, case-insensitively.
    var i = 0
    let n = msg.count
    var best = Level.unknown
    while i < n {
        while i < n, !isLetter(msg[i]) { i += 1 }
        let s = i
        while i < n, isLetter(msg[i]) { i += 1 }
        let len = i - s
        if len >= 4 && len <= 9 {
            let w = UnsafeBufferPointer(rebasing: msg[s..<i])
            switch lowerWord(w) {
            case "error", "errors", "failed", "failure", "exception": best = max(best, .error)
            case "fatal", "panic", "critical": best = max(best, .fatal)
            case "warn", "warning": best = max(best, .warn)
            default: break
            }
        }
    }
    return best
}

@inline(__always) func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

func lowerWord(_ w: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: w.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
}
