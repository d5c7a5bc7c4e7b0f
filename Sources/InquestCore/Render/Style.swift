/// ANSI styling, applied only when enabled (a terminal without `NO_COLOR`).
public struct Style: Sendable {
    public var enabled: Bool
    public init(enabled: Bool) { self.enabled = enabled }

    public enum Color: Int, Sendable { case red = 31, green = 32, yellow = 33, blue = 34, magenta = 35, cyan = 36, gray = 90 }

    public func paint(_ s: String, _ c: Color, bold: Bool = false) -> String {
        guard enabled else { return s }
        return "\u{1B}[\(bold ? "1;" : "")\(c.rawValue)m" + s + "\u{1B}[0m"
    }
    public func bold(_ s: String) -> String { enabled ? "\u{1B}[1m" + s + "\u{1B}[0m" : s }
    public func dim(_ s: String) -> String { enabled ? "\u{1B}[2m" + s + "\u{1B}[0m" : s }

    public func level(_ l: Level, _ text: String) -> String {
        switch l {
        case .fatal, .error: return paint(text, .red, bold: true)
        case .warn: return paint(text, .yellow, bold: true)
        case .notice, .info: return paint(text, .green)
        case .debug, .trace: return dim(text)
        case .unknown: return text
        }
    }

    static let palette: [Color] = [.cyan, .magenta, .blue, .yellow, .green]

    /// A stable colour for a service name.
    public func service(_ name: String) -> String {
        service(name, paint: name)
    }

    /// `text` in the colour of service `name` (a waterfall bar in its service's colour).
    public func service(_ name: String, paint text: String) -> String {
        guard enabled else { return text }
        return paint(text, Self.palette[serviceColorIndex(name, count: Self.palette.count)])
    }
}

/// Column width of text as a terminal shows it (East Asian wide characters count two,
/// combining marks zero); good enough for alignment.
public func displayWidth(_ s: String) -> Int {
    var w = 0
    for u in s.unicodeScalars {
        let v = u.value
        if v < 0x20 || (v >= 0x300 && v < 0x370) || (v >= 0x200B && v <= 0x200F) { continue }
        if (v >= 0x1100 && v <= 0x115F) || (v >= 0x2E80 && v <= 0xA4CF) || (v >= 0xAC00 && v <= 0xD7A3) ||
            (v >= 0xF900 && v <= 0xFAFF) || (v >= 0xFE30 && v <= 0xFE4F) || (v >= 0xFF00 && v <= 0xFF60) ||
            (v >= 0x1F300 && v <= 0x1FAFF) || (v >= 0x20000 && v <= 0x3FFFD) { w += 2 } else { w += 1 }
    }
    return w
}

/// `s` made safe to print on a terminal: control characters from the input (an
/// escape sequence in a log line could retitle the window, clear the screen or fake
/// output) are shown as `^[`, `^G`, `^?` (as `cat -v` and `less` show them), C1
/// controls as `<U+009B>`, and bidirectional overrides and isolates (which reorder
/// what follows them on screen) as `<U+202E>`. Tabs stay. Text without any of these is
/// returned as it is.
public func printable(_ s: String) -> String {
    var clean = true
    var p1: UInt8 = 0, p2: UInt8 = 0
    for b in s.utf8 {
        if (b < 0x20 && b != 0x09) || b == 0x7F || (p1 == 0xC2 && b >= 0x80 && b <= 0x9F)
            || (p2 == 0xE2 && ((p1 == 0x80 && b >= 0xAA && b <= 0xAE) || (p1 == 0x81 && b >= 0xA6 && b <= 0xA9))) {
            clean = false
            break
        }
        p2 = p1
        p1 = b
    }
    if clean { return s }
    var out = ""
    out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 8)
    for u in s.unicodeScalars {
        switch u.value {
        case 0x09: out.unicodeScalars.append(u)
        case 0..<0x20: out += "^"; out.unicodeScalars.append(Unicode.Scalar(UInt8(u.value + 0x40)))
        case 0x7F: out += "^?"
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069:
            let hex = String(u.value, radix: 16, uppercase: true)
            out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// Pads or cuts `s` to exactly `width` columns (cut text ends with `…`); control
/// characters are made `printable` first and tabs become spaces.
public func fit(_ s: String, _ width: Int, alignRight: Bool = false) -> String {
    var s = printable(s)
    if s.utf8.contains(0x09) { s = s.replacingOccurrences(of: "\t", with: " ") }
    let w = displayWidth(s)
    if w == width { return s }
    if w < width {
        let pad = String(repeating: " ", count: width - w)
        return alignRight ? pad + s : s + pad
    }
    guard width > 0 else { return "" }
    var out = ""
    var used = 0
    for c in s {
        let cw = displayWidth(String(c))
        if used + cw > width - 1 { break }
        out.append(c)
        used += cw
    }
    return out + "…" + String(repeating: " ", count: max(0, width - 1 - used))
}

/// Thousands separators: 1234567 → "1,234,567".
public func grouped(_ n: Int) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

/// Where a message breaks into lines: at "\n", and at "\r\n", which Swift keeps as one
/// Character (a split on "\n" alone would leave Windows line ends inside a line).
func isLineBreak(_ c: Character) -> Bool { c == "\n" || c == "\r\n" }

/// "1 edge", "3 edges": a count with its noun.
public func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String {
    "\(grouped(n)) \(n == 1 ? one : many ?? one + "s")"
}

/// Escapes a CSV field per RFC 4180.
public func csvField(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        guard !a.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: a) {
            out += rest[..<r.lowerBound]
            out += b
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

/// A stable palette slot for a service name (FNV-1a), shared by terminal and HTML output
/// so a service keeps its colour everywhere.
public func serviceColorIndex(_ name: String, count: Int) -> Int {
    var h: UInt32 = 2166136261
    for b in name.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
    return Int(h % UInt32(max(1, count)))
}
