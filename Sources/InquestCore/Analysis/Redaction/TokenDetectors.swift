/// Finds JSON Web Tokens: `eyJ…` (a base64url JSON header of ten or more
/// characters), a dot, a payload of two or more, a dot, and a signature (may be
/// empty, as with `alg: none`).
enum JWTDetector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var from = 0
        while let s = b.find("eyJ", from: from) {
            from = s + 3
            if s > 0, ByteClass.isBase64URL(b[s - 1]) { continue }
            var p = s
            var segment = [0, 0, 0]
            var k = 0
            while p < b.count {
                let c = b[p]
                if ByteClass.isBase64URL(c) { segment[k] += 1; p += 1 }
                else if c == 0x2E, k < 2 { k += 1; p += 1 }
                else { break }
            }
            guard k == 2, segment[0] >= 10, segment[1] >= 2 else { continue }
            out.append(Detection(range: s..<p, kind: .jwt))
            from = p
        }
    }
}

/// Finds bearer tokens (`Bearer <token>`, any case, the token eight or more
/// characters of RFC 6750's token68) and API keys by their well-known prefixes: AWS
/// access key IDs (`AKIA…`, `ASIA…`), GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`,
/// `ghr_`, `github_pat_`), Slack tokens (`xoxb-`, `xoxp-`, …) and Stripe secret and
/// restricted keys (`sk_live_`, `rk_live_`, `sk_test_`, `rk_test_`).
enum TokenDetector {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        bearer(b, "earer", into: &out)
        bearer(b, "EARER", into: &out)
        prefixed(b, "AKIA", into: &out)
        prefixed(b, "ASIA", into: &out)
        prefixed(b, "xox", into: &out)
        var from = 0
        while let u = b.findByte(0x5F, from: from) {
            from = u + 1
            if let r = underscorePrefixed(b, underscore: u) {
                out.append(Detection(range: r, kind: .token))
                from = r.upperBound
            }
        }
    }

    @inline(__always) static func isToken68(_ c: UInt8) -> Bool {
        ByteClass.isAlnum(c) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E || c == 0x2B || c == 0x2F
    }

    static func bearer(_ b: UnsafeBufferPointer<UInt8>, _ tail: StaticString, into out: inout [Detection]) {
        var from = 1
        while let at = b.find(tail, from: from) {
            from = at + 5
            let s = at - 1
            guard b[s] | 0x20 == 0x62, s == 0 || !ByteClass.isAlnum(b[s - 1]) else { continue }
            var p = at + 5
            guard p < b.count, b[p] == 0x20 else { continue }
            while p < b.count, b[p] == 0x20 { p += 1 }
            let t = p
            while p < b.count, isToken68(b[p]) { p += 1 }
            while p < b.count, b[p] == 0x3D { p += 1 }
            guard p - t >= 8 else { continue }
            out.append(Detection(range: t..<p, kind: .token))
            from = p
        }
    }

    static func prefixed(_ b: UnsafeBufferPointer<UInt8>, _ prefix: StaticString, into out: inout [Detection]) {
        var from = 0
        let plen = prefix.utf8CodeUnitCount
        while let s = b.find(prefix, from: from) {
            from = s + plen
            guard s == 0 || !ByteClass.isBase64URL(b[s - 1]) else { continue }
            var p = s + plen
            if plen == 3 {
                // Slack: xox[abeprs]-…
                guard p + 1 < b.count, [0x61, 0x62, 0x65, 0x70, 0x72, 0x73].contains(b[p]), b[p + 1] == 0x2D else { continue }
                p += 2
                let t = p
                while p < b.count, ByteClass.isBase64URL(b[p]) { p += 1 }
                guard p - t >= 10 else { continue }
            } else {
                // AWS: 16 upper-case letters and digits.
                let t = p
                while p < b.count, ByteClass.isDigit(b[p]) || (b[p] &- 0x41 < 26) { p += 1 }
                guard p - t == 16, p == b.count || !ByteClass.isAlnum(b[p]) else { continue }
            }
            out.append(Detection(range: s..<p, kind: .token))
            from = p
        }
    }

    /// A GitHub or Stripe key whose prefix has its (first) underscore at `u`.
    static func underscorePrefixed(_ b: UnsafeBufferPointer<UInt8>, underscore u: Int) -> Range<Int>? {
        var s = -1
        var minBody = 0
        if u >= 3, b[u - 3] == 0x67, b[u - 2] == 0x68, [0x70, 0x6F, 0x75, 0x73, 0x72].contains(b[u - 1]) {
            s = u - 3; minBody = 30                                   // ghp_ gho_ ghu_ ghs_ ghr_
        } else if u >= 6, b.matchesLowercase("github_pat_", at: u - 6) {
            s = u - 6; minBody = 22
        } else if u >= 2, b[u - 2] == 0x73 || b[u - 2] == 0x72, b[u - 1] == 0x6B,
                  b.matchesLowercase("_live_", at: u) || b.matchesLowercase("_test_", at: u) {
            s = u - 2; minBody = 16                                   // sk_live_ rk_test_ …
        }
        guard s >= 0, s == 0 || !ByteClass.isBase64URL(b[s - 1]) else { return nil }
        var p = s
        while p < b.count, ByteClass.isWord(b[p]) { p += 1 }
        let prefixLength: Int
        switch u - s {
        case 3: prefixLength = 4
        case 6: prefixLength = 11
        default: prefixLength = 8
        }
        guard p - s - prefixLength >= minBody else { return nil }
        return s..<p
    }
}

/// Finds secrets by the name of their field: the value of a key ending in
/// `password`, `passwd`, `secret`, `api_key`, `apikey`, `api-key`, `token`,
/// `access_key`, `private_key` or `authorization` (any case, so `client_secret`,
/// `X-Api-Key` and `refresh_token` count), in `key=value`, `key: value` and
/// `"key": "value"` forms. A quoted value is masked inside its quotes; an
/// authorization's scheme (`Bearer`, `Basic`) is kept.
enum SecretFieldDetector {
    static let keywords: [StaticString] = ["password", "passwd", "secret", "api_key", "apikey", "api-key", "token",
                                           "access_key", "accesskey", "access-key", "private_key", "authorization"]

    /// True when a field of this name holds a secret.
    static func isSecretKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for k in keywords {
            let n = k.utf8CodeUnitCount
            if key.count >= n, key.matchesLowercase(k, at: key.count - n) { return true }
        }
        return false
    }

    static func isAuthorization(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        key.count >= 13 && key.matchesLowercase("authorization", at: key.count - 13)
    }

    @inline(__always) static func isKeyByte(_ c: UInt8) -> Bool {
        ByteClass.isWord(c) || c == 0x2D || c == 0x2E
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        var q = 0
        let n = b.count
        while q < n {
            let c = b[q]
            guard c == 0x3D || c == 0x3A else { q += 1; continue }
            // The key before the separator: `key=`, `key:`, `"key":`, `key = `.
            var ke = q
            while ke > 0, b[ke - 1] == 0x20 { ke -= 1 }
            if ke > 0, b[ke - 1] == 0x22 || b[ke - 1] == 0x27 { ke -= 1 }
            var ks = ke
            while ks > 0, isKeyByte(b[ks - 1]) { ks -= 1 }
            guard ke - ks >= 5 else { q += 1; continue }
            let key = UnsafeBufferPointer(rebasing: b[ks..<ke])
            guard isSecretKey(key) else { q += 1; continue }
            if q + 1 < n, b[q + 1] == 0x3D || b[q + 1] == 0x3A || (c == 0x3A && b[q + 1] == 0x2F) { q += 2; continue }
            if let r = value(b, after: q, authorization: isAuthorization(key)) {
                out.append(Detection(range: r, kind: .secret))
                q = r.upperBound
            } else {
                q += 1
            }
        }
    }

    /// The value after the separator at `q`, without quotes; nil when empty, JSON
    /// structure or a literal (`null`, `true`, `false`).
    static func value(_ b: UnsafeBufferPointer<UInt8>, after q: Int, authorization: Bool) -> Range<Int>? {
        let n = b.count
        var p = q + 1
        while p < n, b[p] == 0x20 || b[p] == 0x09 { p += 1 }
        guard p < n else { return nil }
        var s: Int, e: Int
        let open = b[p]
        if open == 0x22 || open == 0x27 {
            s = p + 1; e = s
            while e < n, b[e] != open { e += b[e] == 0x5C ? 2 : 1 }
            e = min(e, n)
        } else {
            if open == 0x7B || open == 0x5B { return nil }
            s = p; e = p
            while e < n {
                let c = b[e]
                if c == 0x20 || c == 0x09 || c == 0x2C || c == 0x3B || c == 0x26 || c == 0x22 || c == 0x27 || c == 0x7D || c == 0x5D || c == 0x29 { break }
                e += 1
            }
            if authorization, e < n, b[e] == 0x20, e + 1 < n, isSchemeWord(b, s..<e) {
                // `Authorization: Bearer abc`: keep the scheme, mask the credentials.
                s = e + 1
                e = s
                while e < n, !(b[e] == 0x20 || b[e] == 0x2C || b[e] == 0x3B || b[e] == 0x22 || b[e] == 0x27) { e += 1 }
            }
        }
        if authorization, open == 0x22 || open == 0x27, let sp = b[s..<e].firstIndex(of: 0x20), isSchemeWord(b, s..<sp) {
            s = sp + 1
        }
        guard e > s else { return nil }
        let len = e - s
        if len <= 5 {
            let v = UnsafeBufferPointer(rebasing: b[s..<e])
            if (len == 4 && (v.matchesLowercase("null", at: 0) || v.matchesLowercase("true", at: 0))) || (len == 5 && v.matchesLowercase("false", at: 0)) { return nil }
        }
        return s..<e
    }

    static func isSchemeWord(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count >= 4, r.count <= 12 else { return false }
        for k in r where !ByteClass.isAlpha(b[k]) { return false }
        return true
    }
}
