/// Severity of a log record, ordered so that `--level warn` means `>= .warn`.
public enum Level: UInt8, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case unknown = 0, trace, debug, info, notice, warn, error, fatal

    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

    public var description: String { name }

    public var name: String {
        switch self {
        case .unknown: "-"
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warn: "warn"
        case .error: "error"
        case .fatal: "fatal"
        }
    }

    /// Parses a level name as users type it on the command line.
    public init?(name: String) {
        self.init(bytes: Array(name.utf8))
    }

    /// Recognises level words as loggers spell them: `ERROR`, `err`, `E`, `Warning`,
    /// `crit`, `DEBUG5`, `panic`… Case-insensitive; nil for anything else.
    public init?(bytes: some Collection<UInt8>) {
        var buf: (UInt64, Int) = (0, 0)  // first 8 lowercased letters packed, and length
        for b in bytes {
            var c = b
            if c >= 65 && c <= 90 { c |= 0x20 }
            if buf.1 >= 8 { return nil }
            buf.0 |= UInt64(c) << (8 * UInt64(buf.1))
            buf.1 += 1
        }
        func w(_ s: StaticString) -> UInt64 {
            var v: UInt64 = 0
            s.withUTF8Buffer { for (i, c) in $0.enumerated() { v |= UInt64(c) << (8 * UInt64(i)) } }
            return v
        }
        var v = buf.0
        // DEBUG1…DEBUG9 as Python and lnav write them.
        if buf.1 == 6, (v >> 40) & 0xFF >= 0x30, (v >> 40) & 0xFF <= 0x39 { v &= 0xFF_FFFF_FFFF }
        switch v {
        case w("trace"), w("trc"), w("t"), w("finest"), w("finer"), w("verbose"), w("v"): self = .trace
        case w("debug"), w("dbg"), w("d"), w("fine"), w("config"): self = .debug
        case w("info"), w("inf"), w("i"), w("information"): self = .info
        case w("notice"), w("note"), w("n"), w("stats"): self = .notice
        case w("warn"), w("warning"), w("wrn"), w("w"): self = .warn
        case w("error"), w("err"), w("e"), w("severe"), w("fail"), w("failure"): self = .error
        case w("fatal"), w("critical"), w("crit"), w("c"), w("f"), w("alert"), w("emerg"), w("panic"), w("dpanic"), w("emergency"): self = .fatal
        default: return nil
        }
    }

    /// bunyan and pino: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    public init(bunyan n: Int) {
        switch n {
        case ..<20: self = .trace
        case 20..<30: self = .debug
        case 30..<40: self = .info
        case 40..<50: self = .warn
        case 50..<60: self = .error
        default: self = .fatal
        }
    }

    /// OpenTelemetry SeverityNumber: 1–4 trace … 21–24 fatal; 0 is unspecified.
    public init(otlp n: Int) {
        switch n {
        case ..<1: self = .unknown
        case 1...4: self = .trace
        case 5...8: self = .debug
        case 9...12: self = .info
        case 13...16: self = .warn
        case 17...20: self = .error
        default: self = .fatal
        }
    }

    /// Syslog severity (RFC 5424): 0 emergency … 7 debug.
    public init(syslog n: Int) {
        switch n {
        case ...2: self = .fatal
        case 3: self = .error
        case 4: self = .warn
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
