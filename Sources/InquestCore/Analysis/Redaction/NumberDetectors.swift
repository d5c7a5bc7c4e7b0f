/// Finds payment card numbers: 13 to 19 digits, possibly in groups of three to six
/// separated by one space or one dash (the same throughout), with the issuer prefix
/// of a card network and a valid Luhn check digit. Order numbers, epoch timestamps
/// (which start with 1) and IDs almost never pass both checks.
enum CardDetector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var i = 0
        let n = b.count
        var digits = [UInt8]()
        digits.reserveCapacity(24)
        while i < n {
            guard ByteClass.isDigit(b[i]) else { i += 1; continue }
            if i > 0 {
                let c = b[i - 1]
                if ByteClass.isWord(c) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x2C {
                    i += 1
                    while i < n, ByteClass.isAlnum(b[i]) { i += 1 }
                    continue
                }
            }
            if let e = match(b, at: i, digits: &digits) {
                out.append(Detection(range: i..<e, kind: .card))
                i = e
            } else {
                while i < n, ByteClass.isDigit(b[i]) || ByteClass.isAlpha(b[i]) { i += 1 }
            }
        }
    }

    /// The end of a card number starting at `i`, or nil.
    static func match(_ b: UnsafeBufferPointer<UInt8>, at i: Int, digits: inout [UInt8]) -> Int? {
        digits.removeAll(keepingCapacity: true)
        var p = i
        var separator: UInt8 = 0
        var group = 0
        while p < b.count {
            let c = b[p]
            if ByteClass.isDigit(c) {
                digits.append(c &- 0x30); group += 1; p += 1
                if digits.count > 19 { return nil }
            } else if (c == 0x20 || c == 0x2D), p + 1 < b.count, ByteClass.isDigit(b[p + 1]), separator == 0 || separator == c {
                guard group >= 3, group <= 6 else { return nil }
                separator = c; group = 0; p += 1
            } else {
                break
            }
        }
        if separator != 0, group < 3 || group > 6 { return nil }
        if p < b.count {
            let c = b[p]
            if ByteClass.isWord(c) { return nil }
            if (c == 0x2E || c == 0x2C), p + 1 < b.count, ByteClass.isDigit(b[p + 1]) { return nil }
        }
        guard digits.count >= 13, issuerAccepts(digits), luhn(digits) else { return nil }
        return p
    }

    /// Issuer prefixes and lengths of Visa, Mastercard, American Express, Discover,
    /// JCB, Diners Club and UnionPay.
    static func issuerAccepts(_ d: [UInt8]) -> Bool {
        let len = d.count
        let p2 = Int(d[0]) * 10 + Int(d[1])
        let p4 = p2 * 100 + Int(d[2]) * 10 + Int(d[3])
        switch d[0] {
        case 4: return len == 13 || len == 16 || len == 19
        case 5: return (51...55).contains(p2) && len == 16
        case 2: return (2221...2720).contains(p4) && len == 16
        case 3:
            if p2 == 34 || p2 == 37 { return len == 15 }
            if (3528...3589).contains(p4) { return len >= 16 }
            if (300...305).contains(p4 / 10) || p2 == 36 || p2 == 38 || p2 == 39 { return len >= 14 }
            return false
        case 6:
            if p4 == 6011 || p2 == 65 || (644...649).contains(p4 / 10) || p2 == 62 { return len >= 16 }
            return false
        default: return false
        }
    }

    static func luhn(_ d: [UInt8]) -> Bool {
        var sum = 0
        var double = false
        for k in stride(from: d.count - 1, through: 0, by: -1) {
            var v = Int(d[k])
            if double { v *= 2; if v > 9 { v -= 9 } }
            sum += v
            double.toggle()
        }
        return sum % 10 == 0
    }
}

/// Finds telephone numbers in shapes that are hard to mistake for anything else:
/// E.164 with its `+` (`+1 415 555 2671`, `+44 20 7946 0958`, 8 to 15 digits), North
/// American `(415) 555-2671`, `415-555-2671`, `415.555.2671`, and national numbers
/// with a trunk `0` written in groups (`020 7946 0958`, `01 23 45 67 89`, 10 or 11
/// digits). Bare digit runs, dates, clock times, durations and dashed IDs of other
/// shapes are left alone.
enum PhoneDetector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            guard c == 0x2B || c == 0x28 || ByteClass.isDigit(c) else { i += 1; continue }
            if i > 0 {
                let p = b[i - 1]
                if ByteClass.isWord(p) || p == 0x2E || p == 0x2D || p == 0x2B || p == 0x2F || p == 0x3A || p == 0x2C {
                    i += 1
                    while i < n, ByteClass.isAlnum(b[i]) { i += 1 }
                    continue
                }
            }
            let e: Int?
            switch c {
            case 0x2B: e = international(b, at: i)
            case 0x28: e = parenthesised(b, at: i)
            default: e = national(b, at: i)
            }
            if let e, boundaryAfter(b, e) {
                out.append(Detection(range: i..<e, kind: .phone))
                i = e
            } else {
                i += 1
                while i < n, ByteClass.isAlnum(b[i]) { i += 1 }
            }
        }
    }

    static func boundaryAfter(_ b: UnsafeBufferPointer<UInt8>, _ e: Int) -> Bool {
        guard e < b.count else { return true }
        let c = b[e]
        if ByteClass.isWord(c) || c == 0x2D || c == 0x2B || c == 0x3A || c == 0x2F { return false }
        if (c == 0x2E || c == 0x2C), e + 1 < b.count, ByteClass.isDigit(b[e + 1]) { return false }
        return true
    }

    /// Digit groups from `i`: each group's length, separated by one byte of `seps`
    /// (the same one throughout when `uniform`); returns the groups and the end.
    static func groups(_ b: UnsafeBufferPointer<UInt8>, from i: Int, seps: [UInt8], uniform: Bool) -> (groups: [Int], end: Int) {
        var out: [Int] = []
        var p = i
        var sep: UInt8 = 0
        while p < b.count {
            var g = 0
            while p + g < b.count, ByteClass.isDigit(b[p + g]) { g += 1 }
            if g == 0 { break }
            out.append(g)
            p += g
            guard p + 1 < b.count, seps.contains(b[p]), ByteClass.isDigit(b[p + 1]) else { break }
            if uniform { if sep == 0 { sep = b[p] } else if sep != b[p] { break } }
            p += 1
        }
        return (out, p)
    }

    /// `+CC …`: 8 to 15 digits in groups separated by spaces, dashes or dots, or with
    /// the area code in parentheses (`+1 (415) 555-2671`).
    static func international(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard i + 1 < b.count, ByteClass.isDigit(b[i + 1]), b[i + 1] != 0x30 else { return nil }
        let (gs, p) = groups(b, from: i + 1, seps: [0x20, 0x2D, 0x2E], uniform: false)
        // One parenthesised area code after the country code.
        if gs.count == 1, p + 1 < b.count, b[p] == 0x20, b[p + 1] == 0x28,
           let close = parenthesised(b, at: p + 1) {
            var digits = gs[0]
            for k in (p + 1)..<close where ByteClass.isDigit(b[k]) { digits += 1 }
            return (8...15).contains(digits) ? close : nil
        }
        let digits = gs.reduce(0, +)
        guard (8...15).contains(digits) else { return nil }
        // Grouped numbers need groups of at least two digits after the country code
        // (a version list such as +1.2.3 is not a number).
        if gs.count > 1 { for g in gs.dropFirst() where g < 2 { return nil } }
        if gs.count == 1, p < b.count, b[p] == 0x2E { return nil }
        return p
    }

    /// `(415) 555-2671`, `(415) 555 2671`, `(415)555-2671`.
    static func parenthesised(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var p = i + 1
        var area = 0
        while p < b.count, ByteClass.isDigit(b[p]) { area += 1; p += 1 }
        guard (2...4).contains(area), p < b.count, b[p] == 0x29 else { return nil }
        p += 1
        if p < b.count, b[p] == 0x20 { p += 1 }
        let (gs, e) = groups(b, from: p, seps: [0x20, 0x2D, 0x2E], uniform: true)
        guard gs.count == 2, (3...4).contains(gs[0]), gs[1] == 4 else { return nil }
        return e
    }

    /// `415-555-2671` and `415.555.2671`; `020 7946 0958`, `030-1234567` and
    /// `01 23 45 67 89` (a trunk `0`, 10 or 11 digits).
    static func national(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        if b[i] == 0x30 {
            guard i + 1 < b.count, ByteClass.isDigit(b[i + 1]), b[i + 1] != 0x30 else { return nil }
            let (gs, e) = groups(b, from: i, seps: [0x20, 0x2D], uniform: true)
            let digits = gs.reduce(0, +)
            guard gs.count >= 2, (10...11).contains(digits), (2...5).contains(gs[0]) else { return nil }
            if gs.count == 5 { return gs.allSatisfy { $0 == 2 } ? e : nil }
            guard gs.count <= 3, gs.dropFirst().allSatisfy({ (3...8).contains($0) }) else { return nil }
            return e
        }
        let (gs, e) = groups(b, from: i, seps: [0x2D, 0x2E], uniform: true)
        guard gs == [3, 3, 4] else { return nil }
        return e
    }
}
