/// One row of a CSV or TSV table split into fields, as byte ranges of the line.
///
/// RFC 4180 quoting: a field that starts with `"` runs to the next lone `"`, and `""`
/// inside it is one quote; a delimiter or a line break inside quotes belongs to the
/// field. A row whose quote is still open at the end of its line continues on the next
/// line (the caller joins them). Fields are byte ranges: a `String` is made only for
/// the fields a reader uses, and unescaped only when it holds a doubled quote.
///
/// ```swift
/// var row = CSVRow(delimiter: UInt8(ascii: ","))
/// switch row.split(line) {
/// case .row: let id = row.string(0, in: line)
/// case .openQuote: // join the next line and split again
/// case .bad(let reason): // skipped with reason
/// }
/// ```
struct CSVRow {
    struct Field {
        /// The field's bytes, without its surrounding quotes.
        var range: Range<Int>
        /// The field holds a doubled quote (`""`) to turn into one.
        var escaped: Bool
    }

    enum Split: Equatable {
        case row
        /// A quoted field is still open at the end of the line.
        case openQuote
        case bad(String)
    }

    let delimiter: UInt8
    /// The fields of the last row split: the first `count` (later ones are stale, kept
    /// so that splitting the next row writes over them instead of allocating).
    private(set) var fields: [Field] = []
    private(set) var count = 0

    init(delimiter: UInt8) { self.delimiter = delimiter }

    /// Splits `line` (without its line break) into `fields`.
    mutating func split(_ line: UnsafeBufferPointer<UInt8>) -> Split {
        // Fields are written in place; a row with more fields than there is room for
        // makes room and is split again (a few times per reader at most).
        while true {
            var written = 0
            let d = delimiter
            let result = fields.withUnsafeMutableBufferPointer { Self.split(line, delimiter: d, into: $0, count: &written) }
            if let result {
                count = written
                return result
            }
            fields.append(contentsOf: repeatElement(Field(range: 0..<0, escaped: false), count: max(16, fields.count)))
        }
    }

    /// Splits into `out`; nil when `out` has no room for every field.
    @inline(__always)
    private static func split(_ line: UnsafeBufferPointer<UInt8>, delimiter d: UInt8, into out: UnsafeMutableBufferPointer<Field>,
                              count k: inout Int) -> Split? {
        let n = line.count
        let room = out.count
        guard room > 0 else { return nil }
        guard let base = line.baseAddress, n > 0 else {
            out[0] = Field(range: 0..<0, escaped: false)
            k = 1
            return .row
        }
        var i = 0
        while true {
            guard k < room else { return nil }
            if base[i] == 0x22 {
                // Quoted field.
                var q0 = i + 1
                var escaped = false
                while true {
                    guard let q = line.index(of: 0x22, from: q0) else { return .openQuote }
                    if q + 1 < n, base[q + 1] == 0x22 { escaped = true; q0 = q + 2; continue }
                    out[k] = Field(range: (i + 1)..<q, escaped: escaped)
                    k += 1
                    q0 = q + 1
                    break
                }
                // Spaces after the closing quote are tolerated (`"a" ,b`), other text is not.
                while q0 < n, base[q0] == 0x20 { q0 += 1 }
                if q0 == n { return .row }
                guard base[q0] == d else { return .bad("text after the closing quote of field \(k)") }
                i = q0 + 1
            } else if let e = findByte(base, d, from: i, to: n) {
                // Plain field: up to the next delimiter.
                out[k] = Field(range: i..<e, escaped: false)
                k += 1
                i = e + 1
            } else {
                out[k] = Field(range: i..<n, escaped: false)
                k += 1
                return .row
            }
            if i == n {
                // A delimiter last: one more, empty field.
                guard k < room else { return nil }
                out[k] = Field(range: n..<n, escaped: false)
                k += 1
                return .row
            }
        }
    }

    /// The bytes of field `k` (quotes removed, `""` not yet unescaped).
    @inline(__always) func bytes(_ k: Int, in line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: line[fields[k].range])
    }

    /// Field `k` as a `String`, with `""` turned into `"`.
    func string(_ k: Int, in line: UnsafeBufferPointer<UInt8>) -> String {
        let f = fields[k]
        let b = UnsafeBufferPointer(rebasing: line[f.range])
        guard f.escaped else { return String(decoding: b, as: UTF8.self) }
        return String(decoding: CSVRow.unescape(b), as: UTF8.self)
    }

    /// Field `k`'s bytes with `""` turned into `"` (a copy only when needed).
    func withUnescaped<R>(_ k: Int, in line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let f = fields[k]
        let b = UnsafeBufferPointer(rebasing: line[f.range])
        guard f.escaped else { return body(b) }
        return CSVRow.unescape(b).withUnsafeBufferPointer(body)
    }

    static func unescape(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            out.append(b[i])
            if b[i] == 0x22, i + 1 < b.count, b[i + 1] == 0x22 { i += 2 } else { i += 1 }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The first `byte` in `base[from..<to]`: eight bytes at a time for the first 32 (table
/// cells are short; calling `memchr` costs more than it saves), then `memchr`.
@inline(__always) func findByte(_ base: UnsafePointer<UInt8>, _ byte: UInt8, from: Int, to n: Int) -> Int? {
    var i = from
    let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
    let swarEnd = min(n, from + 32)
    while i + 8 <= swarEnd {
        let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ pattern
        // A zero byte of w is a match; the lowest flagged byte is always a true one.
        let t = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
        if t != 0 { return i + t.trailingZeroBitCount / 8 }
        i += 8
    }
    if i + 8 <= n {
        guard let p = memchrByte(base + i, byte, n - i) else { return nil }
        return base.distance(to: p)
    }
    while i < n {
        if base[i] == byte { return i }
        i += 1
    }
    return nil
}

/// `memchr` typed for bytes.
@inline(__always) func memchrByte(_ p: UnsafePointer<UInt8>, _ byte: UInt8, _ count: Int) -> UnsafePointer<UInt8>? {
    guard count > 0, let r = memchr(p, Int32(byte), count) else { return nil }
    return UnsafePointer(r.assumingMemoryBound(to: UInt8.self))
}
