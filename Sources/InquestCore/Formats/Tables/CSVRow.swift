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
    private(set) var fields: [Field] = []

    init(delimiter: UInt8) { self.delimiter = delimiter }

    var count: Int { fields.count }

    /// Splits `line` (without its line break) into `fields`.
    mutating func split(_ line: UnsafeBufferPointer<UInt8>) -> Split {
        fields.removeAll(keepingCapacity: true)
        let n = line.count
        let d = delimiter
        var i = 0
        while true {
            if i < n, line[i] == 0x22 {
                // Quoted field.
                var k = i + 1
                var escaped = false
                while true {
                    guard let q = line.index(of: 0x22, from: k) else { return .openQuote }
                    if q + 1 < n, line[q + 1] == 0x22 { escaped = true; k = q + 2; continue }
                    fields.append(Field(range: (i + 1)..<q, escaped: escaped))
                    k = q + 1
                    break
                }
                // Spaces after the closing quote are tolerated (`"a" ,b`), other text is not.
                while k < n, line[k] == 0x20 { k += 1 }
                if k == n { return .row }
                guard line[k] == d else { return .bad("text after the closing quote of field \(fields.count)") }
                i = k + 1
                if i == n { fields.append(Field(range: n..<n, escaped: false)); return .row }
            } else {
                // Plain field: up to the next delimiter (memchr-like scan).
                let s = i
                guard let base = line.baseAddress, i < n else {
                    fields.append(Field(range: i..<i, escaped: false))
                    return .row
                }
                if let p = memchrByte(base + i, d, n - i) {
                    let e = base.distance(to: p)
                    fields.append(Field(range: s..<e, escaped: false))
                    i = e + 1
                    if i == n { fields.append(Field(range: n..<n, escaped: false)); return .row }
                } else {
                    fields.append(Field(range: s..<n, escaped: false))
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

/// `memchr` typed for bytes.
@inline(__always) func memchrByte(_ p: UnsafePointer<UInt8>, _ byte: UInt8, _ count: Int) -> UnsafePointer<UInt8>? {
    guard count > 0, let r = memchr(p, Int32(byte), count) else { return nil }
    return UnsafePointer(r.assumingMemoryBound(to: UInt8.self))
}
