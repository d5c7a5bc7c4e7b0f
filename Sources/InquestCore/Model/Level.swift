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

    /// Upper-case and at most five letters, for aligned columns.
    public var short: String {
        switch self {
        case .unknown: ""
        case .notice: "NOTE"
        default: name.uppercased()
        }
    }

    /// Parses a level name as users type it on the command line.
    public init?(name: String) {
        self.init(bytes: Array(name.utf8))
    }

    /// Recognises level words as loggers spell them: `ERROR`, `err`, `E`, `Warning`,
    /// `crit`, `DEBUG5`, `panic`… Case-insensitive; nil for anything else.
    public init?(bytes: some Collection<UInt8>) {
        guard let l = Level.parse(bytes) else { return nil }
        self = l
    }

    /// The same for bytes in memory (a record's field): up to eight ASCII bytes read as
    /// one word and lowered at once, instead of one byte at a time.
    @inline(__always)
    public init?(bytes b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        guard n >= 1, n <= 8, let p = b.baseAddress else {
            guard let l = Level.parse(b) else { return nil }
            self = l
            return
        }
        let r = UnsafeRawPointer(p)
        // Two reads that overlap when n is not 4 or 2: the bytes they share are the same.
        var w: UInt64
        if n >= 4 {
            w = UInt64(UInt32(littleEndian: r.loadUnaligned(as: UInt32.self)))
                | UInt64(UInt32(littleEndian: r.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))) << UInt64((n - 4) * 8)
        } else if n >= 2 {
            w = UInt64(UInt16(littleEndian: r.loadUnaligned(as: UInt16.self)))
                | UInt64(UInt16(littleEndian: r.loadUnaligned(fromByteOffset: n - 2, as: UInt16.self))) << UInt64((n - 2) * 8)
        } else {
            w = UInt64(p[0])
        }
        // Not ASCII: no level word.
        guard w & 0x8080_8080_8080_8080 == 0 else { return nil }
        // A byte is an upper-case letter when adding 0x3F sets its high bit (>= "A") and
        // adding 0x25 does not (<= "Z"); no byte carries into the next (all are < 0x80).
        let upper = (w &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(w &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
        guard let l = Level.packed(w | upper >> 2, length: n) else { return nil }
        self = l
    }

    static func parse(_ bytes: some Collection<UInt8>) -> Level? {
        var buf: (UInt64, Int) = (0, 0)  // first 8 lowercased letters packed, and length
        for b in bytes {
            var c = b
            if c >= 65 && c <= 90 { c |= 0x20 }
            if buf.1 >= 8 {
                switch String(decoding: bytes, as: UTF8.self).lowercased() {
                case "information": return .info
                case "emergency": return .fatal
                default: return nil
                }
            }
            buf.0 |= UInt64(c) << (8 * UInt64(buf.1))
            buf.1 += 1
        }
        return packed(buf.0, length: buf.1)
    }

    /// The level of a word of up to eight lower-case bytes packed little-endian.
    @inline(__always)
    static func packed(_ word: UInt64, length: Int) -> Level? {
        var v = word
        // DEBUG1…DEBUG9 as Python and lnav write them.
        if length == 6, (v >> 40) & 0xFF >= 0x30, (v >> 40) & 0xFF <= 0x39 { v &= 0xFF_FFFF_FFFF }
        // Words packed little-endian into a UInt64 (precomputed: "info" = 0x6F666E69).
        switch v {
        case 0x6563617274, 0x637274, 0x74, 0x7473656E6966, 0x72656E6966, 0x65736F62726576, 0x76: return .trace  // trace, trc, t, finest, finer, verbose, v
        case 0x6775626564, 0x676264, 0x64, 0x656E6966, 0x6769666E6F63: return .debug  // debug, dbg, d, fine, config
        case 0x6F666E69, 0x666E69, 0x69: return .info  // info, inf, i
        case 0x656369746F6E, 0x65746F6E, 0x6E, 0x7374617473: return .notice  // notice, note, n, stats
        case 0x6E726177, 0x676E696E726177, 0x6E7277, 0x77: return .warn  // warn, warning, wrn, w
        case 0x726F727265, 0x727265, 0x65, 0x657265766573, 0x6C696166, 0x6572756C696166: return .error  // error, err, e, severe, fail, failure
        case 0x6C61746166, 0x6C61636974697263, 0x74697263, 0x63, 0x66, 0x7472656C61, 0x6772656D65, 0x63696E6170, 0x63696E617064: return .fatal  // fatal, critical, crit, c, f, alert, emerg, panic, dpanic
        default: return nil
        }
    }

    /// A numeric level from a log field: OTLP severity numbers when `otlp`, else bunyan
    /// and pino's 10–60 (numbers under 10 carry no agreed meaning). Any number is safe.
    public init(number: Double, otlp: Bool) {
        guard number.isFinite, number > -1e9, number < 1e9 else { self = .unknown; return }
        let n = Int(number)
        if otlp { self = Level(otlp: n) } else { self = n >= 10 ? Level(bunyan: n) : .unknown }
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
