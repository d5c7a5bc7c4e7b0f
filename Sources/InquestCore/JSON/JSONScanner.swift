#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only scanner over the bytes of one JSON text, recording byte offsets
/// instead of building values (after swift-foundation's JSONScanner).
///
/// Used on the hot path of JSON-lines logs: a record's members are visited as
/// key and value ranges, and `String`s are made only for the members a command uses.
/// Every read is bounds-checked against `end`; malformed input returns nil or false,
/// never traps.
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    public let end: Int
    public var pos: Int
    /// Deepest nesting accepted while skipping values.
    public var maxDepth: Int

    public init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = 256) {
        // An empty buffer has no base address; point at a static byte instead.
        self.base = buffer.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? JSONScanner.emptyByte
        self.end = buffer.count
        self.pos = 0
        self.maxDepth = maxDepth
    }

    nonisolated(unsafe) static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// The kind of a value, from its first byte.
    public enum Kind: UInt8 { case string, number, object, array, bool, null, invalid }

    @inline(__always) public var atEnd: Bool { pos >= end }
    @inline(__always) public func peek() -> UInt8? { pos < end ? base[pos] : nil }

    @inline(__always) public mutating func skipWhitespace() {
        while pos < end {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    @inline(__always) public mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if pos < end && base[pos] == byte { pos += 1; return true }
        return false
    }

    /// Scans a string starting at `"`; returns the range of its contents (without
    /// quotes) and whether it holds escapes. Nil when unterminated.
    ///
    /// Looks at eight bytes at a time for a quote or a backslash (a word-at-a-time
    /// search: most of a log line is string contents).
    @inline(__always)
    public mutating func scanString() -> (range: Range<Int>, escaped: Bool)? {
        guard pos < end, base[pos] == 0x22 else { return nil }
        guard let q = JSONScanner.closingQuote(base, from: pos + 1, end: end) else { return nil }
        let start = pos + 1
        pos = q.at + 1
        return (start..<q.at, q.escaped)
    }

    /// The closing quote of a string whose contents start at `from`, and whether the
    /// contents hold an escape.
    @inline(__always)
    static func closingQuote(_ b: UnsafePointer<UInt8>, from: Int, end: Int) -> (at: Int, escaped: Bool)? {
        var i = from
        var escaped = false
        while let at = JSONScanner.quoteOrBackslash(b, from: i, end: end) {
            if b[at] == 0x22 { return (at, escaped) }
            escaped = true
            i = at + 2
            if i > end { return nil }
        }
        return nil
    }

    /// Skips the object or array at `from` (brackets counted, strings skipped, nothing else
    /// checked); the index after it, nil when it is cut off or too deep, with `failedAt`
    /// where it stopped (the string never closed, the bracket too deep, or `end`).
    @inline(never)
    static func skipNested(_ b: UnsafePointer<UInt8>, from: Int, end: Int, maxDepth: Int, failedAt: inout Int) -> Int? {
        var i = from
        var depth = 0
        let quote = SIMD16<UInt8>(repeating: 0x22), open = SIMD16<UInt8>(repeating: 0x7B),
            close = SIMD16<UInt8>(repeating: 0x7D), lower = SIMD16<UInt8>(repeating: 0x20)
        while i < end {
            let c = b[i]
            // Neither a quote nor a bracket (`[`/`{` and `]`/`}` differ from each other by 0x20):
            // on to the next one among the sixteen bytes after it, or past them.
            if c != 0x22 && c | 0x20 != 0x7B && c | 0x20 != 0x7D {
                if i &+ 17 <= end {
                    let v = UnsafeRawPointer(b + i + 1).loadUnaligned(as: SIMD16<UInt8>.self), f = v | lower
                    let m = (v .== quote) .| (f .== open) .| (f .== close)
                    i = i &+ 1 &+ ByteSearch.firstLaneOr16(m)
                } else {
                    i += 1
                }
                continue
            }
            switch c {
            case 0x22:
                guard let q = closingQuote(b, from: i + 1, end: end) else { failedAt = i; return nil }
                i = q.at + 1
                continue
            case 0x7B, 0x5B:
                depth += 1
                if depth > maxDepth { failedAt = i; return nil }
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { return i + 1 }
                if depth < 0 { failedAt = i; return nil }
            default: break
            }
            i += 1
        }
        failedAt = end
        return nil
    }

    /// `skipNested`'s answer (without where it failed), sixteen bytes at a time: each
    /// block's quotes, backslashes and brackets found at once and visited from a mask, the
    /// cursor never going back. Brackets are counted outside strings, a quote opens or
    /// closes a string, a backslash in a string passes over the byte after it.
    @inline(never)
    static func skipNestedFast(_ b: UnsafePointer<UInt8>, from: Int, end: Int, maxDepth: Int) -> Int? {
        // Too short for one block: as `skipNested`.
        guard end >= 16 else {
            var failedAt = from
            return skipNested(b, from: from, end: end, maxDepth: maxDepth, failedAt: &failedAt)
        }
        let quote = SIMD16<UInt8>(repeating: 0x22), backslash = SIMD16<UInt8>(repeating: 0x5C),
            open = SIMD16<UInt8>(repeating: 0x7B), close = SIMD16<UInt8>(repeating: 0x7D), lower = SIMD16<UInt8>(repeating: 0x20)
        // The common value, an object of strings and numbers (`{"id":7,"tier":"free"}`):
        // when no `{`, `[`, `]` or backslash comes before its first `}`, and the quotes
        // before it pair up, that `}` ends it (outside any string, at depth 1), found
        // without visiting each quote.
        if maxDepth >= 1 && b[from] == 0x7B {
            let lanes = SIMD16<UInt8>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            let closeSquare = SIMD16<UInt8>(repeating: 0x5D)
            var j = from &+ 1
            var quotes: UInt64 = 0
            while j < end {
                let at = j &+ 16 <= end ? j : end &- 16
                let v = UnsafeRawPointer(b + at).loadUnaligned(as: SIMD16<UInt8>.self)
                // Lanes not yet visited (all but for the last sixteen bytes).
                var wanted = lanes .>= SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: j &- at))
                let closing = (v .== close) .& wanted
                let k = ByteSearch.firstLaneOr16(closing)
                if k < 16 { wanted = wanted .& (lanes .< SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: k))) }
                if ByteSearch.anyLane((((v | lower) .== open) .| (v .== closeSquare) .| (v .== backslash)) .& wanted) { break }
                let (lo, hi) = ByteSearch.words((v .== quote) .& wanted, lane: 1)
                // The number of quotes, in the low bit (lane bytes summed into the top one).
                quotes &+= (lo &* 0x0101_0101_0101_0101) >> 56 &+ (hi &* 0x0101_0101_0101_0101) >> 56
                if k < 16 {
                    if quotes & 1 == 0 { return at &+ k &+ 1 }
                    break
                }
                j = at &+ 16
            }
        }
        var depth = 0
        var inString = false
        /// The byte after a backslash in a string: passed over.
        var escapedAt = -1
        var i = from
        while i < end {
            // The block at `i`, or the last sixteen bytes with those before `i` masked off.
            let at = i &+ 16 <= end ? i : end &- 16
            let v = UnsafeRawPointer(b + at).loadUnaligned(as: SIMD16<UInt8>.self), f = v | lower
            var (lo, hi) = ByteSearch.words((v .== quote) .| (v .== backslash) .| (f .== open) .| (f .== close), lane: 1)
            let k = i &- at  // 0...15: bytes already visited
            if k >= 8 { lo = 0; hi &= ~0 << UInt64((k &- 8) &* 8) } else { lo &= ~0 << UInt64(k &* 8) }
            i = at &+ 16
            var base = at
            while true {
                if lo == 0 {
                    if hi == 0 { break }
                    lo = hi; hi = 0; base = at &+ 8
                }
                let p = base &+ (lo.trailingZeroBitCount >> 3)
                lo &= lo &- 1
                let c = b[p]
                if inString {
                    if p == escapedAt { continue }
                    if c == 0x5C { escapedAt = p &+ 1 } else if c == 0x22 { inString = false }
                } else if c == 0x22 {
                    inString = true
                } else if c | 0x20 == 0x7B {
                    depth += 1
                    if depth > maxDepth { return nil }
                } else if c | 0x20 == 0x7D {
                    depth -= 1
                    if depth == 0 { return p &+ 1 }
                }
            }
        }
        return nil
    }

    /// The first `"` or `\` at or after `from`, eight bytes at a time.
    @inline(__always)
    static func quoteOrBackslash(_ base: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        let i = ByteSearch.first((0x22, 0x5C, 0x22, 0x5C), in: base, from: from, end: end)
        return i < end ? i : nil
    }

    @inline(__always) public func kind() -> Kind {
        guard pos < end else { return .invalid }
        switch base[pos] {
        case 0x22: return .string
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x74, 0x66: return .bool
        case 0x6E: return .null
        case 0x2D, 0x30...0x39: return .number
        default: return .invalid
        }
    }

    /// Skips one value of any kind; returns its range, nil when malformed.
    public mutating func skipValue() -> Range<Int>? {
        skipWhitespace()
        let start = pos
        guard pos < end else { return nil }
        switch base[pos] {
        case 0x22:
            guard scanString() != nil else { return nil }
        case 0x7B, 0x5B:
            var failedAt = pos
            guard let after = JSONScanner.skipNested(base, from: pos, end: end, maxDepth: maxDepth, failedAt: &failedAt) else {
                pos = failedAt  // where the error is said to be
                return nil
            }
            pos = after
        default:
            // Number, true, false, null: up to a delimiter.
            while pos < end {
                let c = base[pos]
                if c == 0x2C || c == 0x7D || c == 0x5D || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { break }
                pos += 1
            }
            if pos == start { return nil }
            let first = base[start]
            if first == 0x74 || first == 0x66 || first == 0x6E {
                let len = pos - start
                if !(len == 4 && (matches(start, "true") || matches(start, "null"))) && !(len == 5 && matches(start, "false")) { return nil }
            }
        }
        return start..<pos
    }

    @inline(__always) func matches(_ at: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at + n <= end else { return false }
        return memcmp(base + at, s.utf8Start, n) == 0
    }

    /// Compares the bytes in `range` with an ASCII literal.
    @inline(__always) public func equals(_ range: Range<Int>, _ s: StaticString) -> Bool {
        range.count == s.utf8CodeUnitCount && memcmp(base + range.lowerBound, s.utf8Start, range.count) == 0
    }

    public func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Visits the members of the object at the cursor. The visitor gets the key's
    /// range and is expected to consume the value (with `skipValue` or by reading it).
    /// Returns false when the object is malformed or truncated.
    public mutating func forEachMember(_ body: (inout JSONScanner, Range<Int>) -> Bool) -> Bool {
        guard consume(0x7B) else { return false }
        skipWhitespace()
        if consume(0x7D) { return true }
        while true {
            skipWhitespace()
            guard let key = scanString() else { return false }
            guard consume(0x3A) else { return false }
            skipWhitespace()
            guard body(&self, key.range) else { return false }
            skipWhitespace()
            guard pos < end else { return false }
            if base[pos] == 0x2C { pos += 1; continue }
            if base[pos] == 0x7D { pos += 1; return true }
            return false
        }
    }

    /// Decodes the string contents in `range` (escapes resolved, invalid UTF-8 repaired).
    public func string(_ range: Range<Int>, escaped: Bool) -> String {
        let raw = bytes(range)
        if !escaped { return String(decoding: raw, as: UTF8.self) }
        return JSONScanner.unescape(raw)
    }

    public static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        let n = raw.count
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = raw[at + k]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < n {
            let c = raw[i]
            if c != 0x5C || i + 1 >= n { out.append(c); i += 1; continue }
            let e = raw[i + 1]
            i += 2
            switch e {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                guard var cp = hex4(i) else { out.append(contentsOf: [0xEF, 0xBF, 0xBD]); continue }
                i += 4
                if cp >= 0xD800 && cp < 0xDC00, i + 6 <= n, raw[i] == 0x5C, raw[i + 1] == 0x75, let lo = hex4(i + 2), lo >= 0xDC00 && lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads an integer (with an optional fraction, which is kept as a Double) at the cursor.
    public mutating func number() -> Double? {
        skipWhitespace()
        guard let r = skipValue() else { return nil }
        return JSONScanner.parseNumber(bytes(r))
    }

    public static func parseNumber(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !b.isEmpty else { return nil }
        var i = 0
        var neg = false
        if b[0] == 0x2D { neg = true; i = 1 }
        var intPart: Double = 0
        var digits = 0
        while i < b.count, b[i] >= 48, b[i] <= 57 { intPart = intPart * 10 + Double(b[i] - 48); i += 1; digits += 1 }
        guard digits > 0 else { return nil }
        var v = intPart
        if i < b.count, b[i] == 0x2E {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 48, b[i] <= 57 { v += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            i += 1
            var eneg = false
            if i < b.count, b[i] == 0x2D || b[i] == 0x2B { eneg = b[i] == 0x2D; i += 1 }
            var e = 0
            while i < b.count, b[i] >= 48, b[i] <= 57, e < 400 { e = e * 10 + Int(b[i] - 48); i += 1 }
            var p = 1.0
            for _ in 0..<e { p *= 10 }
            v = eneg ? v / p : v * p
        }
        guard i == b.count else { return nil }
        return neg ? -v : v
    }

    /// Parses an unsigned decimal integer exactly (for nanosecond timestamps).
    public static func parseInt64(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty, b.count <= 19 else { return nil }
        var v: Int64 = 0
        for c in b {
            guard c >= 48 && c <= 57 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            v = s
        }
        return v
    }

    /// An integer from a JSON number (integer text, or a finite float within range); nil otherwise.
    public static func parseInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let v = parseInt64(b) { return v }
        if b.first == 0x2D, b.count > 1, let v = parseInt64(UnsafeBufferPointer(rebasing: b[1...])) { return -v }
        guard let d = parseNumber(b) else { return nil }
        return Int64(exactly: d.rounded(.towardZero)) ?? (d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil)
    }
}
