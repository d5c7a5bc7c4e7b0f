/// Writes JSON text: strings escaped per RFC 8259, keys in the order given.
public enum JSONWriter {
    /// Appends `s` as a quoted JSON string.
    public static func quote(_ s: String, into out: inout String) {
        out.append("\"")
        var plainStart = s.utf8.startIndex
        let utf8 = s.utf8
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let c = utf8[i]
            if c < 0x20 || c == 0x22 || c == 0x5C {
                out.append(contentsOf: s[plainStart..<i])
                switch c {
                case 0x22: out.append("\\\"")
                case 0x5C: out.append("\\\\")
                case 0x0A: out.append("\\n")
                case 0x0D: out.append("\\r")
                case 0x09: out.append("\\t")
                default:
                    let hex = Array("0123456789abcdef")
                    out.append("\\u00")
                    out.append(hex[Int(c >> 4)])
                    out.append(hex[Int(c & 15)])
                }
                plainStart = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        out.append(contentsOf: s[plainStart..<utf8.endIndex])
        out.append("\"")
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        quote(s, into: &out)
        return out
    }
}

/// Builds JSON output incrementally for renderers: `{"a":1,"b":[...]}` without a DOM.
public struct JSONOut {
    public private(set) var text = ""
    var needComma: [Bool] = [false]

    public init() {}

    mutating func sep() {
        if needComma[needComma.count - 1] { text += "," }
        needComma[needComma.count - 1] = true
    }

    public mutating func beginObject(_ key: String? = nil) { if let k = key { self.key(k) } else { sep() }; text += "{"; needComma.append(false) }
    public mutating func endObject() { text += "}"; needComma.removeLast() }
    public mutating func beginArray(_ key: String? = nil) { if let k = key { self.key(k) } else { sep() }; text += "["; needComma.append(false) }
    public mutating func endArray() { text += "]"; needComma.removeLast() }

    mutating func key(_ k: String) { sep(); JSONWriter.quote(k, into: &text); text += ":" }

    public mutating func field(_ k: String, _ v: String?) { key(k); if let v { JSONWriter.quote(v, into: &text) } else { text += "null" } }
    public mutating func field(_ k: String, _ v: Int) { key(k); text += String(v) }
    public mutating func field(_ k: String, _ v: Int64) { key(k); text += String(v) }
    public mutating func field(_ k: String, _ v: Double) { key(k); text += v.isFinite ? String(v) : "null" }
    public mutating func field(_ k: String, _ v: Bool) { key(k); text += v ? "true" : "false" }
    public mutating func field(_ k: String, strings: [String]) {
        beginArray(k)
        for s in strings { sep(); JSONWriter.quote(s, into: &text) }
        endArray()
    }
    public mutating func value(_ s: String) { sep(); JSONWriter.quote(s, into: &text) }
    public mutating func value(_ n: Int) { sep(); text += String(n) }
    /// A number, or null when it is not finite.
    public mutating func value(_ d: Double) { sep(); text += d.isFinite ? String(d) : "null" }
    public mutating func null() { sep(); text += "null" }
    public mutating func raw(_ k: String, _ json: String) { key(k); text += json }
}
