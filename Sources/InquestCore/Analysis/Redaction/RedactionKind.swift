#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a detector found: the kind names the detector in summaries and the
/// placeholder that replaces the value (`<email>`, `<ipv4>`, …).
public enum RedactionKind: String, Sendable, CaseIterable, Comparable {
    case email, ipv4, ipv6, card, phone, jwt, token, secret, pattern

    /// The placeholder without a key: `<email>`.
    public var placeholder: String { "<\(rawValue)>" }

    /// Which kind wins when two detections start at the same byte and are as long:
    /// the more specific one (a JWT inside `password=` is still a JWT).
    var priority: Int {
        switch self {
        case .jwt: return 0
        case .token: return 1
        case .secret: return 2
        case .card: return 3
        case .email: return 4
        case .ipv6: return 5
        case .ipv4: return 6
        case .phone: return 7
        case .pattern: return 8
        }
    }

    public static func < (a: RedactionKind, b: RedactionKind) -> Bool { a.priority < b.priority }
}

/// One value found in a buffer of bytes: its byte range and kind.
public struct Detection: Sendable, Equatable {
    public var range: Range<Int>
    public var kind: RedactionKind
    public init(range: Range<Int>, kind: RedactionKind) { self.range = range; self.kind = kind }
}

/// Byte classes shared by the detectors (ASCII only: bytes ≥ 0x80 are "other").
enum ByteClass {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20) &- 0x61 < 6 }
    /// Letters, digits and `_`: the characters of a word or an identifier.
    @inline(__always) static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == 0x5F }
    /// Characters of base64url and of most opaque tokens.
    @inline(__always) static func isBase64URL(_ c: UInt8) -> Bool { isAlnum(c) || c == 0x5F || c == 0x2D }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { isAlpha(c) ? c | 0x20 : c }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The first index at or after `from` holding `byte`, found with `memchr`.
    @inline(__always) func findByte(_ byte: UInt8, from: Int) -> Int? {
        guard let base = baseAddress, from < count else { return nil }
        guard let p = memchr(base + from, Int32(byte), count - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// The first index at or after `from` where `needle` starts (`memchr` for its
    /// first byte, then a compare).
    @inline(__always) func find(_ needle: StaticString, from: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard let base = baseAddress, n > 0 else { return nil }
        let first = Int32(needle.utf8Start[0])
        var i = from
        while i + n <= count {
            guard let p = memchr(base + i, first, count - n + 1 - i) else { return nil }
            let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle.utf8Start, n) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// True when the bytes at `at` equal `s`, letters compared without case
    /// (`s` must be lowercase).
    @inline(__always) func matchesLowercase(_ s: StaticString, at: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at >= 0, at + n <= count else { return false }
        let p = s.utf8Start
        for k in 0..<n where ByteClass.lower(self[at + k]) != p[k] { return false }
        return true
    }
}
