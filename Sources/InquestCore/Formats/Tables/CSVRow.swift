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

    @inline(__always) private mutating func add(_ range: Range<Int>, escaped: Bool) {
        let f = Field(range: range, escaped: escaped)
        if count < fields.count { fields[count] = f } else { fields.append(f) }
        count += 1
    }

    /// Splits `line` (without its line break) into `fields`.
    mutating func split(_ line: UnsafeBufferPointer<UInt8>) -> Split {
        count = 0
        let n = line.count
        let d = delimiter
        guard let base = line.baseAddress else {
            add(0..<0, escaped: false)
            return .row
        }
        var i = 0
        while true {
            if i < n, base[i] == 0x22 {
                // Quoted field.
                var k = i + 1
                var escaped = false
                while true {
                    guard let q = line.index(of: 0x22, from: k) else { return .openQuote }
                    if q + 1 < n, line[q + 1] == 0x22 { escaped = true; k = q + 2; continue }
                    add((i + 1)..<q, escaped: escaped)
                    k = q + 1
                    break
                }
                // Spaces after the closing quote are tolerated (`"a" ,b`), other text is not.
                while k < n, line[k] == 0x20 { k += 1 }
                if k == n { return .row }
                guard line[k] == d else { return .bad("text after the closing quote of field \(count)") }
                i = k + 1
                if i == n { add(n..<n, escaped: false); return .row }
            } else {
                // Plain field: up to the next delimiter.
                let s = i
                guard i < n else {
                    add(i..<i, escaped: false)
                    return .row
                }
                if let e = findByte(base, d, from: i, to: n) {
                    add(s..<e, escaped: false)
                    i = e + 1
                    if i == n { add(n..<n, escaped: false); return .row }
                } else {
                    add(s..<n, escaped: false)
                    return .row
                }
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
