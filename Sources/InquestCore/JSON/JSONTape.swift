#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole JSON document parsed into a flat tape of 16-byte entries that point into
/// the source bytes (after simdjson's tape): no `String` is made until a value is read.
///
/// Span dumps are large single documents (a 120 MB Jaeger export is common); a tree of
/// Swift enums, dictionaries and strings would take ten times the file. The tape takes
/// about the file's size again, and `JSONNode` reads it (`node["key"]`, `.string`,
/// `.array`, `.int64`).
///
/// Damage is recovered from: containers open where the text breaks are closed and
/// marked incomplete, and `error` says where (with its line).
public final class JSONTape: @unchecked Sendable {
    public enum Kind: UInt8 { case null, bool, number, string, array, object }

    struct Entry {
        /// Kind in the low 3 bits; bit 3: string has escapes; bit 4: container incomplete; bit 5: true (bool).
        var tag: UInt8
        /// For scalars: byte length; for containers: index one past the last entry of the container.
        var size: UInt32
        /// For scalars: byte offset of the value (strings: of the first content byte); containers: byte offset of the opening bracket.
        var offset: Int
    }

    public let bytes: [UInt8]
    var entries: [Entry] = []
    public private(set) var error: Issue?
    var lineIndex: LineIndex?

    /// Parses `bytes`. The first line of the bytes is numbered `firstLine`.
    public init(bytes: [UInt8], maxDepth: Int = 256, firstLine: Int = 1) {
        self.bytes = bytes
        self.firstLine = firstLine
        entries.reserveCapacity(bytes.count / 12 + 16)
        bytes.withUnsafeBytes { raw in
            var s = JSONScanner(raw, maxDepth: maxDepth)
            s.skipWhitespace()
            if s.atEnd { error = Issue(line: firstLine, reason: "empty JSON document"); return }
            parseValue(&s, depth: 0)
            if error == nil {
                s.skipWhitespace()
                if !s.atEnd { fail(s.pos, "unexpected text after the JSON value") }
            }
        }
    }
    let firstLine: Int

    /// The root value, or nil when nothing could be read.
    public var root: JSONNode? { entries.isEmpty ? nil : JSONNode(tape: self, index: 0) }

    func fail(_ at: Int, _ reason: String) {
        guard error == nil else { return }
        error = Issue(line: line(at: at), reason: reason)
    }

    /// The line of a byte offset (newline index built on first use).
    public func line(at offset: Int) -> Int {
        if lineIndex == nil { lineIndex = bytes.withUnsafeBytes { LineIndex($0, firstLine: firstLine) } }
        return lineIndex!.line(at: offset)
    }

    private func push(_ kind: Kind, size: Int, offset: Int, flags: UInt8 = 0) {
        entries.append(Entry(tag: kind.rawValue | flags, size: UInt32(truncatingIfNeeded: size), offset: offset))
    }

    /// Parses one value; returns false when the document broke inside it.
    @discardableResult
    private func parseValue(_ s: inout JSONScanner, depth: Int) -> Bool {
        s.skipWhitespace()
        guard let c = s.peek() else { fail(s.pos, "JSON ends early"); return false }
        switch c {
        case 0x7B, 0x5B:
            let isObject = c == 0x7B
            guard depth < s.maxDepth else { fail(s.pos, "JSON nested deeper than \(s.maxDepth) levels"); return false }
            let me = entries.count
            push(isObject ? .object : .array, size: 0, offset: s.pos)
            s.pos += 1
            s.skipWhitespace()
            var ok = true
            if s.consume(isObject ? 0x7D : 0x5D) {
                entries[me].size = UInt32(entries.count)
                return true
            }
            while true {
                if isObject {
                    s.skipWhitespace()
                    guard let k = s.scanString() else {
                        fail(s.pos, s.atEnd ? "JSON ends inside an object" : "expected a member name"); ok = false; break
                    }
                    push(.string, size: k.range.count, offset: k.range.lowerBound, flags: k.escaped ? 8 : 0)
                    guard s.consume(0x3A) else { fail(s.pos, "expected ':' after a member name"); ok = false; entries.removeLast(); break }
                }
                let before = entries.count
                if !parseValue(&s, depth: depth + 1) {
                    if entries.count == before && isObject { entries.removeLast() }  // drop a key without value
                    ok = false
                    break
                }
                s.skipWhitespace()
                if s.consume(0x2C) { continue }
                if s.consume(isObject ? 0x7D : 0x5D) { break }
                fail(s.pos, s.atEnd ? "JSON ends inside \(isObject ? "an object" : "an array")" : "expected ',' or '\(isObject ? "}" : "]")'")
                ok = false
                break
            }
            entries[me].size = UInt32(entries.count)
            if !ok { entries[me].tag |= 16 }
            return ok
        case 0x22:
            guard let str = s.scanString() else { fail(s.pos, "unterminated string"); return false }
            push(.string, size: str.range.count, offset: str.range.lowerBound, flags: str.escaped ? 8 : 0)
            return true
        default:
            let start = s.pos
            guard let r = s.skipValue() else { s.pos = start; fail(start, "invalid JSON value"); return false }
            switch c {
            case 0x74: push(.bool, size: r.count, offset: r.lowerBound, flags: 32)
            case 0x66: push(.bool, size: r.count, offset: r.lowerBound)
            case 0x6E: push(.null, size: r.count, offset: r.lowerBound)
            default:
                let ok = bytes.withUnsafeBufferPointer { JSONScanner.parseNumber(UnsafeBufferPointer(rebasing: $0[r])) != nil }
                guard ok else { fail(start, "invalid number"); return false }
                push(.number, size: r.count, offset: r.lowerBound)
            }
            return true
        }
    }
}

/// A value in a `JSONTape`: a cheap view (tape and index).
public struct JSONNode {
    let tape: JSONTape
    let index: Int

    var entry: JSONTape.Entry { tape.entries[index] }
    public var kind: JSONTape.Kind { JSONTape.Kind(rawValue: entry.tag & 7) ?? .null }

    /// Index of the entry after this value.
    var next: Int {
        let e = entry
        let k = e.tag & 7
        return (k == JSONTape.Kind.array.rawValue || k == JSONTape.Kind.object.rawValue) ? Int(e.size) : index + 1
    }

    /// True when the container was cut off by damage before it closed.
    public var incomplete: Bool { entry.tag & 16 != 0 }
    /// The line the value starts on.
    public var line: Int { tape.line(at: entry.offset) }

    func rawEquals(_ key: String) -> Bool {
        let e = entry
        var k = key
        return k.withUTF8 { kb in
            kb.count == Int(e.size) && tape.bytes.withUnsafeBufferPointer { b in
                memcmp(b.baseAddress! + e.offset, kb.baseAddress!, kb.count) == 0
            }
        }
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSONNode? {
        guard kind == .object else { return nil }
        var i = index + 1
        let end = Int(entry.size)
        while i < end {
            let k = JSONNode(tape: tape, index: i)
            guard i + 1 < end else { return nil }
            let v = JSONNode(tape: tape, index: i + 1)
            if k.entry.tag & 8 == 0 ? k.rawEquals(key) : k.decoded == key { return v }
            i = v.next
        }
        return nil
    }

    /// Members of an object in order.
    public var members: [(key: String, value: JSONNode)] {
        guard kind == .object else { return [] }
        var out: [(String, JSONNode)] = []
        var i = index + 1
        let end = Int(entry.size)
        while i + 1 < end {
            let k = JSONNode(tape: tape, index: i)
            let v = JSONNode(tape: tape, index: i + 1)
            out.append((k.decoded, v))
            i = v.next
        }
        return out
    }

    /// Items of an array (nil for other kinds).
    public var array: [JSONNode]? {
        guard kind == .array else { return nil }
        var out: [JSONNode] = []
        var i = index + 1
        let end = Int(entry.size)
        while i < end {
            let n = JSONNode(tape: tape, index: i)
            out.append(n)
            i = n.next
        }
        return out
    }

    public var isObject: Bool { kind == .object }
    /// The node itself when it is an object.
    public var object: JSONNode? { kind == .object ? self : nil }

    var decoded: String {
        let e = entry
        return tape.bytes.withUnsafeBufferPointer { b in
            let slice = UnsafeBufferPointer(rebasing: b[e.offset..<(e.offset + Int(e.size))])
            return e.tag & 8 != 0 ? JSONScanner.unescape(slice) : String(decoding: slice, as: UTF8.self)
        }
    }

    var raw: String {
        let e = entry
        return tape.bytes.withUnsafeBufferPointer { b in
            String(decoding: UnsafeBufferPointer(rebasing: b[e.offset..<(e.offset + Int(e.size))]), as: UTF8.self)
        }
    }

    /// Strings as they are; numbers and booleans as written.
    public var string: String? {
        switch kind {
        case .string: return decoded
        case .number: return raw
        case .bool: return entry.tag & 32 != 0 ? "true" : "false"
        default: return nil
        }
    }

    public var int64: Int64? {
        switch kind {
        case .number:
            let r = raw
            if let v = Int64(r) { return v }
            if let d = Double(r), d.isFinite, abs(d) < 9.2e18 { return Int64(d) }
            return nil
        case .string: return Int64(decoded)
        default: return nil
        }
    }

    public var bool: Bool? {
        switch kind {
        case .bool: return entry.tag & 32 != 0
        case .string: return decoded == "true"
        default: return nil
        }
    }

    /// Text for an attribute value: strings as they are, other values as compact JSON.
    public var displayString: String {
        switch kind {
        case .null: return "null"
        case .bool, .number, .string: return string ?? ""
        case .array, .object:
            let e = entry
            // The source text of the container, re-scanned from its opening bracket.
            return tape.bytes.withUnsafeBytes { b in
                var s = JSONScanner(UnsafeRawBufferPointer(rebasing: b[e.offset...]))
                let r = s.skipValue() ?? 0..<(b.count - e.offset)
                return String(decoding: UnsafeRawBufferPointer(rebasing: b[(e.offset + r.lowerBound)..<(e.offset + r.upperBound)]), as: UTF8.self)
            }
        }
    }
}
