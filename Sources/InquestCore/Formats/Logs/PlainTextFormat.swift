/// Plain text logs with a date and time near the start of each record: log4j,
/// logback, Python logging, Go's log, zap's console encoder, Android's logcat, the
/// Apache error log, and whatever else writes one of the ``TimeShape``s.
///
/// The first lines of a file decide its ``PlainLayout``: which shape, in which field,
/// and in which field after the time the level sits. Later lines are read with that
/// layout (one shape tried at one place); a line that does not fit it is searched for
/// any shape, and a line with no time at all continues the record before it, so Java
/// and Python stack traces stay with the record that raised them.
///
/// Without a learned layout (a container's inner line), a line is a record when it
/// opens with any shape but the epoch alone, and the level is the first level word
/// among the first four fields after the time.
public struct PlainTextFormat: LineFormat {
    public var name: String { "plain" }
    /// What the first lines of the input said; nil to search every line.
    public var layout: PlainLayout?
    public init(layout: PlainLayout? = nil) { self.layout = layout }

    /// Whether `parse` reads a time from the line (detection learns a layout from the
    /// whole sample instead: see `FormatRegistry.detectLines`).
    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        time(line, PlainTimeFinder(defaultOffset: 0)) != nil
    }

    /// The time in `line`, by the layout when there is one.
    @inline(__always)
    func time(_ line: UnsafeBufferPointer<UInt8>, _ finder: PlainTimeFinder) -> FoundTime? {
        guard let layout else {
            // No layout (a container's inner line): a time that opens the line.
            guard let first = line.first, !PlainTimeFinder.isSpace(first) else { return nil }
            return finder.any(line, at: 0, weak: false)
        }
        if let c = layout.column {
            if c < line.count, c == 0 || PlainTimeFinder.isSpace(line[c - 1]), let t = finder.match(layout.shape, line, at: c) { return t }
        } else if let s = PlainTimeFinder.fieldStart(line, layout.field, limit: PlainTimeFinder.window),
                  let t = finder.match(layout.shape, line, at: s) {
            return t
        }
        // Not where the layout says: the same shape in another field, or any dated shape
        // opening the line.
        if layout.shape != .epoch {
            var found: FoundTime?
            PlainTimeFinder.forEachField(line) { _, s in
                found = finder.match(layout.shape, line, at: s)
                return found == nil
            }
            if let found { return found }
        }
        guard let first = line.first, !PlainTimeFinder.isSpace(first) else { return nil }
        return finder.any(line, at: 0, weak: false)
    }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        let finder = PlainTimeFinder(defaultOffset: context.time.defaultOffset)
        guard let t = time(line, finder) else {
            guard layout?.untimedAreRecords == true, !Self.continues(line) else { return .continuation }
            // A message of its own (it opens with a letter or digit) in a file where only
            // some lines carry a time.
            r.level = inferLevel(line)
            if context.needs.contains(.message) { r.message = String(decoding: line, as: UTF8.self) }
            if context.needs.contains(.service) { r.service = context.fallbackService }
            if context.needs.contains(.trace) { extractIDs(line, into: &r) }
            return .record
        }
        if t.month == 0 {
            r.timestamp = Timestamp(nanos: t.nanos, precision: t.precision)
        } else if let n = context.placeYear(month: t.month, day: t.day, secondOfDay: t.secondOfDay, fraction: t.fraction) {
            r.timestamp = Timestamp(nanos: n, precision: t.precision)
        }
        let n = line.count
        var after = t.end
        if after < n, line[after] == 0x5D || line[after] == 0x29 { after += 1 }
        var msgStart = after
        var level: Level?
        if let lf = layout?.levelField {
            if let f = Self.field(line, from: after, index: lf), let l = Level(bytes: UnsafeBufferPointer(rebasing: line[f])) {
                level = l
                msgStart = f.upperBound
            } else {
                // A field more or fewer before it on this line (a location left out):
                // a level word of three letters or more a field or two either side.
                Self.forEachField(line, from: after, count: lf + 3) { k, f in
                    guard k >= lf - 2, f.count >= 3, let l = Level(bytes: UnsafeBufferPointer(rebasing: line[f])) else { return true }
                    level = l
                    msgStart = f.upperBound
                    return false
                }
            }
        } else {
            Self.forEachField(line, from: after, count: 4) { _, f in
                guard f.count >= 3, let l = Level(bytes: UnsafeBufferPointer(rebasing: line[f])) else { return true }
                level = l
                msgStart = f.upperBound
                return false
            }
        }
        while msgStart < n, Self.isGap(line[msgStart]) { msgStart += 1 }
        let msg = UnsafeBufferPointer(rebasing: line[msgStart...])
        r.level = level ?? inferLevel(msg)
        if context.needs.contains(.message) {
            // What comes before the time (a host, a node, a file name) stays in the message.
            var e = t.start
            if e > 0, line[e - 1] == 0x5B || line[e - 1] == 0x28 { e -= 1 }
            while e > 0, Self.isTrim(line[e - 1]) { e -= 1 }
            var b = 0
            while b < e, Self.isTrim(line[b]) { b += 1 }
            if b < e {
                r.message = String(decoding: UnsafeBufferPointer(rebasing: line[b..<e]), as: UTF8.self)
                if !msg.isEmpty { r.message += " " + String(decoding: msg, as: UTF8.self) }
            } else {
                r.message = String(decoding: msg, as: UTF8.self)
            }
        }
        if context.needs.contains(.service) { r.service = context.fallbackService }
        if context.needs.contains(.trace) { extractIDs(UnsafeBufferPointer(rebasing: line[t.end...]), into: &r) }
        return .record
    }

    /// Whether a line without a time reads as the rest of the record before it: it is
    /// indented, opens with punctuation (`}`, `]`, `#`, `-`, `...`), or opens as the lines
    /// of a Java or Python stack trace do (`at `, `Caused by:`, `Suppressed:`,
    /// `Traceback`). A line that opens with a letter or digit reads as a message.
    static func continues(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = line.first else { return true }
        let isLetter = (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A
        if !isLetter && !(first >= 0x30 && first <= 0x39) && first < 0x80 { return true }
        let openings: [StaticString] = ["at ", "Caused by:", "Suppressed:", "Traceback "]
        return openings.contains { opening in
            let n = opening.utf8CodeUnitCount, o = opening.utf8Start
            return line.count >= n && (0..<n).allSatisfy { line[$0] == o[$0] }
        }
    }

    /// Bytes around a level word or before a message: space, brackets, `:`, `,`, `|`, `-`.
    @inline(__always) static func isTrim(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x3A || c == 0x5D || c == 0x5B || c == 0x2C || c == 0x7C || c == 0x2D || c == 0x28 || c == 0x29
    }

    /// Bytes between the time or level and the message: space, `:`, `]`, `,`, `|`.
    @inline(__always) static func isGap(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x3A || c == 0x5D || c == 0x2C || c == 0x7C
    }

    @inline(__always) static func isFieldBreak(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x7C || c == 0x3A }

    /// Calls `body(index, range)` for up to `count` fields after `from` (split on white
    /// space, `|` and `:`; brackets, `:` and `,` around a field taken off), within 120 bytes.
    @inline(__always)
    static func forEachField(_ p: UnsafeBufferPointer<UInt8>, from: Int, count: Int, _ body: (Int, Range<Int>) -> Bool) {
        var i = from
        let n = min(p.count, from + 120)
        var k = 0
        while i < n, k < count {
            while i < n, isFieldBreak(p[i]) { i += 1 }
            var s = i
            while i < n, !isFieldBreak(p[i]) { i += 1 }
            if s == i { return }
            var e = i
            while s < e, p[s] == 0x5B || p[s] == 0x28 || p[s] == 0x3C { s += 1 }
            while e > s, p[e - 1] == 0x5D || p[e - 1] == 0x29 || p[e - 1] == 0x3E || p[e - 1] == 0x3A || p[e - 1] == 0x2C { e -= 1 }
            if !body(k, s..<e) { return }
            k += 1
        }
    }

    /// Field `index` after `from` (see `forEachField`).
    @inline(__always)
    static func field(_ p: UnsafeBufferPointer<UInt8>, from: Int, index: Int) -> Range<Int>? {
        var found: Range<Int>?
        forEachField(p, from: from, count: index + 1) { k, f in
            if k == index { found = f }
            return k < index
        }
        return found
    }
}

/// Lines of text without a timestamp: each line is a record (the last resort when
/// no other format fits, as `less` would show it).
public struct TextLinesFormat: LineFormat {
    public var name: String { "text" }
    public init() {}
    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { true }
    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        // No level guessed from words: prose (a README) is not an error log.
        if context.needs.contains(.message) { r.message = String(decoding: line, as: UTF8.self) }
        if context.needs.contains(.service) { r.service = context.fallbackService }
        return .record
    }
}
