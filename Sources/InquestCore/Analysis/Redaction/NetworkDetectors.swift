/// Finds e-mail addresses: a local part of letters, digits and `._%+-` (not starting
/// with a dot), `@`, and a domain of at least two labels whose last is two or more
/// letters. `@timestamp`, `user@host` and `a@b.c1` are not addresses.
enum EmailDetector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var from = 0
        var floor = 0   // the end of the previous address: never scan back past it
        while let at = b.findByte(0x40, from: from) {
            from = at + 1
            var s = at
            while s > floor, isLocal(b[s - 1]) { s -= 1 }
            while s < at, b[s] == 0x2E { s += 1 }
            guard s < at else { continue }
            var e = at + 1
            var lastDot = -1
            var label = 0
            while e < b.count {
                let c = b[e]
                if ByteClass.isAlnum(c) || (c == 0x2D && label > 0) {
                    label += 1; e += 1
                } else if c == 0x2E, label > 0, e + 1 < b.count, ByteClass.isAlnum(b[e + 1]) {
                    lastDot = e; label = 0; e += 1
                } else {
                    break
                }
            }
            guard lastDot > at, e - lastDot - 1 >= 2 else { continue }
            var tldIsAlpha = true
            for k in (lastDot + 1)..<e where !ByteClass.isAlpha(b[k]) { tldIsAlpha = false; break }
            guard tldIsAlpha else { continue }
            out.append(Detection(range: s..<e, kind: .email))
            from = e; floor = e
        }
    }

    @inline(__always) static func isLocal(_ c: UInt8) -> Bool {
        ByteClass.isAlnum(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D
    }
}

/// Finds IPv4 addresses: four decimal octets up to 255, not part of a longer dotted
/// number (`1.2.3.4.5`, a version) nor a product version (`Chrome/131.0.0.0`).
enum IPv4Detector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var from = 0
        while let dot = b.findByte(0x2E, from: from) {
            // Back to the start of the digit run before the first dot.
            var s = dot
            while s > 0, ByteClass.isDigit(b[s - 1]) { s -= 1 }
            guard s < dot, boundaryBefore(b, s), let e = match(b, at: s) else { from = dot + 1; continue }
            out.append(Detection(range: s..<e, kind: .ipv4))
            from = e
        }
    }

    static func boundaryBefore(_ b: UnsafeBufferPointer<UInt8>, _ s: Int) -> Bool {
        guard s > 0 else { return true }
        let c = b[s - 1]
        if ByteClass.isWord(c) || c == 0x2E || c == 0x2D { return false }
        // product/version, as in a user agent
        if c == 0x2F, s >= 2, ByteClass.isAlnum(b[s - 2]) { return false }
        return true
    }

    /// The end of an address starting at `i`, or nil.
    static func match(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var p = i
        for group in 0..<4 {
            var v = 0, n = 0
            while p < b.count, ByteClass.isDigit(b[p]), n < 4 { v = v * 10 + Int(b[p] &- 0x30); n += 1; p += 1 }
            guard n >= 1, n <= 3, v <= 255 else { return nil }
            if group < 3 {
                guard p + 1 < b.count, b[p] == 0x2E, ByteClass.isDigit(b[p + 1]) else { return nil }
                p += 1
            }
        }
        if p < b.count {
            let c = b[p]
            if ByteClass.isWord(c) { return nil }
            if c == 0x2E, p + 1 < b.count, ByteClass.isAlnum(b[p + 1]) { return nil }
        }
        return p
    }
}

/// Finds IPv6 addresses: eight groups of one to four hex digits, or fewer around one
/// `::`, optionally ending in a dotted IPv4. Clock times (`10:30:00`), MAC
/// addresses (six groups), hex IDs (no colons) and `a::b` in code are not addresses:
/// a compressed form needs two groups and four hex digits.
enum IPv6Detector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var from = 0
        while let colon = b.findByte(0x3A, from: from) {
            var s = colon
            while s > 0, ByteClass.isHex(b[s - 1]) || b[s - 1] == 0x3A { s -= 1 }
            if s > 0 {
                let c = b[s - 1]
                if ByteClass.isWord(c) || c == 0x2E || c == 0x2D {
                    from = skipRun(b, colon); continue
                }
            }
            // An address can end on a colon ("…::1: refused"); looking back from that colon
            // finds it again, ending before it: already reported, so move on.
            if let e = match(b, at: s), e > colon {
                out.append(Detection(range: s..<e, kind: .ipv6))
                from = e
            } else {
                from = skipRun(b, colon)
            }
        }
    }

    /// Past the hex-and-colon run holding `i`, so a long run is looked at once.
    static func skipRun(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var p = i + 1
        while p < b.count, ByteClass.isHex(b[p]) || b[p] == 0x3A { p += 1 }
        return p
    }

    /// The end of an address starting at `i`, or nil.
    static func match(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var p = i
        var groups = 0, hexDigits = 0
        var compressed = false
        var v4tail = false
        if p + 1 < b.count, b[p] == 0x3A, b[p + 1] == 0x3A { compressed = true; p += 2 }
        while p < b.count {
            var h = 0
            while p + h < b.count, ByteClass.isHex(b[p + h]) { h += 1 }
            if h == 0 { break }
            if p + h < b.count, b[p + h] == 0x2E {
                // A dotted IPv4 as the last 32 bits.
                if groups <= 6, let e = IPv4Detector.match(b, at: p) { groups += 2; p = e; v4tail = true }
                break
            }
            guard h <= 4 else { return nil }
            groups += 1; hexDigits += h; p += h
            guard p < b.count, b[p] == 0x3A else { break }
            if p + 1 < b.count, b[p + 1] == 0x3A {
                if compressed { return nil }
                compressed = true; p += 2
                continue
            }
            guard p + 1 < b.count, ByteClass.isHex(b[p + 1]) else { break }
            p += 1
        }
        guard groups <= 8 else { return nil }
        if compressed {
            guard groups <= 7, groups >= 2 || v4tail, hexDigits >= 4 || v4tail else { return nil }
        } else {
            guard groups == 8 else { return nil }
        }
        if p < b.count, ByteClass.isWord(b[p]) { return nil }
        return p
    }

    /// The 16 bytes of an address found by `match` (for pseudonyms, so that
    /// `2001:db8::1` and `2001:0DB8:0:0::1` are one address).
    static func canonical(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var head: [UInt16] = [], tail: [UInt16] = []
        var afterGap = false
        var p = 0
        if b.count >= 2, b[0] == 0x3A, b[1] == 0x3A { afterGap = true; p = 2 }
        while p < b.count {
            var h = 0
            while p + h < b.count, ByteClass.isHex(b[p + h]) { h += 1 }
            if p + h < b.count, b[p + h] == 0x2E {
                // IPv4 tail
                var octets: [UInt8] = []
                var v = 0
                for k in p..<b.count {
                    if b[k] == 0x2E { octets.append(UInt8(truncatingIfNeeded: v)); v = 0 } else { v = v * 10 + Int(b[k] &- 0x30) }
                }
                octets.append(UInt8(truncatingIfNeeded: v))
                if octets.count == 4 {
                    let w = [UInt16(octets[0]) << 8 | UInt16(octets[1]), UInt16(octets[2]) << 8 | UInt16(octets[3])]
                    if afterGap { tail += w } else { head += w }
                }
                break
            }
            if h == 0 { break }
            var v: UInt16 = 0
            for k in p..<(p + h) {
                let c = b[k]
                v = v << 4 | UInt16(ByteClass.isDigit(c) ? c &- 0x30 : (c | 0x20) &- 0x61 &+ 10)
            }
            if afterGap { tail.append(v) } else { head.append(v) }
            p += h
            if p + 1 < b.count, b[p] == 0x3A, b[p + 1] == 0x3A { afterGap = true; p += 2 } else { p += 1 }
        }
        let zeros = max(0, 8 - head.count - tail.count)
        let words = head + [UInt16](repeating: 0, count: zeros) + tail
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
