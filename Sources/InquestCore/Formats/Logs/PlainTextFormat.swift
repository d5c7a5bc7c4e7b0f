/// Plain text logs with a leading timestamp (log4j, logback, Python logging, Go's
/// log, zap's console encoder, Spark): `2024-05-01 12:00:00,123 ERROR [main] Foo: bar`.
///
/// A line without a leading timestamp continues the record before it, so Java and
/// Python stack traces stay with the record that raised them. The level is the first
/// level word among the first few tokens; without one it is guessed from the words.
public struct PlainTextFormat: LineFormat {
    public var name: String { "plain" }
    public init() {}

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        TimestampParser().parseISO(line) != nil
    }

    @inline(__always) static func isSeparator(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x3A || c == 0x2C || c == 0x7C || c == 0x2D || c == 0x5B || c == 0x5D || c == 0x28 || c == 0x29
    }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        guard let (t, used) = context.time.parseISO(line) else {
            return line.isBlank() ? .continuation : .continuation
        }
        r.timestamp = t
        var i = used
        let n = line.count
        var msgStart = i
        // Look for a level word among the next four tokens.
        var level: Level?
        var tokens = 0
        while i < n, tokens < 4, i - used < 80 {
            while i < n, Self.isSeparator(line[i]) { i += 1 }
            let s = i
            while i < n, !Self.isSeparator(line[i]) { i += 1 }
            if i == s { break }
            tokens += 1
            if i - s >= 3, i - s <= 8, let l = Level(bytes: UnsafeBufferPointer(rebasing: line[s..<i])) {
                level = l
                msgStart = i
                break
            }
        }
        if level == nil { msgStart = used }
        while msgStart < n, line[msgStart] == 0x20 || line[msgStart] == 0x09 || line[msgStart] == 0x3A || line[msgStart] == 0x5D { msgStart += 1 }
        let msg = UnsafeBufferPointer(rebasing: line[msgStart...])
        r.level = level ?? inferLevel(msg)
        if context.needs.contains(.message) { r.message = String(decoding: msg, as: UTF8.self) }
        if context.needs.contains(.service) { r.service = context.fallbackService }
        if context.needs.contains(.trace) { extractIDs(msg, into: &r) }
        return .record
    }
}

/// Finds `trace_id=…` / `traceId=…` / `trace_id: …` (and the span equivalents) in free
/// text, as log4j MDC patterns and Go loggers print them.
func extractIDs(_ msg: UnsafeBufferPointer<UInt8>, into r: inout LogRecord) {
    guard msg.count >= 12 else { return }
    func value(after i: Int) -> String? {
        var k = i
        while k < msg.count, msg[k] == 0x20 || msg[k] == 0x22 || msg[k] == 0x27 { k += 1 }
        let s = k
        while k < msg.count, (msg[k] >= 48 && msg[k] <= 57) || ((msg[k] | 0x20) >= 97 && (msg[k] | 0x20) <= 102) { k += 1 }
        guard k - s >= 8 else { return nil }
        return normalizeID(msg.string(s..<k))
    }
    var i = 0
    while i + 6 < msg.count {
        let c = msg[i] | 0x20
        if c == 0x74 || c == 0x73, i == 0 || !isLetter(msg[i - 1]) {  // t(race) or s(pan)
            let isTrace = c == 0x74
            let word = isTrace ? 5 : 4
            guard i + word + 3 < msg.count else { break }
            let head = lowerWord(UnsafeBufferPointer(rebasing: msg[i..<(i + word)]))
            if head == (isTrace ? "trace" : "span") {
                var k = i + word
                if msg[k] == 0x5F || msg[k] == 0x2E || msg[k] == 0x2D { k += 1 }
                if k + 2 <= msg.count, (msg[k] | 0x20) == 0x69, (msg[k + 1] | 0x20) == 0x64 {
                    k += 2
                    if k < msg.count, msg[k] == 0x3D || msg[k] == 0x3A {
                        if let v = value(after: k + 1) {
                            if isTrace { if r.traceID == nil { r.traceID = v } } else if r.spanID == nil { r.spanID = v }
                        }
                    }
                }
            }
        }
        i += 1
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
