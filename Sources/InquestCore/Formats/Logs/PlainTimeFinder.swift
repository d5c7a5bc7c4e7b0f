/// The date and time spellings that plain-text logs put near the start of a record.
///
/// These are shapes, not per-program formats: each is a way of writing a date and a
/// time that many programs share, found at any field that starts within the first
/// ``PlainTimeFinder/window`` bytes of a line.
public enum TimeShape: UInt8, Sendable, CaseIterable {
    /// ISO 8601 and its variants: `2024-05-01T12:00:00.123Z`, `2024/05/01 12:00:00`,
    /// `24/05/01 12:00:00`, `2024.05.01 12:00:00`, `2024-05-01-12.00.00.123456`.
    case iso
    /// `yyyyMMdd-HH:mm:ss:SSS` and `yyyyMMdd HH:mm:ss`.
    case compactDate
    /// `yyMMdd HHmmss` (and `yyyyMMdd HHmmss`).
    case compact
    /// `EEE MMM dd HH:mm:ss yyyy`, as C's `ctime` writes it, often in brackets.
    case ctime
    /// `MMM dd HH:mm:ss` without a year (syslog's), or with one after the time.
    case monthName
    /// `MM-dd HH:mm:ss.SSS` (also with `/` or `.` in the date) without a year.
    case monthDay
    /// Seconds (10 digits) or milliseconds (13) since the epoch beside a date that agrees.
    case epochDate
    /// Seconds or milliseconds since the epoch alone: taken only when the first lines
    /// of a file all carry one in the same field.
    case epoch

    /// Shapes without a year: it comes from the file (see `ParseContext.placeYear`).
    public var lacksYear: Bool { self == .monthName || self == .monthDay }
}

/// A date and time found in a line: where it is and what it says.
struct FoundTime {
    var start: Int
    var end: Int
    /// Nanoseconds since the epoch, when the shape carries a year (`month == 0`).
    var nanos: Int64 = 0
    /// For shapes without a year: the month (1–12), day, second of the day and fraction.
    var month = 0
    var day = 0
    var secondOfDay: Int64 = 0
    var fraction: Int64 = 0
    var precision: UInt8 = 0
    /// A year written after a syslog-style time (`Jun 14 15:16:01 2005`).
    var shape: TimeShape
}

/// Finds dates and times in plain-text lines, from bytes.
///
/// A field starts at the beginning of a line or after white space, and may open with
/// `[` or `(`. Times that start inside a word (a date in a file name) are not taken.
/// `find` tries every shape at every field in the window (used to learn a file's
/// layout and for lines that do not fit it); `match` tries one shape at one field,
/// which is what most lines of a file need.
struct PlainTimeFinder {
    /// How far into a line a record's time may start.
    static let window = 80
    var offset: Int64

    init(defaultOffset: Int64) { offset = defaultOffset }

    typealias P = UnsafeBufferPointer<UInt8>

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    @inline(__always) static func isDigit(_ p: P, _ i: Int) -> Bool { i < p.count && p[i] &- 48 < 10 }
    @inline(__always) static func num(_ p: P, _ i: Int, _ n: Int) -> Int? { TimestampParser.num(p, i, n) }

    /// The byte where field `index` (0-based, split on white space) starts, if it starts
    /// within `limit` bytes.
    @inline(__always) static func fieldStart(_ p: P, _ index: Int, limit: Int) -> Int? {
        var i = 0
        let n = min(p.count, limit)
        var field = 0
        while i < n {
            while i < n, isSpace(p[i]) { i += 1 }
            if i >= n { return nil }
            if field == index { return i }
            while i < n, !isSpace(p[i]) { i += 1 }
            field += 1
        }
        return nil
    }

    /// Calls `body(field, start)` for each field starting within the window.
    @inline(__always) static func forEachField(_ p: P, _ body: (Int, Int) -> Bool) {
        var i = 0
        let n = min(p.count, window)
        var field = 0
        while i < n {
            while i < n, isSpace(p[i]) { i += 1 }
            if i >= n { return }
            if !body(field, i) { return }
            while i < p.count, !isSpace(p[i]) { i += 1 }
            field += 1
        }
    }

    /// `shape` at field start `s` (an opening `[` or `(` is passed over).
    @inline(__always) func match(_ shape: TimeShape, _ p: P, at s: Int) -> FoundTime? {
        var i = s
        if i < p.count, p[i] == 0x5B || p[i] == 0x28 { i += 1 }
        switch shape {
        case .iso: return iso(p, i)
        case .compactDate: return compactDate(p, i)
        case .compact: return compact(p, i)
        case .ctime: return ctime(p, i)
        case .monthName: return monthName(p, i)
        case .monthDay: return monthDay(p, i)
        case .epochDate: return epoch(p, i, field: s).flatMap { $0.shape == .epochDate ? $0 : nil }
        case .epoch: return epoch(p, i, field: s)
        }
    }

    /// The first shape that matches at field start `s`; `.epoch` alone only when `weak`.
    func any(_ p: P, at s: Int, weak: Bool) -> FoundTime? {
        for shape in TimeShape.allCases where shape != .epochDate {
            if shape == .epoch {
                guard let t = match(.epoch, p, at: s), weak || t.shape == .epochDate else { continue }
                return t
            }
            if let t = match(shape, p, at: s) { return t }
        }
        return nil
    }

    /// The first time in the window, with the field it is in.
    func find(_ p: P, weak: Bool = false) -> (FoundTime, field: Int)? {
        var found: (FoundTime, Int)?
        Self.forEachField(p) { field, s in
            if let t = any(p, at: s, weak: weak) { found = (t, field); return false }
            return true
        }
        return found
    }

    // MARK: Shapes

    func full(_ s: Int, _ e: Int, _ shape: TimeShape, year: Int, month: Int, day: Int, sod: Int, frac: Int64, digits: UInt8, offset: Int64) -> FoundTime? {
        guard let days = Calendar.days(year: year, month: month, day: day),
              let n = Calendar.nanos(days: days, secondOfDay: Int64(sod), fraction: frac, offsetSeconds: offset) else { return nil }
        return FoundTime(start: s, end: e, nanos: n, precision: TimestampParser.precision(digits), shape: shape)
    }

    @inline(__always) static func validClock(_ h: Int, _ m: Int, _ s: Int) -> Bool { h < 24 && m < 60 && s <= 60 }

    /// A fraction after `.` or `,`; or milliseconds after `:`, one to three digits, as
    /// some Android programs write them (`22:15:35:11` is 11 ms past the second).
    @inline(__always) static func fraction(_ p: P, _ i: inout Int) -> (Int64, UInt8) {
        if i < p.count, p[i] == 0x3A {
            var k = i + 1
            var ms: Int64 = 0
            while k < p.count, p[k] &- 48 < 10, k - i <= 3 { ms = ms * 10 + Int64(p[k] - 48); k += 1 }
            guard k > i + 1, !isDigit(p, k) else { return (0, 0) }
            i = k
            return (ms * 1_000_000, 3)
        }
        return TimestampParser.fraction(p, &i, comma: true)
    }

    /// A zone after the time: `Z`, `±hh:mm`, `±hhmm`, ` UTC`; the default otherwise.
    @inline(__always) func zone(_ p: P, _ i: inout Int) -> Int64 {
        guard i < p.count else { return offset }
        let c = p[i]
        if c == 0x5A || c == 0x7A { i += 1; return 0 }
        if c == 0x2B || c == 0x2D, let oh = Self.num(p, i + 1, 2), oh < 24 {
            var j = i + 3
            var om = 0
            if j < p.count, p[j] == 0x3A, let m = Self.num(p, j + 1, 2) { om = m; j += 3 } else if let m = Self.num(p, j, 2) { om = m; j += 2 }
            guard !Self.isDigit(p, j), om < 60 else { return offset }
            i = j
            return (c == 0x2D ? -1 : 1) * Int64(oh * 3600 + om * 60)
        }
        if c == 0x20, i + 4 <= p.count, p[i + 1] == 0x55, p[i + 2] == 0x54, p[i + 3] == 0x43, i + 4 == p.count || !isLetter(p[i + 4]) {
            i += 4; return 0
        }
        return offset
    }

    /// `HH:mm[:ss]` (or with `.` between the parts) at `i`: the second of the day and
    /// where it ends. With `loose`, the parts may have one digit (`23:1:5`).
    @inline(__always) static func clock(_ p: P, _ i: Int, dots: Bool, loose: Bool = false) -> (Int, Int)? {
        @inline(__always) func part(_ k: Int) -> (Int, Int)? {
            if let v = num(p, k, 2) { return (v, k + 2) }
            if loose, let v = TimestampParser.digit(p, k) { return (v, k + 1) }
            return nil
        }
        guard let (hh, a) = part(i), a < p.count else { return nil }
        let sep = p[a]
        guard sep == 0x3A || (dots && sep == 0x2E), let (mm, b) = part(a + 1) else { return nil }
        var k = b
        var ss = 0
        if k < p.count, p[k] == sep, let (s, c) = part(k + 1) { ss = s; k = c }
        guard validClock(hh, mm, ss), !isDigit(p, k) else { return nil }
        return (hh * 3600 + mm * 60 + ss, k)
    }

    func iso(_ p: P, _ s: Int) -> FoundTime? {
        // Nearly every line of a file in this shape: `yyyy-MM-dd HH:mm:ss` (or `T`),
        // read in place; what the general reading below gives for it, with one test a
        // byte. Anything else (or a clock out of range) is left to that reading.
        if let b = p.baseAddress, s &+ 19 <= p.count {
            @inline(__always) func d(_ k: Int) -> Int { Int(b[s &+ k] &- 48) }
            @inline(__always) func g(_ k: Int) -> Bool { b[s &+ k] &- 48 < 10 && b[s &+ k &+ 1] &- 48 < 10 }
            let digits = g(0) && g(2) && g(5) && g(8) && g(11) && g(14) && g(17)
            let t = b[s &+ 10]
            if digits && b[s &+ 4] == 0x2D && b[s &+ 7] == 0x2D && (t == 0x20 || t == 0x54) && b[s &+ 13] == 0x3A && b[s &+ 16] == 0x3A
                && !Self.isDigit(p, s &+ 19) {
                let hh = d(11) &* 10 &+ d(12), mm = d(14) &* 10 &+ d(15), ss = d(17) &* 10 &+ d(18)
                if Self.validClock(hh, mm, ss) {
                    var i = s &+ 19
                    let (frac, fd) = Self.fraction(p, &i)
                    let off = zone(p, &i)
                    return full(s, i, .iso, year: d(0) &* 1000 &+ d(1) &* 100 &+ d(2) &* 10 &+ d(3), month: d(5) &* 10 &+ d(6),
                                day: d(8) &* 10 &+ d(9), sod: hh &* 3600 &+ mm &* 60 &+ ss, frac: frac, digits: fd, offset: off)
                }
            }
        }
        return isoGeneral(p, s)
    }

    /// `iso` without the shortcut for its common spelling (tested against each other).
    func isoGeneral(_ p: P, _ s: Int) -> FoundTime? {
        var i = s
        let year: Int
        guard Self.isDigit(p, i), Self.isDigit(p, i + 1) else { return nil }
        if let y = Self.num(p, i, 4), i + 4 < p.count, p[i + 4] == 0x2D || p[i + 4] == 0x2F || p[i + 4] == 0x2E {
            year = y; i += 5
        } else if let y = Self.num(p, i, 2), i + 2 < p.count, p[i + 2] == 0x2F {
            year = 2000 + y; i += 3
        } else {
            return nil
        }
        let sep = p[i - 1]
        guard let month = Self.num(p, i, 2), i + 2 < p.count, p[i + 2] == sep, let day = Self.num(p, i + 3, 2), i + 5 < p.count else { return nil }
        i += 5
        let c = p[i]
        guard c == 0x54 || c == 0x74 || c == 0x20 || c == 0x5F || c == 0x2D else { return nil }
        i += 1
        guard let (sod, k) = Self.clock(p, i, dots: c == 0x2D || sep == 0x2E) else { return nil }
        i = k
        let (frac, digits) = Self.fraction(p, &i)
        let off = zone(p, &i)
        return full(s, i, .iso, year: year, month: month, day: day, sod: sod, frac: frac, digits: digits, offset: off)
    }

    func compactDate(_ p: P, _ s: Int) -> FoundTime? {
        guard let y = Self.num(p, s, 4), let mo = Self.num(p, s + 4, 2), let d = Self.num(p, s + 6, 2), s + 8 < p.count else { return nil }
        let c = p[s + 8]
        guard c == 0x2D || c == 0x20 || c == 0x54, let (sod, k) = Self.clock(p, s + 9, dots: false, loose: true) else { return nil }
        var i = k
        let (frac, digits) = Self.fraction(p, &i)
        let off = zone(p, &i)
        return full(s, i, .compactDate, year: y, month: mo, day: d, sod: sod, frac: frac, digits: digits, offset: off)
    }

    func compact(_ p: P, _ s: Int) -> FoundTime? {
        var i = s
        let year: Int, date: Int
        if let v = Self.num(p, i, 6), i + 6 < p.count, p[i + 6] == 0x20 {
            let yy = v / 10000
            year = yy < 70 ? 2000 + yy : 1900 + yy
            date = v % 10000
            i += 7
        } else if let v = Self.num(p, i, 8), i + 8 < p.count, p[i + 8] == 0x20 {
            year = v / 10000
            date = v % 10000
            i += 9
        } else {
            return nil
        }
        let month = date / 100, day = date % 100
        guard let t = Self.num(p, i, 6), !Self.isDigit(p, i + 6) else { return nil }
        let hh = t / 10000, mm = t / 100 % 100, ss = t % 100
        guard Self.validClock(hh, mm, ss), month >= 1, month <= 12, day >= 1, day <= 31 else { return nil }
        i += 6
        let (frac, digits) = Self.fraction(p, &i)
        return full(s, i, .compact, year: year, month: month, day: day, sod: hh * 3600 + mm * 60 + ss, frac: frac, digits: digits, offset: offset)
    }

    /// `MMM dd HH:mm:ss` or `MMM  d HH:mm:ss` at `i`: month, day, second of day, end.
    @inline(__always) static func monthNameClock(_ p: P, _ i: Int) -> (Int, Int, Int, Int)? {
        guard let mon = TimestampParser.month(p, i), i + 5 < p.count, p[i + 3] == 0x20 else { return nil }
        var k = i + 4
        if p[k] == 0x20 { k += 1 }
        guard let d1 = TimestampParser.digit(p, k) else { return nil }
        var day = d1
        k += 1
        if let d2 = TimestampParser.digit(p, k) { day = day * 10 + d2; k += 1 }
        guard k < p.count, p[k] == 0x20, day >= 1, day <= 31, let (sod, e) = clock(p, k + 1, dots: false) else { return nil }
        return (mon, day, sod, e)
    }

    func ctime(_ p: P, _ s: Int) -> FoundTime? {
        // A weekday name: three letters and a space.
        guard s + 4 < p.count, isLetter(p[s]), isLetter(p[s + 1]), isLetter(p[s + 2]), p[s + 3] == 0x20,
              let (mon, day, sod, e) = Self.monthNameClock(p, s + 4) else { return nil }
        var i = e
        let (frac, digits) = Self.fraction(p, &i)
        guard i < p.count, p[i] == 0x20, let y = Self.num(p, i + 1, 4), !Self.isDigit(p, i + 5) else { return nil }
        i += 5
        return full(s, i, .ctime, year: y, month: mon, day: day, sod: sod, frac: frac, digits: digits, offset: offset)
    }

    func monthName(_ p: P, _ s: Int) -> FoundTime? {
        guard let (mon, day, sod, e) = Self.monthNameClock(p, s) else { return nil }
        var i = e
        let (frac, digits) = Self.fraction(p, &i)
        // A year after the time (`Jun 14 15:16:01 2005`).
        if i + 5 <= p.count, p[i] == 0x20, let y = Self.num(p, i + 1, 4), y >= 1970, y < 2100, i + 5 == p.count || Self.isSpace(p[i + 5]) {
            return full(s, i + 5, .monthName, year: y, month: mon, day: day, sod: sod, frac: frac, digits: digits, offset: offset)
        }
        return FoundTime(start: s, end: i, month: mon, day: day, secondOfDay: Int64(sod), fraction: frac,
                         precision: TimestampParser.precision(digits), shape: .monthName)
    }

    func monthDay(_ p: P, _ s: Int) -> FoundTime? {
        guard let mon = Self.num(p, s, 2), s + 5 < p.count else { return nil }
        let sep = p[s + 2]
        guard sep == 0x2D || sep == 0x2F || sep == 0x2E, let day = Self.num(p, s + 3, 2), p[s + 5] == 0x20,
              mon >= 1, mon <= 12, day >= 1, day <= 31, let (sod, e) = Self.clock(p, s + 6, dots: false) else { return nil }
        var i = e
        let (frac, digits) = Self.fraction(p, &i)
        return FoundTime(start: s, end: i, month: mon, day: day, secondOfDay: Int64(sod), fraction: frac,
                         precision: TimestampParser.precision(digits), shape: .monthDay)
    }

    /// Ten digits of seconds (2001–2099) or thirteen of milliseconds, ending the field or
    /// followed by a fraction: `.epochDate` when the field before or after is a date
    /// within a day of it, `.epoch` otherwise.
    func epoch(_ p: P, _ s: Int, field: Int) -> FoundTime? {
        var k = s
        var v: Int64 = 0
        while k < p.count, p[k] &- 48 < 10, k - s < 14 { v = v * 10 + Int64(p[k] - 48); k += 1 }
        let len = k - s
        // 2001-09-09 (ten digits begin) to 2100, checked before scaling to nanoseconds.
        guard (len == 10 && v < 4_102_444_800) || (len == 13 && v >= 1_000_000_000_000 && v < 4_102_444_800_000) else { return nil }
        var nanos: Int64
        var digits: UInt8 = 0
        if len == 10 {
            var i = k
            let (frac, d) = TimestampParser.fraction(p, &i, comma: false)
            k = i
            digits = d
            nanos = v * 1_000_000_000 + frac
        } else {
            nanos = v * 1_000_000
            digits = 3
        }
        guard k == p.count || Self.isSpace(p[k]) || p[k] == 0x5D || p[k] == 0x29 || p[k] == 0x2C || p[k] == 0x7C,
              nanos >= 1_000_000_000 * 1_000_000_000, nanos < 4_102_444_800 * 1_000_000_000 else { return nil }
        var t = FoundTime(start: s, end: k, nanos: nanos, precision: TimestampParser.precision(digits), shape: .epoch)
        let days = nanos / 86_400_000_000_000
        func agrees(_ at: Int) -> Bool {
            guard let y = Self.num(p, at, 4), at + 10 <= p.count else { return false }
            let sep = p[at + 4]
            guard sep == 0x2D || sep == 0x2E || sep == 0x2F, p[at + 7] == sep, let m = Self.num(p, at + 5, 2),
                  let d = Self.num(p, at + 8, 2), let dd = Calendar.days(year: y, month: m, day: d) else { return false }
            return abs(dd - days) <= 1
        }
        // The field after, or the one before.
        var a = k
        while a < p.count, Self.isSpace(p[a]) { a += 1 }
        if a > k, agrees(a) { t.shape = .epochDate; return t }
        var e = field - 1
        while e >= 0, Self.isSpace(p[e]) { e -= 1 }
        if e < field - 1, e >= 9 {
            let b = e - 9
            if b == 0 || Self.isSpace(p[b - 1]), agrees(b) { t.shape = .epochDate }
        }
        return t
    }
}

extension TimeShape {
    /// How `inspect` names the shape, from the bytes of a line that has it
    /// (`2024-05-01 12:00:00,123` → `yyyy-MM-dd HH:mm:ss,SSS`).
    func describe(_ p: UnsafeBufferPointer<UInt8>, _ t: FoundTime) -> String {
        var out: String
        switch self {
        case .epoch, .epochDate:
            let unit = t.end - t.start >= 13 && t.precision == 3 ? "epoch milliseconds" : "epoch seconds"
            return self == .epochDate ? unit + " beside a date" : unit
        case .compact:
            out = t.end - t.start >= 15 ? "yyyyMMdd HHmmss" : "yyMMdd HHmmss"
        case .ctime: out = pattern(p, t, ["EEE", "MMM", "d", "H", "m", "s", "y"], words: true)
        case .monthName: out = pattern(p, t, ["MMM", "d", "H", "m", "s", "y"], words: true)
        case .monthDay: out = pattern(p, t, ["M", "d", "H", "m", "s"], words: false)
        case .compactDate: out = pattern(p, t, ["yyyyMMdd", "H", "m", "s"], words: false)
        case .iso: out = pattern(p, t, ["y", "M", "d", "H", "m", "s"], words: false)
        }
        if t.start > 0, p[t.start - 1] == 0x5B {
            out = "[" + out + (t.end < p.count && p[t.end] == 0x5D ? "]" : "")
        }
        return out
    }

    /// The matched bytes with each run of digits (and of letters, when `words`) replaced
    /// by the next pattern letter, repeated as long as the run unless the entry is
    /// longer than one letter; a run after the seconds behind `.`, `,` or `:` is the
    /// fraction (`S`); what follows the last field is a zone (`Z` or `XXX`).
    private func pattern(_ p: UnsafeBufferPointer<UInt8>, _ t: FoundTime, _ letters: [String], words: Bool) -> String {
        var out = ""
        var i = t.start
        var field = 0
        var afterSeconds = false
        while i < t.end {
            let c = p[i]
            let digit = c &- 48 < 10
            guard digit || (words && isLetter(c)) else {
                out.append(Character(Unicode.Scalar(c)))
                i += 1
                continue
            }
            var j = i
            while j < t.end, digit ? p[j] &- 48 < 10 : isLetter(p[j]) { j += 1 }
            let prev = i > t.start ? p[i - 1] : 0
            if afterSeconds, digit, prev == 0x2E || prev == 0x2C || prev == 0x3A {
                out += String(repeating: "S", count: j - i)
                afterSeconds = false
            } else if field < letters.count {
                let l = letters[field]
                out += l.count > 1 ? l : String(repeating: l, count: j - i)
                afterSeconds = l == "s"
                field += 1
            } else {
                // A zone.
                if out.last == "+" || out.last == "-" { out.removeLast() }
                out += c == 0x5A || c == 0x7A ? "Z" : "XXX"
                break
            }
            i = j
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }
}
