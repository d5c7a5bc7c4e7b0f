/// Parses the timestamp spellings found at the start of log lines and in fields,
/// straight from bytes.
///
/// Recognised: RFC 3339 / ISO 8601 (`T` or space, `.` or `,` fraction, `Z`, `±hh:mm`,
/// `±hhmm`, or no zone, read as `defaultOffset`), `yyyy/mm/dd hh:mm:ss` (Go, nginx
/// error log), `yy/mm/dd hh:mm:ss` (log4j in Spark), the access-log form
/// `10/Oct/2000:13:55:36 -0700`, and syslog's `Oct  1 13:55:36` (the year supplied by
/// the caller). Every parse returns how many bytes it consumed.
public struct TimestampParser: Sendable {
    /// Seconds east of UTC assumed for timestamps without a zone.
    public var defaultOffset: Int64 = 0

    public init(defaultOffset: Int64 = 0) { self.defaultOffset = defaultOffset }

    @inline(__always) static func digit(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i < p.count else { return nil }
        let c = p[i]
        return c >= 48 && c <= 57 ? Int(c - 48) : nil
    }

    @inline(__always) static func num(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        var v = 0
        for k in 0..<n {
            guard let d = digit(p, i + k) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// A fraction of a second after a `.` (or a `,` when `comma`) at `i`, which is advanced
    /// past it: nanoseconds and the number of digits written (at most 9 kept).
    @inline(__always)
    static func fraction(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, comma: Bool) -> (Int64, UInt8) {
        guard i < p.count, p[i] == 0x2E || (comma && p[i] == 0x2C), digit(p, i + 1) != nil else { return (0, 0) }
        i += 1
        var frac: Int64 = 0
        var digits: UInt8 = 0
        while let d = digit(p, i) {
            if digits < 9 { frac = frac * 10 + Int64(d); digits += 1 }
            i += 1
        }
        var k = digits
        while k < 9 { frac *= 10; k += 1 }
        return (frac, digits)
    }

    /// Printed precision for a number of fraction digits: 0, 3, 6 or 9.
    static func precision(_ digits: UInt8) -> UInt8 { digits == 0 ? 0 : digits <= 3 ? 3 : digits <= 6 ? 6 : 9 }

    /// Any supported form at the start of `p`.
    public func parse(_ p: UnsafeBufferPointer<UInt8>) -> (Timestamp, Int)? {
        guard p.count >= 8 else { return nil }
        if let r = parseISO(p) { return r }
        if let r = parseAccess(p) { return r }
        return nil
    }

    /// Parses from a `String` (command-line values and tests).
    public func parse(_ s: String) -> Timestamp? {
        var s = s
        return s.withUTF8 { p in
            guard let (t, n) = parse(p) else { return nil }
            return n == p.count ? t : nil
        }
    }

    /// `yyyy-mm-dd[T ]hh:mm[:ss][.frac][zone]`, also with `/` between date parts and two-digit years.
    public func parseISO(_ p: UnsafeBufferPointer<UInt8>) -> (Timestamp, Int)? {
        var i = 0
        var year: Int
        if let y = Self.num(p, 0, 4), p.count > 4, p[4] == 0x2D || p[4] == 0x2F {
            year = y; i = 5
        } else if let y = Self.num(p, 0, 2), p.count > 8, p[2] == 0x2F, p[5] == 0x2F {
            year = 2000 + y; i = 3
        } else {
            return nil
        }
        let sep = p[i - 1]
        guard let month = Self.num(p, i, 2), i + 2 < p.count, p[i + 2] == sep, let day = Self.num(p, i + 3, 2) else { return nil }
        i += 5
        guard i < p.count, p[i] == 0x54 || p[i] == 0x20 || p[i] == 0x74 || p[i] == 0x5F else {
            // A date alone.
            guard let days = Calendar.days(year: year, month: month, day: day),
                  let n = Calendar.nanos(days: days, secondOfDay: 0, fraction: 0, offsetSeconds: defaultOffset) else { return nil }
            return (Timestamp(nanos: n, precision: 0), i)
        }
        i += 1
        guard let hh = Self.num(p, i, 2), i + 2 < p.count, p[i + 2] == 0x3A, let mm = Self.num(p, i + 3, 2) else { return nil }
        i += 5
        var ss = 0
        if i < p.count, p[i] == 0x3A, let s = Self.num(p, i + 1, 2) { ss = s; i += 3 }
        guard hh < 24, mm < 60, ss <= 60 else { return nil }
        let (frac, digits) = Self.fraction(p, &i, comma: true)
        var offset = defaultOffset
        if i < p.count {
            let c = p[i]
            if c == 0x5A || c == 0x7A {
                offset = 0; i += 1
            } else if c == 0x2B || c == 0x2D, let oh = Self.num(p, i + 1, 2) {
                var j = i + 3
                var om = 0
                if j < p.count, p[j] == 0x3A, let m = Self.num(p, j + 1, 2) { om = m; j += 3 }
                else if let m = Self.num(p, j, 2) { om = m; j += 2 }
                let sign: Int64 = c == 0x2D ? -1 : 1
                offset = sign * Int64(oh * 3600 + om * 60)
                i = j
            } else if c == 0x20, i + 4 <= p.count, p[i + 1] == 0x55, p[i + 2] == 0x54, p[i + 3] == 0x43 {
                offset = 0; i += 4
            }
        }
        guard let days = Calendar.days(year: year, month: month, day: day),
              let n = Calendar.nanos(days: days, secondOfDay: Int64(hh * 3600 + mm * 60 + ss), fraction: frac, offsetSeconds: offset)
        else { return nil }
        return (Timestamp(nanos: n, precision: Self.precision(digits)), i)
    }

    static func month(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 3 <= p.count else { return nil }
        let a = p[i] | 0x20, b = p[i + 1] | 0x20, c = p[i + 2] | 0x20
        switch (a, b, c) {
        case (0x6A, 0x61, 0x6E): return 1
        case (0x66, 0x65, 0x62): return 2
        case (0x6D, 0x61, 0x72): return 3
        case (0x61, 0x70, 0x72): return 4
        case (0x6D, 0x61, 0x79): return 5
        case (0x6A, 0x75, 0x6E): return 6
        case (0x6A, 0x75, 0x6C): return 7
        case (0x61, 0x75, 0x67): return 8
        case (0x73, 0x65, 0x70): return 9
        case (0x6F, 0x63, 0x74): return 10
        case (0x6E, 0x6F, 0x76): return 11
        case (0x64, 0x65, 0x63): return 12
        default: return nil
        }
    }

    /// `10/Oct/2000:13:55:36 -0700` (Apache and nginx access logs).
    public func parseAccess(_ p: UnsafeBufferPointer<UInt8>) -> (Timestamp, Int)? {
        guard p.count >= 20, let day = Self.num(p, 0, 2), p[2] == 0x2F, let mon = Self.month(p, 3), p[6] == 0x2F,
              let year = Self.num(p, 7, 4), p[11] == 0x3A, let hh = Self.num(p, 12, 2), p[14] == 0x3A,
              let mm = Self.num(p, 15, 2), p[17] == 0x3A, let ss = Self.num(p, 18, 2) else { return nil }
        var i = 20
        let (frac, digits) = Self.fraction(p, &i, comma: false)
        var offset = defaultOffset
        if i + 5 < p.count + 0, p[i] == 0x20, p[i + 1] == 0x2B || p[i + 1] == 0x2D, let oh = Self.num(p, i + 2, 2), let om = Self.num(p, i + 4, 2) {
            offset = (p[i + 1] == 0x2D ? -1 : 1) * Int64(oh * 3600 + om * 60)
            i += 6
        }
        guard let days = Calendar.days(year: year, month: mon, day: day),
              let n = Calendar.nanos(days: days, secondOfDay: Int64(hh * 3600 + mm * 60 + ss), fraction: frac, offsetSeconds: offset) else { return nil }
        return (Timestamp(nanos: n, precision: Self.precision(digits)), i)
    }

    /// `Mmm dd hh:mm:ss` (syslog, RFC 3164); returns the month too so callers can roll the year.
    public func parseSyslog(_ p: UnsafeBufferPointer<UInt8>, year: Int) -> (Timestamp, Int, month: Int)? {
        guard p.count >= 15, let mon = Self.month(p, 0), p[3] == 0x20 else { return nil }
        let day: Int
        if p[4] == 0x20, let d = Self.digit(p, 5) { day = d } else if let d = Self.num(p, 4, 2) { day = d } else { return nil }
        guard p[6] == 0x20, let hh = Self.num(p, 7, 2), p[9] == 0x3A, let mm = Self.num(p, 10, 2), p[12] == 0x3A,
              let ss = Self.num(p, 13, 2) else { return nil }
        var i = 15
        let (frac, digits) = Self.fraction(p, &i, comma: false)
        guard let days = Calendar.days(year: year, month: mon, day: day),
              let n = Calendar.nanos(days: days, secondOfDay: Int64(hh * 3600 + mm * 60 + ss), fraction: frac, offsetSeconds: defaultOffset) else { return nil }
        return (Timestamp(nanos: n, precision: Self.precision(digits)), i, mon)
    }

    /// A number of seconds, milliseconds, microseconds or nanoseconds since the epoch,
    /// told apart by magnitude (as Vector and lnav do).
    public static func fromEpoch(_ v: Double) -> Timestamp? {
        // Before 1970 the unit cannot be told from the size: only seconds are taken,
        // back to 1678 (the earliest time Int64 nanoseconds hold).
        guard v.isFinite, v > -9.2e9 else { return nil }
        // Whole and fraction scaled apart: a Double product near 1e18 is off by up to
        // 128 ns (1714564800121 ms printed as .120), and past 2262 it would trap.
        func nanos(_ unit: Int64) -> Int64? {
            let whole = v.rounded(.down)
            let (n, o) = Int64(whole).multipliedReportingOverflow(by: unit)
            guard !o else { return nil }
            let (t, o2) = n.addingReportingOverflow(Int64(((v - whole) * Double(unit)).rounded()))
            return o2 ? nil : t
        }
        if v < 0 { return nanos(1_000_000_000).map { Timestamp(nanos: $0, precision: v == v.rounded() ? 0 : 6) } }
        if v < 1e11 { return nanos(1_000_000_000).map { Timestamp(nanos: $0, precision: v == v.rounded() ? 0 : 6) } }
        if v < 1e14 { return nanos(1_000_000).map { Timestamp(nanos: $0, precision: 3) } }
        if v < 1e17 { return nanos(1_000).map { Timestamp(nanos: $0, precision: 6) } }
        if v < 9.2e18 { return Timestamp(nanos: Int64(v), precision: 9) }
        return nil
    }
}
