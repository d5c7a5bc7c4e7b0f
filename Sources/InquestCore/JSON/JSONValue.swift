/// A parsed JSON document, for span dumps and OTLP documents where the structure,
/// not one flat record, carries the data.
///
/// `JSONValue.parse` recovers from damage: when the text is cut off or broken, the
/// containers open at that point are closed and returned with what they held, and
/// `JSONDocument.error` says where it went wrong. Objects remember the line they
/// started on, so a bad span can be reported as `file:line`.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double, raw: String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var string: String? {
        switch self {
        case .string(let s): return s
        case .number(_, let raw): return raw
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    public var int64: Int64? {
        switch self {
        case .number(let d, let raw):
            if let v = Int64(raw) { return v }
            return d.isFinite && abs(d) < 9.2e18 ? Int64(d) : nil
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .number(let d, _): return d
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var bool: Bool? {
        switch self {
        case .bool(let b): return b
        case .string(let s): return s == "true"
        default: return nil
        }
    }

    /// Text for an attribute value: strings as they are, other values as compact JSON.
    public var displayString: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(_, let raw): return raw
        case .string(let s): return s
        case .array, .object: return JSONWriter.compact(self)
        }
    }
}

/// Members in document order, with the line the object started on.
public struct JSONObject: Sendable {
    public var members: [(key: String, value: JSONValue)]
    public var line: Int
    /// True when the object was cut off by an error before its closing brace.
    public var incomplete: Bool

    public subscript(key: String) -> JSONValue? {
        for m in members where m.key == key { return m.value }
        return nil
    }
}

public struct JSONDocument: Sendable {
    public var value: JSONValue?
    /// The first error, with its line; nil when the text parsed cleanly.
    public var error: Issue?
}

extension JSONValue {
    /// Parses one JSON text, recovering what it can from damaged input.
    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = 256, firstLine: Int = 1) -> JSONDocument {
        var p = DOMParser(scanner: JSONScanner(buffer, maxDepth: maxDepth), line: firstLine, lineFrom: 0)
        p.scanner.skipWhitespace()
        let v = p.value(depth: 0)
        if p.error == nil {
            p.scanner.skipWhitespace()
            if !p.scanner.atEnd { p.fail("unexpected text after the JSON value") }
        }
        return JSONDocument(value: v, error: p.error)
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 256) -> JSONDocument {
        bytes.withUnsafeBytes { parse($0, maxDepth: maxDepth) }
    }
}

struct DOMParser {
    var scanner: JSONScanner
    var line: Int
    var lineFrom: Int
    var error: Issue?

    /// The line of the cursor, counting newlines lazily from the last known point.
    mutating func currentLine() -> Int {
        var i = lineFrom
        while i < scanner.pos && i < scanner.end {
            if scanner.base[i] == 0x0A { line += 1 }
            i += 1
        }
        lineFrom = max(lineFrom, min(scanner.pos, scanner.end))
        return line
    }

    mutating func fail(_ reason: String) {
        guard error == nil else { return }
        let l = currentLine()
        error = Issue(line: l, reason: reason)
    }

    mutating func value(depth: Int) -> JSONValue? {
        guard error == nil else { return nil }
        scanner.skipWhitespace()
        guard let c = scanner.peek() else { fail("JSON ends early"); return nil }
        switch c {
        case 0x7B:
            guard depth < scanner.maxDepth else { fail("JSON nested deeper than \(scanner.maxDepth) levels"); return nil }
            let l = currentLine()
            scanner.pos += 1
            var members: [(key: String, value: JSONValue)] = []
            scanner.skipWhitespace()
            if scanner.consume(0x7D) { return .object(JSONObject(members: [], line: l, incomplete: false)) }
            while true {
                scanner.skipWhitespace()
                guard let k = scanner.scanString() else {
                    fail(scanner.atEnd ? "JSON ends inside an object" : "expected a member name")
                    return .object(JSONObject(members: members, line: l, incomplete: true))
                }
                guard scanner.consume(0x3A) else {
                    fail("expected ':' after a member name")
                    return .object(JSONObject(members: members, line: l, incomplete: true))
                }
                let key = scanner.string(k.range, escaped: k.escaped)
                guard let v = value(depth: depth + 1) else {
                    return .object(JSONObject(members: members, line: l, incomplete: true))
                }
                members.append((key, v))
                if error != nil { return .object(JSONObject(members: members, line: l, incomplete: true)) }
                scanner.skipWhitespace()
                if scanner.consume(0x2C) { continue }
                if scanner.consume(0x7D) { return .object(JSONObject(members: members, line: l, incomplete: false)) }
                fail(scanner.atEnd ? "JSON ends inside an object" : "expected ',' or '}'")
                return .object(JSONObject(members: members, line: l, incomplete: true))
            }
        case 0x5B:
            guard depth < scanner.maxDepth else { fail("JSON nested deeper than \(scanner.maxDepth) levels"); return nil }
            scanner.pos += 1
            var items: [JSONValue] = []
            scanner.skipWhitespace()
            if scanner.consume(0x5D) { return .array([]) }
            while true {
                guard let v = value(depth: depth + 1) else { return .array(items) }
                items.append(v)
                if error != nil { return .array(items) }
                scanner.skipWhitespace()
                if scanner.consume(0x2C) { continue }
                if scanner.consume(0x5D) { return .array(items) }
                fail(scanner.atEnd ? "JSON ends inside an array" : "expected ',' or ']'")
                return .array(items)
            }
        case 0x22:
            guard let s = scanner.scanString() else { fail("unterminated string"); return nil }
            return .string(scanner.string(s.range, escaped: s.escaped))
        default:
            let start = scanner.pos
            guard let r = scanner.skipValue() else {
                scanner.pos = start
                fail("invalid JSON value")
                return nil
            }
            let b = scanner.bytes(r)
            switch b[0] {
            case 0x74: return .bool(true)
            case 0x66: return .bool(false)
            case 0x6E: return .null
            default:
                guard let d = JSONScanner.parseNumber(b) else { fail("invalid number"); return nil }
                return .number(d, raw: String(decoding: b, as: UTF8.self))
            }
        }
    }
}
