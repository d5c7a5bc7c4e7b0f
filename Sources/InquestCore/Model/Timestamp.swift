/// A point in time: nanoseconds since the Unix epoch (UTC), with the number of
/// fractional-second digits the input carried, so output keeps the input's precision.
///
/// Signed 64-bit nanoseconds cover 1677 to 2262, which spans every log we expect;
/// parsers reject dates outside that range instead of overflowing.
public struct Timestamp: Sendable, Hashable, Comparable {
    public var nanos: Int64
    /// Fractional digits to print: 0, 3, 6 or 9.
    public var precision: UInt8

    public init(nanos: Int64, precision: UInt8 = 9) {
        self.nanos = nanos
        self.precision = precision
    }

    public init(seconds: Int64, precision: UInt8 = 0) {
        self.nanos = seconds &* 1_000_000_000
        self.precision = precision
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanos < b.nanos }
    public static func == (a: Timestamp, b: Timestamp) -> Bool { a.nanos == b.nanos }
    public func hash(into h: inout Hasher) { h.combine(nanos) }

    public var microseconds: Int64 { nanos.floorDiv(1000) }

    /// Span times and durations are kept within ±4.6e18 ns (years 1824 to 2115), so that a
    /// start plus a duration, or the distance between two times, never overflows.
    public static let spanLimit: Int64 = 4_600_000_000_000_000_000

    /// Microseconds (Jaeger, Zipkin) to nanoseconds; nil outside the span limit.
    public static func nanos(micros: Int64) -> Int64? {
        let (v, o) = micros.multipliedReportingOverflow(by: 1000)
        return !o && abs(v) <= spanLimit ? v : nil
    }

    /// `b - a` in nanoseconds, saturating instead of trapping on extreme times.
    public static func distance(_ a: Timestamp, _ b: Timestamp) -> Int64 {
        let (d, o) = b.nanos.subtractingReportingOverflow(a.nanos)
        return o ? (b.nanos > a.nanos ? .max : .min) : d
    }

    /// RFC 3339 in UTC, with `precision` fractional digits (or `digits` when given).
    public func rfc3339(digits: Int? = nil, offsetSeconds: Int = 0) -> String {
        let d = digits ?? Int(precision)
        // Saturating near the ends of the range (a time zone past Int64 shows the end).
        let (shifted, o) = nanos.addingReportingOverflow(Int64(offsetSeconds) &* 1_000_000_000)
        let local = o ? (offsetSeconds > 0 ? Int64.max : .min) : shifted
        let secs = local.floorDiv(1_000_000_000)
        // Wrapping is exact here: the true remainder is within 0..<1e9.
        let frac = local &- secs &* 1_000_000_000
        let (y, mo, da) = Calendar.civil(fromDays: secs.floorDiv(86_400))
        let sod = Int(secs - secs.floorDiv(86_400) * 86_400)
        var s = ""
        s.reserveCapacity(35)
        s += pad(y, 4); s += "-"; s += pad(mo, 2); s += "-"; s += pad(da, 2)
        s += "T"; s += pad(sod / 3600, 2); s += ":"; s += pad(sod / 60 % 60, 2); s += ":"; s += pad(sod % 60, 2)
        if d > 0 {
            var f = Int(frac)
            for _ in 0..<(9 - min(d, 9)) { f /= 10 }
            s += "."; s += pad(f, min(d, 9))
        }
        if offsetSeconds == 0 {
            s += "Z"
        } else {
            let sign = offsetSeconds < 0 ? "-" : "+"
            let a = abs(offsetSeconds)
            s += sign + pad(a / 3600, 2) + ":" + pad(a / 60 % 60, 2)
        }
        return s
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        var s = String(v < 0 ? -v : v)
        while s.count < width { s = "0" + s }
        return v < 0 ? "-" + s : s
    }
}

extension Int64 {
    @inlinable func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms), without Foundation.
public enum Calendar {
    /// Days since 1970-01-01 for a civil date; nil when the fields are out of range.
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int64? {
        guard month >= 1, month <= 12, day >= 1, day <= 31, year > -100_000, year < 100_000 else { return nil }
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// Nanoseconds since the epoch, checked against Int64 overflow.
    @inlinable
    public static func nanos(days: Int64, secondOfDay: Int64, fraction: Int64, offsetSeconds: Int64) -> Int64? {
        let (a, o1) = days.multipliedReportingOverflow(by: 86_400)
        guard !o1 else { return nil }
        let secs = a + secondOfDay - offsetSeconds
        let (b, o2) = secs.multipliedReportingOverflow(by: 1_000_000_000)
        guard !o2 else { return nil }
        let (c, o3) = b.addingReportingOverflow(fraction)
        return o3 ? nil : c
    }
}
