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
    /// The trace IDs (normal form) and service names of `logs --trace` and `--service`,
    /// as bytes, for formats whose values are bytes of the line (JSON lines, logfmt): a
    /// record whose value is plainly none of them fails at once, without a `String` made.
    /// Empty: no such filter, or one only the full reading decides (bytes beyond ASCII).
    var traceQuery: [[UInt8]] = []
    var serviceQuery: [[UInt8]] = []

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

extension ParseContext {
    /// Sets `traceQuery` and `serviceQuery` from a filter.
    mutating func decideEarly(_ filter: LogFilter) {
        @inline(__always) func ascii(_ xs: [String]) -> [[UInt8]] {
            xs.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } } ? xs.map { Array($0.utf8) } : []
        }
        traceQuery = ascii(filter.traces)
        serviceQuery = ascii(filter.services)
    }

    /// False when the value of a service field, as the line holds it, is none of the
    /// names asked for (`serviceQuery`); true when it is one, or when only the full
    /// reading can tell (an escape; bytes beyond ASCII, which `String` compares by
    /// canonical equivalence). Static, with the names passed: a method would copy the
    /// context, key memo and all, on every line.
    @inline(__always)
    static func serviceMayMatch(_ v: UnsafeBufferPointer<UInt8>, _ names: [[UInt8]]) -> Bool {
        for c in v where c >= 0x80 || c == 0x5C { return true }
        for q in names where q.elementsEqual(v) { return true }
        return false
    }

    /// False when the value of a trace field is a plain hex ID (read as
    /// `TraceContext.structuredTrace` reads one: spaces trimmed, case folded, an all-zero
    /// high half of 32 digits dropped) that starts with none of the IDs asked for
    /// (`traceQuery`); true otherwise, and for values only the full reading decides
    /// (X-Ray, `traceparent`, Datadog's decimal IDs, a bare `trace` key, anything not hex).
    @inline(__always)
    static func traceMayMatch(_ v: UnsafeBufferPointer<UInt8>, priority: UInt8, _ ids: [[UInt8]]) -> Bool {
        if priority == TraceContext.datadogKeyPriority || priority == TraceContext.bareKeyPriority { return true }
        guard let p = v.baseAddress else { return true }
        var a = 0, e = v.count
        while a < e, p[a] == 0x20 { a += 1 }
        while e > a, p[e - 1] == 0x20 { e -= 1 }
        let n = e - a
        guard n >= 1, n <= 256 else { return true }
        let zero = SIMD16<UInt8>(repeating: 0x30)
        // Where the normal form starts, as `normalizeID` writes it.
        let start = a + idNormalStart(p + a, count: n)
        // One of the IDs: true whatever else the value is.
        for q in ids where q.count <= e - start {
            var i = 0
            while i < q.count, lowerHex(p[start + i]) == q[i] { i += 1 }
            if i == q.count { return true }
        }
        // None: false only for a plain hex ID, not all zeros.
        var nonZero = false
        if n >= 16 {
            var i = a
            while true {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let digit = (w &- zero) .< SIMD16<UInt8>(repeating: 10)
                let letter = ((w | SIMD16<UInt8>(repeating: 0x20)) &- SIMD16<UInt8>(repeating: 0x61)) .< SIMD16<UInt8>(repeating: 6)
                if ByteSearch.anyLane(.!(digit .| letter)) { return true }
                if ByteSearch.anyLane(w .!= zero) { nonZero = true }
                if i == e - 16 { break }
                i = min(i + 16, e - 16)
            }
        } else {
            for i in a..<e {
                let c = p[i]
                guard TraceContext.isHex(c) else { return true }
                if c != 0x30 { nonZero = true }
            }
        }
        return !nonZero
    }
}
