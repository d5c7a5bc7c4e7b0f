#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an input holds, decided from its first bytes.
public enum DetectedFormat: Sendable {
    case logLines(any LineFormat)
    case otlpLogs
    case spans(SpanFormat)
    case binary
    case empty

    public var name: String {
        switch self {
        case .logLines(let f): return f.name
        case .otlpLogs: return "otlp-logs"
        case .spans(let s): return s.rawValue
        case .binary: return "binary"
        case .empty: return "empty"
        }
    }

    public var isSpans: Bool { if case .spans = self { return true }; return false }
}

/// The span dump formats.
public enum SpanFormat: String, Sendable, CaseIterable {
    case jaeger = "jaeger"
    case zipkinV2 = "zipkin-v2"
    case zipkinV1 = "zipkin-v1"
    case otlpTraces = "otlp-traces"
}

/// Knows every format and picks one for an input from a sample of its first lines.
public enum FormatRegistry {
    /// Line formats in order of preference when several accept the same lines.
    public static let lineFormats: [any LineFormat] = [
        DockerJSONFormat(), JSONLinesFormat(), CRIFormat(), AccessLogFormat(), SyslogFormat(),
        LogfmtFormat(), PlainTextFormat(),
    ]

    /// Names taken by `--log-format`.
    public static var formatNames: [String] {
        lineFormats.map(\.name) + ["text", "otlp-logs"] + SpanFormat.allCases.map(\.rawValue)
    }

    public static func format(named name: String) -> DetectedFormat? {
        if let f = lineFormats.first(where: { $0.name == name }) { return .logLines(f) }
        if name == "text" { return .logLines(TextLinesFormat()) }
        if name == "otlp-logs" { return .otlpLogs }
        if let s = SpanFormat(rawValue: name) { return .spans(s) }
        return nil
    }

    /// Decides the format from the first bytes of an input (up to 64 KiB).
    public static func detect(head: [UInt8]) -> DetectedFormat {
        var start = 0
        if head.count >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF { start = 3 }
        while start < head.count, head[start] == 0x20 || head[start] == 0x0A || head[start] == 0x0D || head[start] == 0x09 { start += 1 }
        if start >= head.count { return .empty }
        if looksBinary(head) { return .binary }
        let first = head[start]
        if first == 0x7B || first == 0x5B {
            if contains(head, "\"resourceSpans\"") { return .spans(.otlpTraces) }
            if contains(head, "\"resourceLogs\"") { return .otlpLogs }
            if first == 0x7B && contains(head, "\"spans\"") && (contains(head, "\"traceID\"") || contains(head, "\"processes\"")) {
                return .spans(.jaeger)
            }
            if contains(head, "\"traceId\"") && (contains(head, "\"id\"")) && !contains(head, "\"msg\"") && !contains(head, "\"message\"") {
                if contains(head, "\"binaryAnnotations\"") || (contains(head, "\"endpoint\"") && !contains(head, "\"localEndpoint\"")) {
                    return .spans(.zipkinV1)
                }
                return .spans(.zipkinV2)
            }
        }
        return .logLines(detectLines(head))
    }

    /// The first `limit` lines of `head` (without a trailing CR), as ranges.
    static func lineRanges(_ head: UnsafeBufferPointer<UInt8>, limit: Int = 64) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var s = 0
        for i in head.indices where head[i] == 0x0A {
            lines.append(s..<(i > s && head[i - 1] == 0x0D ? i - 1 : i))
            s = i + 1
            if lines.count >= limit { return lines }
        }
        if s < head.count { lines.append(s..<head.count) }
        return lines
    }

    /// The non-blank lines among the first `limit` of `head`.
    static func sample(_ head: UnsafeBufferPointer<UInt8>, limit: Int = 64) -> [UnsafeBufferPointer<UInt8>] {
        lineRanges(head, limit: limit).map { UnsafeBufferPointer(rebasing: head[$0]) }.filter { !$0.isBlank() }
    }

    /// Tries each line format on the first lines and keeps the one that reads most.
    ///
    /// Plain text reads any line with a time in it, so it learns its layout from the
    /// whole sample, and a format that also finds its own time at the start of a line
    /// (syslog, access log, CRI) keeps the file when it reads two lines in three of
    /// what plain text reads: its hosts, tags and requests are worth more.
    static func detectLines(_ head: [UInt8], defaultOffset: Int64 = 0) -> any LineFormat {
        var best: (any LineFormat)? = nil
        var bestCount = 0
        head.withUnsafeBufferPointer { buf in
            let sample = Self.sample(buf)
            var timed: (any LineFormat, Int)? = nil
            for f in lineFormats {
                var format = f
                let c: Int
                if f is PlainTextFormat {
                    let layout = PlainLayout.learn(sample, defaultOffset: defaultOffset)
                    format = PlainTextFormat(layout: layout)
                    c = layout?.matched ?? 0
                } else {
                    c = sample.reduce(0) { $0 + (f.accepts($1) ? 1 : 0) }
                }
                if f is SyslogFormat || f is AccessLogFormat || f is CRIFormat, c > (timed?.1 ?? 0) { timed = (f, c) }
                if c > bestCount { best = format; bestCount = c }
            }
            if best is PlainTextFormat, let (f, c) = timed, c * 3 >= bestCount * 2 { best = f; bestCount = c }
            // logfmt accepts any line with a key=value in it: free text that only
            // sometimes carries pairs must stay text, or its other lines are lost.
            if best is LogfmtFormat, bestCount * 10 < sample.count * 8 { best = nil }
        }
        return best ?? TextLinesFormat()
    }

    static func contains(_ h: [UInt8], _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard n > 0, h.count >= n else { return false }
        let needle = UnsafeBufferPointer(start: s.utf8Start, count: n)
        return h.withUnsafeBufferPointer { hb in
            var i = 0
            while i + n <= hb.count {
                guard let p = memchr(hb.baseAddress! + i, Int32(needle[0]), hb.count - n + 1 - i) else { return false }
                let at = hb.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if memcmp(hb.baseAddress! + at, needle.baseAddress!, n) == 0 { return true }
                i = at + 1
            }
            return false
        }
    }

    /// NUL bytes, or mostly control bytes, in the first 4 KiB: not a text log.
    static func looksBinary(_ h: [UInt8]) -> Bool {
        let n = min(h.count, 4096)
        var control = 0
        for i in 0..<n {
            let c = h[i]
            if c == 0 { return true }
            if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D && c != 0x1B && c != 0x0C && c != 0x08 { control += 1 }
        }
        return n > 0 && control * 10 > n
    }
}
