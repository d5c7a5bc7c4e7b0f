#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX extended regular expression (the dialect of `grep -E`), compiled once and
/// matched against bytes without building `String`s.
public final class Pattern: @unchecked Sendable {
    var regex = regex_t()
    public let source: String
    /// Bytes every match holds, in this order (lower case when case is ignored): the
    /// longest run of plain characters outside groups and brackets, when the expression
    /// has no `|` outside groups. Nil when there is no such run of two ASCII bytes or more.
    public let required: [UInt8]?
    public let caseInsensitive: Bool
    /// Whether the expression matches the empty text.
    public private(set) var matchesEmpty = false

    /// - Throws: `PatternError` with the library's message when the expression is invalid.
    public init(_ source: String, caseInsensitive: Bool = false) throws(PatternError) {
        self.source = source
        self.caseInsensitive = caseInsensitive
        let run = Pattern.requiredRun(Array(source.utf8))
        self.required = run.map { caseInsensitive ? $0.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } : $0 }
        var flags = REG_EXTENDED | REG_NOSUB
        if caseInsensitive { flags |= REG_ICASE }
        let rc = regcomp(&regex, source, flags)
        if rc != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buf, buf.count)
            let message = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PatternError(pattern: source, message: message)
        }
        matchesEmpty = matches("")
    }

    deinit { regfree(&regex) }

    /// True when the expression matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        // regexec reads a NUL-terminated string; regexec on one regex_t is thread-safe in glibc.
        text.withCString { regexec(&regex, $0, 0, nil, 0) == 0 }
    }
}

extension Pattern {
    /// The longest run of bytes that every match of the POSIX extended expression `e`
    /// holds, or nil. Conservative: a character under `*`, `?` or `{` is left out, and
    /// groups, bracket expressions, `.`, anchors and escapes other than an escaped
    /// punctuation mark end a run; any `|` outside groups gives nil.
    static func requiredRun(_ e: [UInt8]) -> [UInt8]? {
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        func end() { if !run.isEmpty { runs.append(run); run = [] } }
        var i = 0
        while i < e.count {
            let c = e[i]
            switch c {
            case UInt8(ascii: "|"):
                return nil
            case UInt8(ascii: "("):
                end()
                // To the matching `)`, past escapes and bracket expressions.
                var depth = 0
                while i < e.count {
                    let d = e[i]
                    if d == UInt8(ascii: "\\") { i += 2; continue }
                    if d == UInt8(ascii: "[") { i = bracketEnd(e, i); continue }
                    if d == UInt8(ascii: "(") { depth += 1 }
                    if d == UInt8(ascii: ")") { depth -= 1; if depth == 0 { break } }
                    i += 1
                }
                i += 1
            case UInt8(ascii: "["):
                end()
                i = bracketEnd(e, i)
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                // The atom before may be absent.
                if !run.isEmpty { run.removeLast() }
                end()
                if c == UInt8(ascii: "{") { while i < e.count && e[i] != UInt8(ascii: "}") { i += 1 } }
                i += 1
            case UInt8(ascii: "+"):
                end()
                i += 1
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: ")"):
                end()
                i += 1
            case UInt8(ascii: "\\"):
                // `\.` is a dot; `\w`, `\b`, `\<` and the like are not characters.
                let n = i + 1 < e.count ? e[i + 1] : 0
                if n >= 0x21 && n < 0x7F && !(n >= 0x30 && n <= 0x39) && !(n | 0x20 >= 0x61 && n | 0x20 <= 0x7A) && n != UInt8(ascii: "<") && n != UInt8(ascii: ">")
                    && n != UInt8(ascii: "`") && n != UInt8(ascii: "'") {
                    run.append(n)
                } else {
                    end()
                }
                i += 2
            default:
                if c >= 0x80 || c < 0x20 { end() } else { run.append(c) }
                i += 1
            }
        }
        end()
        // A run with `=` or `.` may be made by joining a key to its value or a nested key to
        // its parent (`user.id=7`): not looked for in the raw line.
        let best = runs.filter { !$0.contains(UInt8(ascii: "=")) && !$0.contains(UInt8(ascii: ".")) }.max { $0.count < $1.count }
        guard let best, best.count >= 2 else { return nil }
        return best
    }

    /// The index after the bracket expression starting at `i` (`[`), or the end.
    static func bracketEnd(_ e: [UInt8], _ start: Int) -> Int {
        var i = start + 1
        if i < e.count && e[i] == UInt8(ascii: "^") { i += 1 }
        if i < e.count && e[i] == UInt8(ascii: "]") { i += 1 }
        while i < e.count {
            if e[i] == UInt8(ascii: "[") && i + 1 < e.count && (e[i + 1] == UInt8(ascii: ":") || e[i + 1] == UInt8(ascii: ".") || e[i + 1] == UInt8(ascii: "=")) {
                // `[:alpha:]`, `[.x.]`, `[=x=]`: to its closing `:]`.
                let mark = e[i + 1]
                i += 2
                while i + 1 < e.count && !(e[i] == mark && e[i + 1] == UInt8(ascii: "]")) { i += 1 }
                i += 2
                continue
            }
            if e[i] == UInt8(ascii: "]") { return i + 1 }
            i += 1
        }
        return e.count
    }

    /// False only when `line` cannot hold a match in any text read from it: the required
    /// bytes are not in it, and it has no backslash (an escape that could spell them).
    /// For formats whose messages, keys and values are bytes of the line as they are.
    public func mayMatch(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let required, let base = line.baseAddress else { return true }
        return required.withUnsafeBufferPointer { r in r.baseAddress.map { Self.mayHold(base, line.count, $0, r.count, fold: caseInsensitive) } ?? true }
    }

    /// Whether the `k` (2 or more) bytes at `r` are in the `n` bytes at `b` (ASCII letters
    /// of `b` folded to lower case when `fold`), or `b` has a backslash. Candidates are
    /// places where the first two bytes match, found sixteen places at a time.
    static func mayHold(_ b: UnsafePointer<UInt8>, _ n: Int, _ r: UnsafePointer<UInt8>, _ k: Int, fold: Bool) -> Bool {
        let backslash = SIMD16<UInt8>(repeating: 0x5C)
        @inline(__always) func upper(_ c: UInt8) -> UInt8 { fold && c >= 0x61 && c <= 0x7A ? c - 0x20 : c }
        @inline(__always) func rest(_ p: Int) -> Bool {
            var j = 2
            while j < k {
                let c = b[p + j]
                if (fold && c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != r[j] { return false }
                j += 1
            }
            return true
        }
        let a0 = SIMD16<UInt8>(repeating: r[0]), a1 = SIMD16<UInt8>(repeating: upper(r[0]))
        let b0 = SIMD16<UInt8>(repeating: r[1]), b1 = SIMD16<UInt8>(repeating: upper(r[1]))
        let last = n - k  // the last place a match can start
        var i = 0
        while i + 17 <= n {
            let v = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<UInt8>.self)
            let w = UnsafeRawPointer(b + i + 1).loadUnaligned(as: SIMD16<UInt8>.self)
            let m = ((v .== a0) .| (v .== a1)) .& ((w .== b0) .| (w .== b1))
            if ByteSearch.anyLane(v .== backslash) { return true }
            if ByteSearch.anyLane(m) {
                // One bit a matching lane, lowest first.
                let lanes = ByteSearch.words(m, lane: 1)
                var x = lanes.lo, half = 0
                while true {
                    while x != 0 {
                        let p = i + half + x.trailingZeroBitCount >> 3
                        if p <= last && rest(p) { return true }
                        x &= x &- 1
                    }
                    if half == 8 { break }
                    x = lanes.hi
                    half = 8
                }
            }
            i += 16
        }
        while i < n {
            if b[i] == 0x5C { return true }
            if i <= last {
                let c0 = b[i], c1 = b[i + 1]
                if (c0 == r[0] || c0 == upper(r[0])) && (c1 == r[1] || c1 == upper(r[1])) && rest(i) { return true }
            }
            i += 1
        }
        return false
    }
}

public struct PatternError: Error, Sendable, CustomStringConvertible {
    public var pattern: String
    public var message: String
    public var description: String { "invalid regular expression '\(pattern)': \(message)" }
}
