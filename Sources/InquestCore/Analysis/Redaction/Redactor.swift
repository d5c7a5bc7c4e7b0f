/// Counts of what each detector found.
public struct RedactionCounts: Sendable, Equatable {
    var values = [Int](repeating: 0, count: RedactionKind.allCases.count)
    public init() {}

    public subscript(kind: RedactionKind) -> Int {
        get { values[kind.index] }
        set { values[kind.index] = newValue }
    }

    public var total: Int { values.reduce(0, +) }

    public static func += (a: inout RedactionCounts, b: RedactionCounts) {
        for i in a.values.indices { a.values[i] += b.values[i] }
    }
}

extension RedactionKind {
    var index: Int {
        switch self {
        case .email: return 0
        case .ipv4: return 1
        case .ipv6: return 2
        case .card: return 3
        case .phone: return 4
        case .jwt: return 5
        case .token: return 6
        case .secret: return 7
        case .pattern: return 8
        }
    }
}

/// Which detectors run.
public struct RedactionRules: Sendable {
    /// The built-in detectors to run (all by default; `.pattern` is driven by `patterns`).
    public var kinds: Set<RedactionKind> = Set(RedactionKind.allCases)
    /// User-supplied expressions, redacted as `<pattern>`.
    public var patterns: [UserPatternDetector] = []
    public init() {}
}

/// Finds personal and secret values in bytes and writes their replacement.
///
/// ```swift
/// let redactor = Redactor(rules: RedactionRules(), pseudonymizer: nil)
/// var out: [UInt8] = [], counts = RedactionCounts()
/// redactor.rewriteText(line, into: &out, counts: &counts)   // "mail bob@example.com" → "mail <email>"
/// ```
///
/// Detectors scan bytes (no regular expressions but the user's); their findings are
/// merged so that no two overlap: the earliest wins, then the longest, then the
/// more specific kind, and a finding that overlaps it extends its range. Values of
/// timestamp, level and trace or span ID fields are never replaced, whatever a
/// detector thinks of them. Pseudonyms are cached (values repeat in logs: one HMAC
/// each). Not thread-safe: one per thread (it reuses buffers).
public final class Redactor {
    public let rules: RedactionRules
    public let pseudonymizer: Pseudonymizer?
    var found: [Detection] = []
    var kept: [Detection] = []
    /// Tokens already computed, keyed by kind index and value; cleared when full.
    var tokens: [[UInt8]: [UInt8]] = [:]
    var tokenKey: [UInt8] = []
    static let maxCachedTokens = 1 << 16

    public init(rules: RedactionRules, pseudonymizer: Pseudonymizer?) {
        self.rules = rules
        self.pseudonymizer = pseudonymizer
    }

    /// The non-overlapping detections in `b`, in order. With `fields`, `key=value`
    /// secrets are looked for and values of protected fields are left out.
    func detect(_ b: UnsafeBufferPointer<UInt8>, fields: Bool) -> [Detection] {
        found.removeAll(keepingCapacity: true)
        kept.removeAll(keepingCapacity: true)
        guard b.count >= 3 else { return kept }
        let k = rules.kinds
        if k.contains(.email) { EmailDetector.scan(b, into: &found) }
        if k.contains(.ipv4) { IPv4Detector.scan(b, into: &found) }
        if k.contains(.ipv6) { IPv6Detector.scan(b, into: &found) }
        if k.contains(.card) { CardDetector.scan(b, into: &found) }
        if k.contains(.phone) { PhoneDetector.scan(b, into: &found) }
        if k.contains(.jwt) { JWTDetector.scan(b, into: &found) }
        if k.contains(.token) { TokenDetector.scan(b, into: &found) }
        if fields, k.contains(.secret) { SecretFieldDetector.scan(b, into: &found) }
        for p in rules.patterns { p.scan(b, into: &found) }
        guard !found.isEmpty else { return kept }
        if found.count > 1 {
            found.sort { x, y in
                if x.range.lowerBound != y.range.lowerBound { return x.range.lowerBound < y.range.lowerBound }
                if x.range.count != y.range.count { return x.range.count > y.range.count }
                return x.kind < y.kind
            }
        }
        var end = 0
        for d in found {
            if d.range.lowerBound < end {
                // Overlapping findings (a --pattern over part of an address): the
                // replacement covers both, so no piece of either is left behind.
                if d.range.upperBound > end {
                    kept[kept.count - 1].range = kept[kept.count - 1].range.lowerBound..<d.range.upperBound
                    end = d.range.upperBound
                }
                continue
            }
            if fields, d.kind != .secret, FieldNames.valueIsProtected(b, at: d.range.lowerBound) { continue }
            kept.append(d)
            end = d.range.upperBound
        }
        return kept
    }

    /// Appends the replacement of `value`: its placeholder, or its keyed token.
    @inline(__always) func appendReplacement(_ kind: RedactionKind, _ value: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        if let p = pseudonymizer {
            tokenKey.removeAll(keepingCapacity: true)
            tokenKey.append(UInt8(kind.index))
            tokenKey += value
            if let t = tokens[tokenKey] { out += t; return }
            let t = p.token(kind, value)
            if tokens.count >= Self.maxCachedTokens { tokens.removeAll(keepingCapacity: true) }
            tokens[tokenKey] = t
            out += t
        } else {
            out += kind.placeholder.utf8
        }
    }

    /// Rewrites one line of text (logfmt, plain, syslog, access, anything): bytes
    /// outside detections are copied unchanged.
    public func rewriteText(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], counts: inout RedactionCounts) {
        let ds = detect(b, fields: true)
        guard !ds.isEmpty else { out += b; return }
        var at = 0
        for d in ds {
            out += UnsafeBufferPointer(rebasing: b[at..<d.range.lowerBound])
            appendReplacement(d.kind, UnsafeBufferPointer(rebasing: b[d.range]), into: &out)
            counts[d.kind] += 1
            at = d.range.upperBound
        }
        out += UnsafeBufferPointer(rebasing: b[at..<b.count])
    }
}

/// Names of fields whose values are never redacted (times, levels, trace and span
/// IDs) and the look-back that finds the field a value belongs to in text.
enum FieldNames {
    static let protectedExact: Set<[UInt8]> = Set([
        "traceid", "spanid", "parentspanid", "parentid", "id", "traceparent", "tracestate", "ts", "time", "timestamp",
        "datetime", "date", "starttime", "endtime", "duration", "level", "severity", "severitytext", "severitynumber",
        "levelname", "loglevel", "lvl", "reftype",
    ].map { Array($0.utf8) })
    static let protectedSuffixes: [[UInt8]] = ["traceid", "spanid", "parentid", "timeunixnano", "timestamp"].map { Array($0.utf8) }

    /// True for `trace_id`, `traceId`, `spanID`, `parentSpanId`, `@timestamp`, `ts`,
    /// `time`, `level`, `traceparent`, `startTimeUnixNano` and the like: the name in
    /// lower case without `_ - . @` is in the list, or ends with an ID or time suffix.
    static func isProtected(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !key.isEmpty, key.count <= 64 else { return false }
        var norm: [UInt8] = []
        norm.reserveCapacity(key.count)
        for c in key where ByteClass.isAlnum(c) { norm.append(ByteClass.lower(c)) }
        if protectedExact.contains(norm) { return true }
        for s in protectedSuffixes where norm.count >= s.count && norm[(norm.count - s.count)...].elementsEqual(s) { return true }
        return false
    }

    /// True when the value starting at `s` is the value of a protected field:
    /// `trace_id=…`, `time: …`, `"ts":"…"`.
    static func valueIsProtected(_ b: UnsafeBufferPointer<UInt8>, at s: Int) -> Bool {
        var p = s
        if p > 0, b[p - 1] == 0x22 || b[p - 1] == 0x27 { p -= 1 }
        while p > 0, b[p - 1] == 0x20 { p -= 1 }
        guard p > 0, b[p - 1] == 0x3D || b[p - 1] == 0x3A else { return false }
        p -= 1
        while p > 0, b[p - 1] == 0x20 { p -= 1 }
        if p > 0, b[p - 1] == 0x22 || b[p - 1] == 0x27 { p -= 1 }
        let ke = p
        while p > 0, SecretFieldDetector.isKeyByte(b[p - 1]) || b[p - 1] == 0x40 { p -= 1 }
        return isProtected(UnsafeBufferPointer(rebasing: b[p..<ke]))
    }
}
