/// Rewrites JSON one line at a time — JSON lines, or a pretty-printed or one-line
/// span dump — replacing values inside string values only, so the output is as
/// valid as the input.
///
/// Keys are never touched. A string value is left alone when its key (or, for
/// Jaeger tags and OTLP attributes, the sibling `"key"` naming it) is a protected
/// field — a time, a level, a trace or span ID — and is replaced whole when that
/// name says it is a secret (`password`, `api_key`, …). Otherwise the detectors
/// run over the string's decoded text, and each finding replaces exactly the raw
/// bytes (escapes included) it came from; placeholders and tokens need no escaping.
/// A number that is a card number becomes the string `"<card>"`.
///
/// State (the current key and the tag names of enclosing objects) carries from one
/// line to the next. A line with bytes that cannot be JSON outside its strings, or
/// with an unterminated string, is left to `Redactor.rewriteText` by returning false.
struct JSONLineRewriter {
    /// The raw bytes of the last key seen.
    var key: [UInt8] = []
    /// For each open object, the value of its `"key"` member (a tag's name), if any.
    var tagNames: [[UInt8]?] = []
    let maxDepth: Int

    // Reused buffers for decoding escaped strings.
    var decoded: [UInt8] = []
    var rawStart: [Int32] = []
    var rawEnd: [Int32] = []

    init(maxDepth: Int = 256) { self.maxDepth = maxDepth }

    static let valueKeys: Set<[UInt8]> = Set(["value", "stringValue", "vStr", "string_value"].map { Array($0.utf8) })
    static let keyKey: [UInt8] = Array("key".utf8)

    /// Rewrites `b` into `out` (appending); false when the line is not JSON text,
    /// in which case `out` is left as it was.
    mutating func rewrite(_ b: UnsafeBufferPointer<UInt8>, redactor: Redactor, into out: inout [UInt8], counts: inout RedactionCounts) -> Bool {
        let mark = out.count
        var lineCounts = RedactionCounts()
        let savedKey = key, savedTags = tagNames
        var i = 0
        var copied = 0
        let n = b.count
        func fail() -> Bool {
            out.removeSubrange(mark...)
            key = savedKey; tagNames = savedTags
            return false
        }
        while i < n {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0D, 0x2C, 0x3A, 0x5B, 0x5D:
                i += 1
            case 0x7B:
                if tagNames.count < maxDepth { tagNames.append(nil) }
                i += 1
            case 0x7D:
                if !tagNames.isEmpty { tagNames.removeLast() }
                i += 1
            case 0x22:
                // Find the closing quote.
                var e = i + 1
                var escaped = false
                while true {
                    guard let q = b.findByte(0x22, from: e) else { return fail() }
                    var bs = 0
                    var k = q - 1
                    while k > i, b[k] == 0x5C { bs += 1; k -= 1 }
                    if bs > 0 { escaped = true }
                    if bs & 1 == 0 { e = q; break }
                    e = q + 1
                }
                if !escaped, b.findByte(0x5C, from: i + 1).map({ $0 < e }) == true { escaped = true }
                // A key when a colon follows.
                var after = e + 1
                while after < n, b[after] == 0x20 || b[after] == 0x09 { after += 1 }
                let content = UnsafeBufferPointer(rebasing: b[(i + 1)..<e])
                if after < n, b[after] == 0x3A {
                    key.removeAll(keepingCapacity: true)
                    key += content
                } else {
                    if key == Self.keyKey, !tagNames.isEmpty { tagNames[tagNames.count - 1] = Array(content) }
                    out += UnsafeBufferPointer(rebasing: b[copied..<(i + 1)])
                    rewriteString(content, escaped: escaped, redactor: redactor, into: &out, counts: &lineCounts)
                    copied = e
                }
                i = e + 1
            case 0x2D, 0x30...0x39, 0x74, 0x66, 0x6E:
                var e = i
                while e < n, ByteClass.isAlnum(b[e]) || b[e] == 0x2E || b[e] == 0x2D || b[e] == 0x2B { e += 1 }
                let word = UnsafeBufferPointer(rebasing: b[i..<e])
                if c == 0x74 || c == 0x66 || c == 0x6E {
                    guard word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8) else { return fail() }
                } else if c != 0x2D, redactor.rules.kinds.contains(.card), e - i >= 13, e - i <= 19, !fieldIsProtected() {
                    var ds: [Detection] = []
                    CardDetector.scan(word, into: &ds)
                    if let d = ds.first, d.range == 0..<word.count {
                        out += UnsafeBufferPointer(rebasing: b[copied..<i])
                        out.append(0x22)
                        redactor.appendReplacement(.card, word, into: &out)
                        out.append(0x22)
                        lineCounts[.card] += 1
                        copied = e
                    }
                }
                i = e
            default:
                return fail()
            }
        }
        out += UnsafeBufferPointer(rebasing: b[copied..<n])
        counts += lineCounts
        return true
    }

    /// The names the current value belongs to: its key, and the tag name when the key
    /// is a tag's `value` (Jaeger `{"key":…,"value":…}`, OTLP `{"key":…,"value":{"stringValue":…}}`).
    func fieldIsProtected() -> Bool {
        if key.withUnsafeBufferPointer({ FieldNames.isProtected($0) }) { return true }
        if let tag = tagName { return tag.withUnsafeBufferPointer { FieldNames.isProtected($0) } }
        return false
    }

    func fieldIsSecret() -> Bool {
        if key.withUnsafeBufferPointer({ SecretFieldDetector.isSecretKey($0) }) { return true }
        if let tag = tagName { return tag.withUnsafeBufferPointer { SecretFieldDetector.isSecretKey($0) } }
        return false
    }

    var tagName: [UInt8]? {
        guard Self.valueKeys.contains(key) else { return nil }
        for t in tagNames.suffix(2).reversed() { if let t { return t } }
        return nil
    }

    /// Appends the string's content (without quotes), redacted.
    mutating func rewriteString(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool, redactor: Redactor, into out: inout [UInt8], counts: inout RedactionCounts) {
        if raw.isEmpty || key == Self.keyKey || fieldIsProtected() { out += raw; return }
        if redactor.rules.kinds.contains(.secret), fieldIsSecret() {
            if raw.count <= 5, raw.elementsEqual("null".utf8) { out += raw; return }
            let sp = raw.firstIndex(of: 0x20)
            if let sp, key.withUnsafeBufferPointer({ SecretFieldDetector.isAuthorization($0) }) || (tagName.map { $0.withUnsafeBufferPointer { SecretFieldDetector.isAuthorization($0) } } ?? false),
               SecretFieldDetector.isSchemeWord(raw, 0..<sp), sp + 1 < raw.count {
                out += UnsafeBufferPointer(rebasing: raw[0...sp])
                redactor.appendReplacement(.secret, UnsafeBufferPointer(rebasing: raw[(sp + 1)...]), into: &out)
            } else {
                redactor.appendReplacement(.secret, raw, into: &out)
            }
            counts[.secret] += 1
            return
        }
        if !escaped {
            let ds = redactor.detect(raw, fields: true)
            guard !ds.isEmpty else { out += raw; return }
            var at = 0
            for d in ds {
                out += UnsafeBufferPointer(rebasing: raw[at..<d.range.lowerBound])
                redactor.appendReplacement(d.kind, UnsafeBufferPointer(rebasing: raw[d.range]), into: &out)
                counts[d.kind] += 1
                at = d.range.upperBound
            }
            out += UnsafeBufferPointer(rebasing: raw[at..<raw.count])
            return
        }
        guard decode(raw) else {
            // Not valid JSON escapes: leave the escapes alone, redact around them.
            redactor.rewriteText(raw, into: &out, counts: &counts)
            return
        }
        let ds = decoded.withUnsafeBufferPointer { redactor.detect($0, fields: true) }
        guard !ds.isEmpty else { out += raw; return }
        var at = 0
        for d in ds {
            let rs = Int(rawStart[d.range.lowerBound]), re = Int(rawEnd[d.range.upperBound - 1])
            guard rs >= at else { continue }
            out += UnsafeBufferPointer(rebasing: raw[at..<rs])
            decoded.withUnsafeBufferPointer { redactor.appendReplacement(d.kind, UnsafeBufferPointer(rebasing: $0[d.range]), into: &out) }
            counts[d.kind] += 1
            at = re
        }
        out += UnsafeBufferPointer(rebasing: raw[at..<raw.count])
    }

    /// Decodes JSON escapes into `decoded`, keeping for each decoded byte the raw
    /// range of the escape (or byte) it came from. False on a malformed escape.
    mutating func decode(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        decoded.removeAll(keepingCapacity: true)
        rawStart.removeAll(keepingCapacity: true)
        rawEnd.removeAll(keepingCapacity: true)
        var i = 0
        func emit(_ byte: UInt8, _ s: Int, _ e: Int) { decoded.append(byte); rawStart.append(Int32(s)); rawEnd.append(Int32(e)) }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = raw[k]
                guard ByteClass.isHex(c) else { return nil }
                v = v << 4 | UInt32(ByteClass.isDigit(c) ? c &- 0x30 : (c | 0x20) &- 0x61 &+ 10)
            }
            return v
        }
        guard raw.count < Int(Int32.max) else { return false }
        while i < raw.count {
            let c = raw[i]
            guard c == 0x5C else { emit(c, i, i + 1); i += 1; continue }
            guard i + 1 < raw.count else { return false }
            let e = raw[i + 1]
            switch e {
            case 0x22, 0x5C, 0x2F: emit(e, i, i + 2); i += 2
            case 0x62: emit(0x08, i, i + 2); i += 2
            case 0x66: emit(0x0C, i, i + 2); i += 2
            case 0x6E: emit(0x0A, i, i + 2); i += 2
            case 0x72: emit(0x0D, i, i + 2); i += 2
            case 0x74: emit(0x09, i, i + 2); i += 2
            case 0x75:
                guard var u = hex4(i + 2) else { return false }
                var end = i + 6
                if (0xD800..<0xDC00).contains(u), end + 6 <= raw.count, raw[end] == 0x5C, raw[end + 1] == 0x75,
                   let lo = hex4(end + 2), (0xDC00..<0xE000).contains(lo) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    end += 6
                }
                let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                for byte in String(Character(scalar)).utf8 { emit(byte, i, end) }
                i = end
            default:
                return false
            }
        }
        return true
    }
}
