/// logfmt: `key=value` pairs separated by spaces, values optionally double-quoted
/// with backslash escapes (Heroku, Go's logrus and slog text handlers, Grafana tools).
/// Keys are read with the same conventions as JSON lines (`time`/`ts`, `level`, `msg`, …).
public struct LogfmtFormat: LineFormat {
    public var name: String { "logfmt" }
    public init() {}

    /// Calls `body(key, valueRange, quoted, role, priority)` for each pair, with the key's
    /// role as JSON lines name it when `memo` is given (`.other` without); false when a
    /// quote is unclosed. A key is first compared with the one remembered for its place in
    /// `memo` (`KeyMemo.capacity` entries), and remembered when it is read.
    @inline(__always)
    static func pairs(_ line: UnsafeBufferPointer<UInt8>, memo: UnsafeMutablePointer<KeyMemo.Entry>?,
                      _ body: (Range<Int>, Range<Int>, Bool, JSONLinesFormat.Role, UInt8) -> Void) -> (ok: Bool, count: Int, stray: Int) {
        var i = 0
        let n = line.count
        var count = 0
        var stray = 0
        var place = 0
        while i < n {
            while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
            if i >= n { break }
            let ks = i
            var role = JSONLinesFormat.Role.other, prio: UInt8 = 0
            if let memo, let base = line.baseAddress, place < KeyMemo.capacity, i &+ 16 <= n, memo[place].matches(base + i) {
                // `key=` as on the line before.
                (role, prio) = (memo[place].role, memo[place].prio)
                i &+= memo[place].span
            } else {
                i = line.keyEnd(from: i)
                let key = ks..<i
                guard i < n, line[i] == 0x3D, !key.isEmpty else {
                    // A bare word: not logfmt, but tolerated (counted).
                    stray += 1
                    while i < n, line[i] != 0x20 { i += 1 }
                    continue
                }
                i += 1
                if let memo, let base = line.baseAddress {
                    (role, prio) = JSONLinesFormat.classify(base + ks, key.count, nested: nil)
                    if place < KeyMemo.capacity && i - ks <= 16 && ks + 16 <= n {
                        memo[place].remember(base + ks, span: i - ks, role: role, prio: prio)
                    }
                }
            }
            place &+= 1
            let key = ks..<(i - 1)
            if i < n, line[i] == 0x22 {
                i += 1
                let vs = i
                var closed = false
                if let base = line.baseAddress {
                    while let at = JSONScanner.quoteOrBackslash(base, from: i, end: n) {
                        i = at
                        if base[at] == 0x5C { i += 2; continue }
                        closed = true
                        break
                    }
                }
                guard closed else { return (false, count, stray) }
                body(key, vs..<i, true, role, prio)
                i += 1
            } else {
                let vs = i
                i = line.blank(from: i)
                body(key, vs..<i, false, role, prio)
            }
            count += 1
        }
        return (true, count, stray)
    }

    /// Whether the pairs from `from` on are read by `pairs` without an unclosed quote, the
    /// only thing that makes it fail. Up to the next `"` the line cannot fail: the pairs
    /// are read (as `pairs` reads them, nothing recorded) only up to each next quote, to
    /// know whether it opens a value.
    @inline(never)
    static func restIsValid(_ line: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        guard let b = line.baseAddress else { return true }
        let n = line.count
        var i = from
        @inline(__always) func quote(from: Int) -> Int { ByteSearch.first((0x22, 0x22, 0x22, 0x22), in: b, from: from, end: n) }
        var q = quote(from: i)
        while q < n {
            // One pair, at or before the quote.
            while i < n, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
            let ks = i
            i = ByteSearch.first((0x3D, 0x20, 0x09, 0x22), in: b, from: i, end: n)
            if i < n && b[i] == 0x3D && i > ks {
                i += 1
                if i < n && b[i] == 0x22 {
                    i += 1
                    guard let q = JSONScanner.closingQuote(b, from: i, end: n) else { return false }
                    i = q.at + 1
                } else {
                    i = ByteSearch.first((0x20, 0x09, 0x20, 0x09), in: b, from: i, end: n)
                }
            } else {
                // A bare word.
                while i < n, b[i] != 0x20 { i += 1 }
            }
            if i > q { q = i < n ? quote(from: i) : n }
        }
        return true
    }

    /// The record's level from a `level=` value: a word (`error`, `WARN`) or a number.
    @_transparent  // as JSON's `read(level:)`: `parse` compiles slower around a call merely inlined
    static func read(level vb: UnsafeBufferPointer<UInt8>, into r: inout LogRecord) {
        if let l = Level(bytes: vb) { r.level = l } else if let num = JSONScanner.parseNumber(vb) { r.level = Level(number: num, otlp: false) }
    }

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = line.first, first != 0x7B, first != 0x20 else { return false }
        let r = Self.pairs(line, memo: nil) { _, _, _, _, _ in }
        return r.ok && r.count >= 2 && r.stray <= r.count / 4
    }

    static func value(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ quoted: Bool) -> String {
        quoted ? JSONScanner.unescape(UnsafeBufferPointer(rebasing: line[r])) : line.string(r)
    }

    /// `parse` when nothing of the record is wanted but its level (`--count`, `--level X
    /// --count`; `LevelOnly`): the same result and level. The pairs are read as `pairs` reads them up to
    /// a `level` key (the best of its role: no later one replaces it), then only checked
    /// for an unclosed quote (`restIsValid`), the one thing that makes a line fail.
    /// Its own loop, not `pairs` with a flag: that flag, though constant, made `parse`
    /// compile to a slower loop (8 M instructions more on 20 MB for `--trace`).
    @inline(never)
    static func parseLevel(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        guard let base = line.baseAddress else { return .skip("no key=value pairs") }
        let n = line.count
        var levelP: UInt8 = 255
        var count = 0
        let ok = context.keyMemo.withEntries { memo -> Bool in
            var i = 0, place = 0
            while i < n {
                while i < n, base[i] == 0x20 || base[i] == 0x09 { i += 1 }
                if i >= n { break }
                let ks = i
                var role = JSONLinesFormat.Role.other, prio: UInt8 = 0
                if place < KeyMemo.capacity, i &+ 16 <= n, memo[place].matches(base + i) {
                    (role, prio) = (memo[place].role, memo[place].prio)
                    i &+= memo[place].span
                } else {
                    i = line.keyEnd(from: i)
                    guard i < n, base[i] == 0x3D, i > ks else {
                        while i < n, base[i] != 0x20 { i += 1 }
                        continue
                    }
                    i += 1
                    (role, prio) = JSONLinesFormat.classify(base + ks, i - 1 - ks, nested: nil)
                    if place < KeyMemo.capacity && i - ks <= 16 && ks + 16 <= n {
                        memo[place].remember(base + ks, span: i - ks, role: role, prio: prio)
                    }
                }
                place &+= 1
                var vs = i, ve = i
                if i < n, base[i] == 0x22 {
                    i += 1
                    vs = i
                    guard let q = JSONScanner.closingQuote(base, from: i, end: n) else { return false }
                    i = q.at
                    ve = i
                    i += 1
                } else {
                    i = line.blank(from: i)
                    ve = i
                }
                count += 1
                if role == .level && prio < levelP {
                    levelP = prio
                    let vb = UnsafeBufferPointer(rebasing: line[vs..<ve])
                    Self.read(level: vb, into: &r)
                    if prio == 0 { return restIsValid(line, from: i) }
                }
            }
            return true
        }
        guard ok else { return .skip("unclosed quote in logfmt") }
        guard count > 0 else { return .skip("no key=value pairs") }
        return .record
    }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        var timeP: UInt8 = 255, levelP: UInt8 = 255, msgP: UInt8 = 255, svcP: UInt8 = 255, trP: UInt8 = 255, spP: UInt8 = 255
        var traceValue: Range<Int>?, spanValue: Range<Int>?, msgValue: Range<Int>?, svcValue: Range<Int>?, svcQuoted = false
        var fields: [LogRecord.Field] = []
        // Read before: the closure below runs while the context's key memo is in use.
        let needs = context.needs, needsTime = context.needsTime, time = context.time
        let res = context.keyMemo.withEntries { memo in Self.pairs(line, memo: memo) { k, v, q, keyRole, keyPrio in
            var (role, prio) = (keyRole, keyPrio)
            // A bare `trace=` or `span=`: only with a hex ID.
            if role == .nestTrace { (role, prio) = (.trace, TraceContext.bareKeyPriority) }
            if role == .nestSpan { (role, prio) = (.span, TraceContext.bareKeyPriority) }
            let vb = UnsafeBufferPointer(rebasing: line[v])
            switch role {
            case .time where prio < timeP:
                timeP = prio
                if !needsTime { break }
                if let (t, _) = time.parse(vb) { r.timestamp = t }
                else if let num = JSONScanner.parseNumber(vb) { r.timestamp = TimestampParser.fromEpoch(num) }
            case .level where prio < levelP:
                levelP = prio
                Self.read(level: vb, into: &r)
            case .message where prio < msgP:
                msgP = prio
                msgValue = v
                if needs.contains(.message) { r.message = Self.value(line, v, q) }
            case .service, .nestService:
                if prio < svcP, needs.contains(.service) { svcP = prio; svcValue = v; svcQuoted = q }
            case .trace where prio < trP:
                trP = prio
                traceValue = v
            case .span where prio < spP:
                spP = prio
                spanValue = v
            default:
                if needs.contains(.fields) { fields.append(LogRecord.Field(line.string(k), Self.value(line, v, q))) }
            }
        } }
        guard res.ok else { return .skip("unclosed quote in logfmt") }
        guard res.count > 0 else { return .skip("no key=value pairs") }
        // A trace or service asked for that this record plainly lacks: it fails the filter,
        // with no string made.
        let traceFails = needs.contains(.trace) && !context.traceQuery.isEmpty
            && traceValue.map { !ParseContext.traceMayMatch(UnsafeBufferPointer(rebasing: line[$0]), priority: trP, context.traceQuery) } == true
        let serviceFails = needs.contains(.service) && !context.serviceQuery.isEmpty
            && svcValue.map { !ParseContext.serviceMayMatch(UnsafeBufferPointer(rebasing: line[$0]), context.serviceQuery) } == true
        if traceFails || serviceFails {
            r.failsGate = true
            return .record
        }
        if needs.contains(.service) { r.service = svcValue.map { Self.value(line, $0, svcQuoted) } ?? context.fallbackService }
        if needs.contains(.trace) {
            TraceContext.structured(trace: traceValue.map { UnsafeBufferPointer(rebasing: line[$0]) }, tracePriority: trP,
                                    span: spanValue.map { UnsafeBufferPointer(rebasing: line[$0]) }, spanPriority: spP,
                                    message: msgValue.map { UnsafeBufferPointer(rebasing: line[$0]) }, into: &r)
        }
        if needs.contains(.fields) { r.fields = fields }
        return .record
    }
}

extension LogfmtFormat {
    /// logfmt read for a count that needs nothing of a record but its level and whether it
    /// is valid (`parseLevel`): chosen by `LogReader.count(matching:)`, not by detection, so
    /// that `parse` itself is not slowed by one more test a line.
    struct LevelOnly: LineFormat {
        var name: String { "logfmt" }
        func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { LogfmtFormat().accepts(line) }
        func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
            if line.isBlank() { return .ignored }
            return LogfmtFormat.parseLevel(line, into: &r, context: &context)
        }
    }
}
