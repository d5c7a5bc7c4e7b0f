/// How `JSONLinesFormat.scanFlat` reads: every member, or (`levelDecides`) only up to
/// the best level key when nothing else of the record is wanted.
protocol FlatScanMode { static var levelDecides: Bool { get } }

/// Where `JSONLinesFormat.scanFlat` puts the best member of each role: a whole `Scan`, or
/// (`LevelMembers`) a value with nothing to release, for a reading that wants the level alone.
protocol FlatMembers {
    var time: JSONLinesFormat.Found { get set }
    var level: JSONLinesFormat.Found { get set }
    var message: JSONLinesFormat.Found { get set }
    var service: JSONLinesFormat.Found { get set }
    var trace: JSONLinesFormat.Found { get set }
    var span: JSONLinesFormat.Found { get set }
    var levelIsOTLP: Bool { get set }
}

extension JSONLinesFormat.Scan: FlatMembers {}

extension JSONLinesFormat {
    /// JSON's whitespace: any byte above a space is not, one comparison for nearly every byte.
    @inline(__always)
    static func isJSONSpace(_ c: UInt8) -> Bool { c <= 0x20 && (c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) }

    enum EveryMember: FlatScanMode { static var levelDecides: Bool { false } }
    enum UpToLevel: FlatScanMode { static var levelDecides: Bool { true } }

    /// One pass over a flat JSON object — the common log line — finding the members a
    /// record is built from, with the cursor in a register and strings skipped eight
    /// bytes at a time. It accepts exactly what `scanObject` accepts; it gives up (returns
    /// false, and the caller scans again with `scanObject`, which says what is wrong) on
    /// anything else: malformed input, a role's member holding an object (`"log":{…}`),
    /// or when other fields are wanted.
    ///
    /// A key is first compared with the one remembered for its place (`memo`, of
    /// `KeyMemo.capacity` entries), and remembered when it is read.
    ///
    /// With `Mode.levelDecides` (nothing of the record is wanted but its level), the members
    /// after a `level` key (the best of its role: no later one replaces it) are only
    /// checked, by `validateRest`.
    ///
    /// A type, not a flag: each reading is compiled on its own (a flag, though constant,
    /// made the reading of every member slower).
    ///
    /// On success, `sc.pos` is just after the closing brace.
    static func scanFlat<Mode: FlatScanMode, Members: FlatMembers>(_ sc: inout JSONScanner, _ scan: inout Members, memo: UnsafeMutablePointer<KeyMemo.Entry>, _: Mode.Type) -> Bool {
        let b = sc.base, end = sc.end
        var i = sc.pos
        guard sc.maxDepth >= 1, i < end, b[i] == 0x7B else { return false }
        i += 1
        while i < end, isJSONSpace(b[i]) { i += 1 }
        guard i < end else { return false }
        if b[i] == 0x7D { sc.pos = i + 1; return true }
        var place = 0
        while true {
            guard var (role, prio) = memberKey(b, &i, end: end, place: place, memo: memo) else { return false }
            place &+= 1
            while i < end, isJSONSpace(b[i]) { i += 1 }
            guard i < end else { return false }
            let c = b[i]
            switch role {
            case .nestLog, .nestService, .nestTrace, .nestSpan, .nestDD, .nestFields:
                if c == 0x7B { return false }
                switch role {
                case .nestService: (role, prio) = (.service, 1)
                case .nestTrace: (role, prio) = (.trace, TraceContext.bareKeyPriority)
                case .nestSpan: (role, prio) = (.span, TraceContext.bareKeyPriority)
                default: (role, prio) = (.other, 0)
                }
            default: break
            }
            // The value, as `JSONScanner.skipValue` reads it.
            var f = Found(priority: prio)
            let valueStart = i
            if c == 0x22 {
                f.kind = .string
                guard let q = stringEnd(b, from: i + 1, end: end) else { return false }
                f.range = (i + 1)..<q.at
                f.escaped = q.escaped
                i = q.at + 1
            } else if c == 0x7B || c == 0x5B {
                // The line's object is the first level: its values may open one fewer.
                guard let after = JSONScanner.skipNestedFast(b, from: i, end: end, maxDepth: sc.maxDepth - 1) else { return false }
                f.kind = c == 0x7B ? .object : .array
                i = after
                f.range = valueStart..<i
            } else {
                guard let l = literalEnd(b, from: i, end: end) else { return false }
                i = l.end
                f.kind = l.kind
                f.range = valueStart..<i
            }
            switch role {
            case .time: if prio < scan.time.priority { scan.time = f }
            case .level:
                if prio < scan.level.priority { scan.level = f; scan.levelIsOTLP = false }
                // The best level key: no later member can change the record, when nothing
                // else of it is wanted; the rest of the line only decides whether it is valid.
                if Mode.levelDecides && scan.level.priority == 0 {
                    return validateRest(&sc, from: i, place: place, memo: memo)
                }
            case .levelOTLP: if prio < scan.level.priority { scan.level = f; scan.levelIsOTLP = true }
            case .message: if prio < scan.message.priority, f.kind == .string || f.kind == .object || f.kind == .array { scan.message = f }
            case .service: if prio < scan.service.priority, f.kind == .string { scan.service = f }
            case .trace: if prio < scan.trace.priority { scan.trace = f }
            case .span: if prio < scan.span.priority { scan.span = f }
            default: break
            }
            while i < end, isJSONSpace(b[i]) { i += 1 }
            guard i < end else { return false }
            let sep = b[i]
            i += 1
            if sep == 0x2C { continue }
            if sep == 0x7D { sc.pos = i; return true }
            return false
        }
    }

    /// The members after the one ending at `from` (`place` members read), checked as
    /// `scanFlat` checks them, nothing recorded: true when they are exactly what
    /// `scanFlat` (and so `scanObject`) accepts, false on anything else, as there: a key
    /// whose role nests (`log`, `service`, `trace`, `span`, `dd`, `@fields`) holding an
    /// object, which `scanObject` reads and checks member by member.
    ///
    /// On success, `sc.pos` is just after the closing brace.
    static func validateRest(_ sc: inout JSONScanner, from: Int, place start: Int, memo: UnsafeMutablePointer<KeyMemo.Entry>) -> Bool {
        let b = sc.base, end = sc.end
        var i = from, place = start
        while true {
            // The separator.
            while i < end, isJSONSpace(b[i]) { i += 1 }
            guard i < end else { return false }
            let sep = b[i]
            i += 1
            if sep == 0x7D { sc.pos = i; return true }
            guard sep == 0x2C else { return false }
            // The key: only whether its role nests.
            guard let (role, _) = memberKey(b, &i, end: end, place: place, memo: memo) else { return false }
            place &+= 1
            // The value.
            while i < end, isJSONSpace(b[i]) { i += 1 }
            guard i < end else { return false }
            let c = b[i]
            if c == 0x22 {
                guard let q = stringEnd(b, from: i + 1, end: end) else { return false }
                i = q.at + 1
            } else if c == 0x7B || c == 0x5B {
                if c == 0x7B && role.rawValue &- Role.nestLog.rawValue <= Role.nestFields.rawValue &- Role.nestLog.rawValue { return false }
                // The line's object is the first level: its values may open one fewer.
                guard let after = JSONScanner.skipNestedFast(b, from: i, end: end, maxDepth: sc.maxDepth - 1) else { return false }
                i = after
            } else {
                guard let l = literalEnd(b, from: i, end: end) else { return false }
                i = l.end
            }
        }
    }

    /// The member name at `i` (spaces before it allowed) and its role: compared first with
    /// the one remembered for its place (`memo[place]`), else read, classified and
    /// remembered. Nil when it is not a string followed by `:`; else `i` is just after the `:`.
    @_transparent  // not merely @inline(__always): not always followed in a function this long
    static func memberKey(_ b: UnsafePointer<UInt8>, _ i: inout Int, end: Int, place: Int,
                          memo: UnsafeMutablePointer<KeyMemo.Entry>) -> (Role, UInt8)? {
        guard i < end else { return nil }
        if b[i] != 0x22 {
            while i < end, isJSONSpace(b[i]) { i += 1 }
            guard i < end, b[i] == 0x22 else { return nil }
        }
        if place < KeyMemo.capacity && i &+ 16 <= end && memo[place].matches(b + i) {
            // `"key":` as on the line before.
            i &+= memo[place].span
            return (memo[place].role, memo[place].prio)
        }
        let keyStart = i + 1
        guard let keyEnd = JSONScanner.closingQuote(b, from: keyStart, end: end) else { return nil }
        i = keyEnd.at + 1
        let (role, prio) = classify(b + keyStart, keyEnd.at - keyStart, nested: nil)
        if i < end && b[i] == 0x3A {
            i += 1  // `"key":` as nearly every writer puts it
            let span = i - (keyStart - 1)
            if place < KeyMemo.capacity && !keyEnd.escaped && span <= 16 && keyStart - 1 + 16 <= end {
                memo[place].remember(b + keyStart - 1, span: span, role: role, prio: prio)
            }
        } else {
            while i < end, isJSONSpace(b[i]) { i += 1 }
            guard i < end, b[i] == 0x3A else { return nil }
            i += 1
        }
        return (role, prio)
    }

    /// The closing quote of a string whose contents start at `from`, and whether they hold
    /// an escape. Most values: the first quote or backslash is the closing quote, sixteen
    /// bytes or more before the end of the line (searched here, not by a call); else as
    /// any string.
    @_transparent  // not merely @inline(__always): not always followed in a function this long
    static func stringEnd(_ b: UnsafePointer<UInt8>, from: Int, end: Int) -> (at: Int, escaped: Bool)? {
        var j = from
        while j &+ 16 <= end {
            let v = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD16<UInt8>.self)
            let m = (v .== SIMD16<UInt8>(repeating: 0x22)) .| (v .== SIMD16<UInt8>(repeating: 0x5C))
            let k = ByteSearch.firstLaneOr16(m)
            if k < 16 {
                let at = j &+ k
                if b[at] == 0x22 { return (at, false) }
                break
            }
            j &+= 16
        }
        // No quote nor backslash before `j`.
        return JSONScanner.closingQuote(b, from: j, end: end)
    }

    /// The end of a number, true, false or null starting at `from` (to the next `,`, `}`,
    /// `]` or space) and its kind (`.invalid` for other bytes, as `skipValue` takes them);
    /// nil when empty, or a misspelt true, false or null.
    @_transparent  // not merely @inline(__always): not always followed in a function this long
    static func literalEnd(_ b: UnsafePointer<UInt8>, from: Int, end: Int) -> (end: Int, kind: JSONScanner.Kind)? {
        var i = from
        // The first such byte or control byte among the next sixteen, then (a control byte
        // that is not a space is part of the value) one byte at a time.
        if i &+ 16 <= end {
            let v = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<UInt8>.self)
            let m = (v .== SIMD16<UInt8>(repeating: 0x2C)) .| (v .== SIMD16<UInt8>(repeating: 0x7D))
                .| (v .== SIMD16<UInt8>(repeating: 0x5D)) .| (v .<= SIMD16<UInt8>(repeating: 0x20))
            i &+= ByteSearch.firstLaneOr16(m)
        }
        while i < end {
            let d = b[i]
            if d == 0x2C || d == 0x7D || d == 0x5D || isJSONSpace(d) { break }
            i += 1
        }
        if i == from { return nil }
        switch b[from] {
        case 0x74: guard i - from == 4, b[from + 1] == 0x72, b[from + 2] == 0x75, b[from + 3] == 0x65 else { return nil }
            return (i, .bool)
        case 0x66: guard i - from == 5, b[from + 1] == 0x61, b[from + 2] == 0x6C, b[from + 3] == 0x73, b[from + 4] == 0x65 else { return nil }
            return (i, .bool)
        case 0x6E: guard i - from == 4, b[from + 1] == 0x75, b[from + 2] == 0x6C, b[from + 3] == 0x6C else { return nil }
            return (i, .null)
        case 0x2D, 0x30...0x39: return (i, .number)
        default: return (i, .invalid)
        }
    }
}

extension JSONLinesFormat {
    /// JSON lines read for their level alone: what `LogReader.count` reads with when no
    /// filter wants anything else of a record (no field, no time), as logfmt's `LevelOnly`.
    /// A flat line is read by `scanFlat` up to its level and only checked past it; any other
    /// line (blank, not an object, nested, malformed, text after it) is read by `base`, so
    /// the answer and the reason a line is skipped are the same.
    struct LevelOnly: LineFormat {
        /// The members `scanFlat` finds, without `Scan`'s list of fields (which a line
        /// would release).
        struct LevelMembers: FlatMembers {
            var time = Found(), level = Found(), message = Found(), service = Found(), trace = Found(), span = Found()
            var levelIsOTLP = false
        }
        let base: JSONLinesFormat
        var name: String { base.name }
        func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { base.accepts(line) }

        func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
            var s = JSONScanner(UnsafeRawBufferPointer(line), maxDepth: context.maxDepth)
            if s.end > 0 && s.base[0] != 0x7B { s.skipWhitespace() }
            guard s.pos < s.end, s.base[s.pos] == 0x7B else { return base.parse(line, into: &r, context: &context) }
            var scan = LevelMembers()
            guard context.keyMemo.withEntries({ JSONLinesFormat.scanFlat(&s, &scan, memo: $0, UpToLevel.self) }) else {
                return base.parse(line, into: &r, context: &context)
            }
            if s.pos < s.end {
                s.skipWhitespace()
                if s.pos < s.end { return base.parse(line, into: &r, context: &context) }
            }
            JSONLinesFormat.read(level: scan.level, otlp: scan.levelIsOTLP, s, into: &r)
            return .record
        }
    }

    /// The record's level from the member found for it, if any: a word (`error`, `WARN`),
    /// or a number (bunyan and pino's, or OTLP's `severity_number` when `otlp`).
    @_transparent  // as `stringEnd`: `parse` compiled slower around a call merely inlined
    static func read(level: Found, otlp: Bool, _ s: JSONScanner, into r: inout LogRecord) {
        guard level.priority != 255 else { return }
        let b = s.bytes(level.range)
        if level.kind == .string {
            r.level = Level(bytes: b) ?? .unknown
        } else if level.kind == .number, let v = JSONScanner.parseNumber(b) {
            r.level = Level(number: v, otlp: otlp)
        }
    }
}
