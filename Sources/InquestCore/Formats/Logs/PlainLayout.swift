/// Where the times and levels of a plain-text file are, learned from its first lines.
///
/// ```swift
/// let layout = PlainLayout.learn(firstLines, defaultOffset: 0)
/// layout?.description  // "yyMMdd HHmmss at column 0"
/// ```
///
/// The shape and field found in most of the lines win (the earlier field on a tie, so
/// an epoch beside a date beats a local time further on); the epoch alone is taken
/// only when half the lines have it in the same field and no other shape is common,
/// and its values in the sample lie within ten years of each other, since any
/// ten-digit number (an ID) could look like one. The level is the field after the time where most lines have a level
/// word, when at least three lines in ten do. A time that ends most of the lines it is
/// found on is part of their text, not a record's header: no layout then.
public struct PlainLayout: Sendable {
    public var shape: TimeShape
    /// The field (0-based, split on white space) the time starts in.
    public var field: Int
    /// The byte column, when every line of the sample had the time at the same one.
    public var column: Int?
    /// The field after the time that holds the level.
    public var levelField: Int?
    /// Sample lines the layout reads a time from.
    public var matched: Int
    /// The year of a full date written in the file before its first year-less time
    /// (a header line, or a date beside the time), for shapes without a year.
    public var yearHint: Int?
    /// For `inspect`: `MM-dd HH:mm:ss.SSS at column 0`.
    public var description: String
    /// Whether a line without a time is a record of its own rather than the rest of the
    /// record before it: true when most of the sample's lines without a time read as
    /// messages, not as the lines of a stack trace or a dump (see
    /// `PlainTextFormat.continues`). A time found on only some lines, in the middle
    /// of their text, must not swallow the lines around it.
    public var untimedAreRecords = false

    /// Learns a layout from the first lines of a file (blank lines already removed);
    /// nil when none of them carries a time.
    public static func learn(_ lines: [UnsafeBufferPointer<UInt8>], defaultOffset: Int64) -> PlainLayout? {
        let finder = PlainTimeFinder(defaultOffset: defaultOffset)
        struct Candidate { var count = 0; var column: Int?; var sameColumn = true; var line = 0; var low = Int64.max; var high = Int64.min }
        var candidates: [Int: Candidate] = [:]
        for (li, p) in lines.enumerated() {
            var seen: Set<Int> = []
            PlainTimeFinder.forEachField(p) { field, s in
                for shape in TimeShape.allCases where shape != .epochDate {
                    guard let t = finder.match(shape, p, at: s) else { continue }
                    let key = Int(t.shape.rawValue) * 1000 + field
                    guard seen.insert(key).inserted else { break }
                    var c = candidates[key] ?? Candidate(line: li)
                    if c.count == 0 { c.column = s } else if c.column != s { c.sameColumn = false }
                    c.count += 1
                    c.low = min(c.low, t.nanos)
                    c.high = max(c.high, t.nanos)
                    candidates[key] = c
                    break
                }
                return true
            }
        }
        func better(_ a: (Int, Candidate), than b: (Int, Candidate)?) -> Bool {
            guard let b else { return true }
            if a.1.count != b.1.count { return a.1.count > b.1.count }
            return a.0 % 1000 < b.0 % 1000
        }
        var strong: (Int, Candidate)?, weak: (Int, Candidate)?
        for (k, c) in candidates {
            if k / 1000 == Int(TimeShape.epoch.rawValue) {
                if better((k, c), than: weak) { weak = (k, c) }
            } else if better((k, c), than: strong) {
                strong = (k, c)
            }
        }
        let chosen: (Int, Candidate)
        if let s = strong, s.1.count * 2 >= lines.count {
            chosen = s
        } else if let w = weak, w.1.count * 2 >= lines.count, w.1.high &- w.1.low <= 10 * 366 * 86_400_000_000_000 {
            chosen = w
        } else if let s = strong {
            chosen = s
        } else {
            return nil
        }
        guard let shape = TimeShape(rawValue: UInt8(chosen.0 / 1000)) else { return nil }
        let field = chosen.0 % 1000
        var layout = PlainLayout(shape: shape, field: field, column: chosen.1.sameColumn ? chosen.1.column : nil,
                                 levelField: nil, matched: 0, yearHint: nil, description: "")
        // Where the level is, among the first twelve fields after the time.
        var levels = [Int](repeating: 0, count: 12)
        let format = PlainTextFormat(layout: layout)
        let times = lines.map { format.time($0, finder) }
        var untimed = 0, continued = 0, headed = 0
        for (li, p) in lines.enumerated() {
            guard let t = times[li] else {
                // The head of a stack trace (`java.io.IOException: boom`) reads as a
                // message, but the frames after it say what it is.
                untimed += 1
                if PlainTextFormat.continues(p)
                    || li + 1 < lines.count && times[li + 1] == nil && PlainTextFormat.continues(lines[li + 1]) { continued += 1 }
                continue
            }
            layout.matched += 1
            if li == chosen.1.line || layout.description.isEmpty { layout.description = shape.describe(p, t) }
            var after = t.end
            if after < p.count, p[after] == 0x5D || p[after] == 0x29 { after += 1 }
            if (after..<p.count).contains(where: { !PlainTextFormat.isTrim(p[$0]) }) { headed += 1 }
            PlainTextFormat.forEachField(p, from: after, count: 12) { k, f in
                if Level(bytes: UnsafeBufferPointer(rebasing: p[f])) != nil { levels[k] += 1 }
                return true
            }
        }
        // A time that ends most of the lines it is on is what their text says (`… at Tue
        // Mar 14 09:26:53 2023`), not a header that opens a record.
        if headed * 2 < layout.matched { return nil }
        if let best = levels.indices.max(by: { levels[$0] < levels[$1] || (levels[$0] == levels[$1] && $0 > $1) }),
           levels[best] * 10 >= layout.matched * 3, levels[best] > 0 {
            layout.levelField = best
        }
        layout.untimedAreRecords = continued * 2 < untimed
        layout.description += layout.column.map { " at column \($0)" } ?? " in field \(field + 1)"
        if shape.lacksYear { layout.yearHint = yearHint(lines, defaultOffset: defaultOffset) }
        return layout
    }

    /// The year of the first full date met before any year-less time, reading the lines
    /// in order and each line's fields in order (as lnav takes a year from a header).
    public static func yearHint(_ lines: [UnsafeBufferPointer<UInt8>], defaultOffset: Int64) -> Int? {
        let finder = PlainTimeFinder(defaultOffset: defaultOffset)
        for p in lines {
            var year: Int?
            PlainTimeFinder.forEachField(p) { _, s in
                var i = s
                if i < p.count, p[i] == 0x5B || p[i] == 0x28 { i += 1 }
                if let y = PlainTimeFinder.num(p, i, 4), y >= 1970, y < 2100, i + 10 <= p.count,
                   p[i + 4] == 0x2D || p[i + 4] == 0x2E || p[i + 4] == 0x2F, p[i + 7] == p[i + 4],
                   let m = PlainTimeFinder.num(p, i + 5, 2), m >= 1, m <= 12, let d = PlainTimeFinder.num(p, i + 8, 2), d >= 1, d <= 31 {
                    year = y
                    return false
                }
                guard let t = finder.any(p, at: s, weak: false) else { return true }
                // A year-less time first: this line says nothing about the year.
                if t.month != 0 { return false }
                year = Calendar.civil(fromDays: t.nanos.floorDiv(86_400_000_000_000)).0
                return false
            }
            if let year { return year }
        }
        return nil
    }
}

extension ParseContext {
    /// Nanoseconds for a time without a year: the year is the one the input was given
    /// (the file's, or from a date in it), one less when the first such time would be
    /// later than the file was last written, and one more each time the month goes
    /// back by more than half a year (December to January).
    mutating func placeYear(month: Int, day: Int, secondOfDay: Int64, fraction: Int64) -> Int64? {
        func at(_ year: Int) -> Int64? {
            guard let days = Calendar.days(year: year, month: month, day: day) else { return nil }
            return Calendar.nanos(days: days, secondOfDay: secondOfDay, fraction: fraction, offsetSeconds: time.defaultOffset)
        }
        guard var t = at(syslogYear) else { return nil }
        yearUsed = true
        if lastSyslogMonth == 0, let limit = syslogNotAfter, t > limit.nanos &+ 86_400_000_000_000 {
            syslogYear -= 1
            t = at(syslogYear) ?? t
        }
        if lastSyslogMonth > month + 6 {
            syslogYear += 1
            t = at(syslogYear) ?? t
        }
        lastSyslogMonth = month
        return t
    }
}
