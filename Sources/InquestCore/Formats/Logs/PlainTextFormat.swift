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
        if context.needs.contains(.trace) { extractIDs(UnsafeBufferPointer(rebasing: line[used...]), into: &r) }
        return .record
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
