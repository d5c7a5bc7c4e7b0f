/// Turns the first line of a log message into its masked token sequence: the parts
/// that vary from one record to the next (numbers, hex, IPs, UUIDs, host names,
/// paths, durations with their unit, dates, quoted and bracketed values) become
/// `<*>`, so records of one template share one signature.
///
/// Works on bytes and writes into buffers it reuses: no allocation per record.
/// The rules, in order, for each whitespace-separated token:
/// 1. a bracket group `(…)`, `[…]`, `{…}` over several tokens that holds a digit and
///    no word is one variable (so `(1.16 KB)` does not change the length); a group with
///    a word is masked token by token (`(54, indexer)` keeps `indexer`; in `(IRQs 3 4 5)`
///    the numbers collapse into one variable, rule 5);
///    an empty `()` is a variable whose value happened to be empty (written `(<*>)`);
/// 2. `key:value` (key a plain identifier) and `key=value` keep the key and mask a
///    variable value; a quoted `key="…"` value is a variable;
/// 3. a token with a digit, a host name under a common top-level domain, a mail
///    address, an absolute path, a URL, a capitalized weekday or month name (also in
///    brackets or quotes, `"/srv/a/b"`), or `(null)` is a variable; `true`, `false`
///    and a bare `null` stay words, so a flag's two states are two patterns, as two
///    alternative words are (written `<*>` only inside a value);
/// 4. a unit word right after a variable (`12 ms`, `3 bytes`, `<1 sec`) belongs to it;
/// 5. consecutive variables collapse into one;
/// 6. a message with no constant token left is written token by token instead
///    (`MessageMasker+Writing.swift`), so it is never `<*>` alone.
struct MessageMasker {
    /// The masked tokens, each followed by one space.
    var signature: [UInt8] = []
    /// For each variable token of the signature: its index among the tokens and the
    /// byte range of the original text it stands for.
    var slots: [(token: Int, start: Int, end: Int)] = []
    /// Number of tokens in `signature`.
    var tokenCount = 0

    /// The spellings seen of each digit word's shape.
    var digitWords = DigitWordShapes()
    /// The whitespace-separated tokens of the message: where each starts and ends.
    private var tokens: [(start: Int, end: Int)] = []
    private var lastWasVariable = false
    private var constants = 0

    static let variable: [UInt8] = Array("<*>".utf8)

    /// Masks `text` (only up to its first line break).
    mutating func mask(_ text: UnsafeBufferPointer<UInt8>) {
        tokens.removeAll(keepingCapacity: true)
        var i = 0
        let n = text.count
        while i < n {
            let c = text[i]
            if c == 0x0A { break }
            if isSpace(c) { i += 1; continue }
            let s = i
            while i < n, !isSpace(text[i]), text[i] != 0x0A { i += 1 }
            tokens.append((s, i))
        }
        maskTokens(text)
        if digitWords.becameVariable {
            // A shape turned variable in this message (`n1 n2 n3`): its earlier words too.
            digitWords.becameVariable = false
            maskTokens(text)
        }
        if constants == 0 && tokenCount > 0 {
            // 6. Nothing constant left: the message keeps its own shape, written
            // token by token (`[<<*>>] do_page_fault+<*>/<*>`), rather than `<*>` alone.
            signature.removeAll(keepingCapacity: true)
            slots.removeAll(keepingCapacity: true)
            tokenCount = 0
            for token in tokens {
                writeToken(text, token.start, token.end, into: &signature)
                signature.append(0x20)
                tokenCount += 1
            }
        }
    }

    /// Masks the tokens found (`tokens`) into an empty signature.
    private mutating func maskTokens(_ text: UnsafeBufferPointer<UInt8>) {
        signature.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        tokenCount = 0
        constants = 0
        lastWasVariable = false
        signatureEndsWithBareVariable = false
        var t = 0
        while t < tokens.count {
            t = maskToken(at: t, text)
        }
    }

    private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C }

    /// Handles token `t` (and any tokens its bracket group spans); returns the next token.
    private mutating func maskToken(at t: Int, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let (s, e) = tokens[t]
        let first = b[s]
        // 1. Bracket groups.
        if first == 0x28 || first == 0x5B || first == 0x7B {
            let close: UInt8 = first == 0x28 ? 0x29 : first + 2
            var depth = 0
            var j = t
            var closedAt = -1
            while j < tokens.count, j < t + 12 {
                for k in tokens[j].start..<tokens[j].end {
                    if b[k] == first { depth += 1 } else if b[k] == close { depth -= 1 }
                }
                if depth <= 0 { closedAt = j; break }
                j += 1
            }
            if closedAt == t {
                let len = e - s
                if (len == 2 || (len == 3 && b[s + 2] == 0x2C)) && b[s + 1] == close {
                    emitVariable(s, e)
                    return t + 1
                }
            } else if closedAt > t {
                var digit = false
                for k in s..<tokens[closedAt].end where isDigit(b[k]) { digit = true; break }
                if digit && !holdsWord(b, t, closedAt) {
                    emitVariable(s, tokens[closedAt].end)
                    return closedAt + 1
                }
            }
        }
        // 2. key:value and key=value.
        let bytes = TokenBytes(b, s, e, key: true)
        if let colon = bytes.keyColon, colon + 1 < e,
           !(colon + 2 < e && b[colon + 1] == 0x2F && b[colon + 2] == 0x2F),   // not `scheme://`
           isVariable(b, colon + 1, e) {
            emitKeyed(b, s, colon + 1, e)
            return t + 1
        }
        if let eq = bytes.keyEquals {
            var keyHasDigit = false
            for k in s..<eq where isDigit(b[k]) { keyHasDigit = true; break }
            if !keyHasDigit, eq + 1 < e, isVariable(b, eq + 1, e) || b[eq + 1] == 0x22 || b[eq + 1] == 0x27 {
                emitKeyed(b, s, eq + 1, e)
                return t + 1
            }
        }
        // 3. Variable tokens; a word with a few digits (`eth0`) stays a word until its
        // shape has been seen spelled three ways (`eth0`, `eth1`, `eth2`), and where it
        // stays, its position is decided across signatures at the end (`PatternMiner.finish`).
        if bytes.digit {
            // `name(key=value)`: the name is a word, the value decided as any other
            // (`LOCAL(0)` stays one value).
            if b[e - 1] == 0x29 || Self.isTrailingPunctuation(b[e - 1]), let open = callOpen(b, s, e),
               hasDigit(b, open + 1, e), b[(open + 1)..<e].contains(0x3D) {
                emitKeyed(b, s, open + 1, e)
                return t + 1
            }
            if let (shape, spelling) = digitWordHashes(b, s, e), !digitWords.isVariable(shape, spelling) {
                emitConstant(b, s, e)
                return t + 1
            }
            emitVariable(s, e)
            return t + 1
        }
        if isVariable(b, s, e, bytes) {
            emitVariable(s, e)
            return t + 1
        }
        // 4. Units after a variable.
        if lastWasVariable, isUnit(b, s, e) {
            if let last = slots.indices.last { slots[last].end = e }
            return t + 1
        }
        emitConstant(b, s, e)
        return t + 1
    }

    /// Whether tokens `t...last` hold a word (letters only once brackets, quotes and
    /// trailing punctuation are set aside, not a unit or a value word): such a group is
    /// masked token by token, its words decided like any other (`(54, powerd)` keeps
    /// `powerd`; `(IRQs 3 4 5)` is `(IRQs <*>)`), where `(1.16 KB)` is one value.
    private func holdsWord(_ b: UnsafeBufferPointer<UInt8>, _ t: Int, _ last: Int) -> Bool {
        for j in t...last {
            var (s, e) = tokens[j]
            while s < e, MessageMasker.isOpener(b[s]) { s += 1 }
            while e > s, MessageMasker.isCloser(b[e - 1]) { e -= 1 }
            guard e > s else { continue }
            var letters = true
            for k in s..<e where !isAlpha(b[k]) { letters = false; break }
            if letters && !isUnit(b, s, e) && !isDateWord(b, s, e) { return true }
        }
        return false
    }

    private mutating func emitVariable(_ s: Int, _ e: Int) {
        if lastWasVariable, let last = slots.indices.last, signatureEndsWithBareVariable {
            slots[last].end = e   // 5. collapse
            return
        }
        signature.append(contentsOf: Self.variable)
        signature.append(0x20)
        slots.append((tokenCount, s, e))
        tokenCount += 1
        lastWasVariable = true
        signatureEndsWithBareVariable = true
    }

    private var signatureEndsWithBareVariable = false

    private mutating func emitKeyed(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ valueStart: Int, _ e: Int) {
        for k in s..<valueStart { signature.append(b[k]) }
        signature.append(contentsOf: Self.variable)
        signature.append(0x20)
        slots.append((tokenCount, valueStart, e))
        tokenCount += 1
        constants += 1
        lastWasVariable = true
        signatureEndsWithBareVariable = false
    }

    private mutating func emitConstant(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
        signature.append(contentsOf: UnsafeBufferPointer(rebasing: b[s..<e]))
        signature.append(0x20)
        tokenCount += 1
        constants += 1
        lastWasVariable = false
        signatureEndsWithBareVariable = false
    }

    // MARK: - Byte classes

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) private func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) private func isWord(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) || c == 0x5F || c >= 0x80 }

    private func hasDigit(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        for k in s..<e where isDigit(b[k]) { return true }
        return false
    }

    /// A word that could be a name with a digit in it (`eth0`, `ipv6`, `x86_64`): a letter
    /// first, then letters, digits and `_`, optionally one trailing `,;:.`; no run of more
    /// than two digits and not a long hex word (`tc19060`, `deadbeef`: IDs). Such a word is kept in the
    /// signature; whether its position varies is decided across signatures.
    func isDigitWord(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool { digitWordHashes(b, s, e) != nil }

    /// For a digit word (`isDigitWord`): a hash of its shape (each run of digits as one
    /// `#`, `eth#`) and one of its spelling, neither 0.
    func digitWordHashes(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e0: Int) -> (UInt64, UInt64)? {
        var e = e0
        if e - s > 1, Self.isTrailingPunctuation(b[e - 1]) { e -= 1 }
        guard e > s, e - s <= 32, isAlpha(b[s]) else { return nil }
        var run = 0, digits = 0, hex = true
        var shape: UInt64 = 0xcbf2_9ce4_8422_2325, spelling: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in s..<e0 {
            let c = b[k]
            spelling = (spelling ^ UInt64(c)) &* 0x0000_0100_0000_01B3
            if isDigit(c) {
                if run == 0 { shape = (shape ^ 0x23) &* 0x0000_0100_0000_01B3 }
                run += 1
                digits += 1
                if run > 2 { return nil }
                continue
            }
            shape = (shape ^ UInt64(c)) &* 0x0000_0100_0000_01B3
            run = 0
            if k >= e { continue }   // the trailing punctuation
            if isAlpha(c) || c == 0x5F {
                if !((c | 0x20) &- 0x61 < 6) { hex = false }
            } else {
                return nil
            }
        }
        guard digits > 0, !(hex && e - s >= 8) else { return nil }
        return (shape | 1, spelling | 1)
    }

    /// The `(` of `name(…)`: a name of two letters or more, then the bracket, closed at
    /// the end of the token (before trailing `,;:.`).
    private func callOpen(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e0: Int) -> Int? {
        var e = e0
        while e > s + 1, Self.isTrailingPunctuation(b[e - 1]) { e -= 1 }
        guard b[e - 1] == 0x29 else { return nil }
        var k = s
        while k < e, isAlpha(b[k]) { k += 1 }
        guard k - s >= 2, k + 1 < e, b[k] == 0x28 else { return nil }
        return k
    }

    /// What rules 2 and 3 need to know of a token's bytes, found in one pass: where a
    /// `key` at its start ends before `:` or `=` (an identifier of letters, digits and
    /// `_` starting with a letter or `_`; before `=` it may also hold `.` and `-`), and
    /// whether it holds a digit or else the `.`, `:`, `/` and `@` that host names,
    /// paths, URLs and mail addresses need.
    struct TokenBytes {
        var keyColon: Int?, keyEquals: Int?
        var digit = false, dot = false, colon = false, at = false
        var slashes = 0

        init(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, key: Bool) {
            var k = s
            if key, s < e, (b[s] | 0x20) &- 0x61 < 26 || b[s] == 0x5F {
                // The key: the first byte that cannot be part of one decides.
                var dotted = false
                k += 1
                scan: while k < e {
                    let c = b[k]
                    k += 1
                    if (c | 0x20) &- 0x61 < 26 || c == 0x5F { continue }   // letters first: most bytes
                    if c &- 0x30 < 10 {
                        digit = true
                    } else if c == 0x2E || c == 0x2D {
                        dotted = true
                        if c == 0x2E { dot = true }
                    } else {
                        k -= 1   // looked at again below
                        if c == 0x3A && !dotted { keyColon = k } else if c == 0x3D { keyEquals = k }
                        break scan
                    }
                }
                if digit { return }
            }
            // The rest (letters, most bytes, take one comparison).
            while k < e {
                let c = b[k]
                k += 1
                guard c < 0x41 else { continue }
                if c &- 0x30 < 10 { digit = true; return }
                if c == 0x2E { dot = true } else if c == 0x2F { slashes += 1 } else if c == 0x3A { colon = true } else if c == 0x40 { at = true }
            }
        }
    }

    /// Rule 3 without the digit test's caller: digits, host names, paths, dotted
    /// identifiers, weekday and month names.
    private func isVariable(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, dotted: Bool = false) -> Bool {
        guard s < e else { return false }
        return isVariable(b, s, e, TokenBytes(b, s, e, key: false), dotted: dotted)
    }

    /// `isVariable` given the token's bytes already looked at.
    private func isVariable(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ bytes: TokenBytes, dotted: Bool = false) -> Bool {
        guard s < e else { return false }
        if bytes.digit { return true }
        let (dot, colon, slashes, at) = (bytes.dot, bytes.colon, bytes.slashes, bytes.at)
        if slashes >= 2 {
            // An absolute path, also in quotes or brackets (`"/srv/www/a.png"`).
            var p = s
            while p < e - 1, b[p] == 0x22 || b[p] == 0x27 || b[p] == 0x28 || b[p] == 0x5B { p += 1 }
            if b[p] == 0x2F { return true }
        }
        if dot && ((dotted && isDottedIdentifier(b, s, e)) || isHostName(b, s, e) || (at && isEmail(b, s, e))) { return true }
        if colon && isURL(b, s, e) { return true }
        // Weekday or month name, or a literal, ignoring brackets, quotes and trailing punctuation.
        var start = s, end = e
        while start < end, MessageMasker.isOpener(b[start]) { start += 1 }
        while end > start, MessageMasker.isCloser(b[end - 1]) { end -= 1 }
        if isDateWord(b, start, end) { return true }
        // `(null)`: how a missing string is printed in place of a value, so a value.
        return start > s && b[start - 1] == 0x28 && lowercasedKey(b, start, end) == Self.nullKey
    }

    /// A weekday or month name, only capitalized (`May 8`, `MAY`, not the verb in
    /// `may not`): a value in any message.
    func isDateWord(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        // Capitalized and three to eight letters first: most words end here, before the
        // table (a static, whose access costs a check and a retain) is looked at.
        guard e - s >= 3, e - s <= 8, b[s] &- 0x41 < 26 else { return false }
        return Self.calendarWords.contains(lowercasedKey(b, s, e))
    }

    /// A date word (`isDateWord`), or `true`, `false`, `null` in any case: written as
    /// `<*>` inside a value that is written (Loghub-2.0's labelling rules). In a
    /// message the literals are not masked (`isDateWord` is): they stay in the
    /// signature, so `open: true` and `open: false` are two patterns, as two
    /// alternative words are (`opened` / `closed`).
    func isValueWord(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        let key = lowercasedKey(b, s, e)
        guard Self.valueWords.contains(key) else { return false }
        return b[s] &- 0x41 < 26 || !Self.calendarWords.contains(key)
    }

    /// A host name, path, dotted identifier or calendar word (digits aside).
    func isVariableShape(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool { isVariable(b, s, e, dotted: true) }

    /// A dotted identifier of three or more parts (`com.example.Foo`).
    func isDottedName(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool { isDottedIdentifier(b, s, e) }

    func isCalendarWord(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        Self.calendarWords.contains(lowercasedKey(b, s, e))
    }

    /// `scheme://…` (letters, then `://`, then something).
    private func isURL(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var k = s
        while k < e, isAlpha(b[k]) { k += 1 }
        return k > s && k + 3 < e && b[k] == 0x3A && b[k + 1] == 0x2F && b[k + 2] == 0x2F
    }

    /// `,`, `.`, `;` or `:` ending a token, not part of its word.
    static func isTrailingPunctuation(_ c: UInt8) -> Bool { c == 0x2C || c == 0x2E || c == 0x3B || c == 0x3A }

    /// `a.b.c` with three or more identifier parts, optionally ending in `,.:;`.
    private func isDottedIdentifier(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var end = e
        if end - s > 1, Self.isTrailingPunctuation(b[end - 1]) { end -= 1 }
        var parts = 0
        var k = s
        while k < end {
            let c = b[k]
            guard isAlpha(c) || c == 0x5F || c == 0x24 else { return false }
            k += 1
            while k < end, isWord(b[k]) || b[k] == 0x24 { k += 1 }
            parts += 1
            if k < end {
                guard b[k] == 0x2E, k + 1 < end else { return false }
                k += 1
            }
        }
        return parts >= 3
    }

    /// `name.example.com`: labels of letters, digits and `-`, ending in a common
    /// top-level domain, or three labels or more ending in two lowercase letters
    /// (quotes, brackets and trailing punctuation ignored).
    func isHostName(_ b: UnsafeBufferPointer<UInt8>, _ s0: Int, _ e0: Int) -> Bool {
        var s = s0, e = e0
        func strip(_ c: UInt8) -> Bool { c == 0x2C || c == 0x3B || c == 0x2E || c == 0x27 || c == 0x22 || c == 0x28 || c == 0x29 || c == 0x5B || c == 0x5D }
        while s < e, strip(b[s]) { s += 1 }
        while e > s, strip(b[e - 1]) { e -= 1 }
        guard s < e else { return false }
        var labels = 0
        var labelStart = s
        var k = s
        while k <= e {
            if k == e || b[k] == 0x2E {
                if k == labelStart { return false }
                labels += 1
                if k == e { break }
                labelStart = k + 1
            } else if !(isAlpha(b[k]) || isDigit(b[k]) || b[k] == 0x2D) {
                return false
            }
            k += 1
        }
        if labels >= 2 && Self.topLevelDomains.contains(lowercasedKey(b, labelStart, e)) { return true }
        // Three labels or more ending in two lowercase letters: a country's domain.
        return labels >= 3 && e - labelStart == 2 && b[labelStart] &- 0x61 < 26 && b[labelStart + 1] &- 0x61 < 26
    }

    /// `name@host.example.com` (quotes, brackets and trailing punctuation ignored): a
    /// mail address, one value.
    func isEmail(_ b: UnsafeBufferPointer<UInt8>, _ s0: Int, _ e0: Int) -> Bool {
        var s = s0, e = e0
        while s < e, MessageMasker.isOpener(b[s]) { s += 1 }
        while e > s, MessageMasker.isCloser(b[e - 1]) { e -= 1 }
        var at = -1
        for k in s..<e where b[k] == 0x40 {
            guard at < 0 else { return false }
            at = k
        }
        guard at > s, at + 1 < e else { return false }
        // Letters, digits and the punctuation a local part may hold (`f***`, `a.b+c`, `x%y`).
        for k in s..<at {
            switch b[k] {
            case 0x21, 0x23, 0x24, 0x25, 0x26, 0x2A, 0x2B, 0x2D, 0x2E, 0x3F, 0x5E, 0x7E: continue
            default: if !isWord(b[k]) { return false }
            }
        }
        return isHostName(b, at + 1, e)
    }

    private func isUnit(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var end = e
        while end > s, Self.isTrailingPunctuation(b[end - 1]) { end -= 1 }
        return Self.units.contains(lowercasedKey(b, s, end))
    }

    /// Up to 8 lowercased ASCII bytes packed in an integer (0 when longer or not ASCII letters/%).
    private func lowercasedKey(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        guard e > s, e - s <= 8 else { return 0 }
        var v: UInt64 = 0
        for k in s..<e {
            let c = b[k]
            guard isAlpha(c) || c == 0x25 else { return 0 }
            v = v << 8 | UInt64(isAlpha(c) ? c | 0x20 : c)
        }
        return v
    }

    static func pack(_ s: String) -> UInt64 { s.utf8.reduce(0) { $0 << 8 | UInt64($1) } }

    static let calendarWordList = ("mon tue wed thu fri sat sun monday tuesday wednesday thursday friday "
        + "saturday sunday jan feb mar apr may jun jul aug sep oct nov dec january february march april "
        + "june july august september october november december").split(separator: " ").map { pack(String($0)) }
    static let calendarWords = PackedWords(calendarWordList)
    static let nullKey = pack("null")
    /// Calendar words, and boolean and null literals: values, not words (Loghub-2.0's labelling rules).
    static let valueWords = PackedWords(calendarWordList + [pack("true"), pack("false"), pack("null")])
    static let units = PackedWords(("b kb mb gb tb kib mib gib bytes byte ms us ns s sec secs second seconds "
        + "min mins minute minutes h hr hrs hour hours day days %").split(separator: " ").map { pack(String($0)) })
    static let topLevelDomains = PackedWords(("com net org edu gov io cn hk uk de jp ru info biz us fr it nl au ca "
        + "br in kr tw local lan internal").split(separator: " ").map { pack(String($0)) })
}

/// A fixed set of short words packed into a `UInt64` each (`MessageMasker.pack`), asked
/// about every token of every message: found by one multiply and a probe or two, where a
/// `Set` hashes each key with SipHash first. 0 (what `lowercasedKey` gives for anything
/// that is not a short word) is never a member.
struct PackedWords: Sendable {
    private let slots: [UInt64]
    private let shift: UInt64
    private let mask: Int

    init(_ words: [UInt64]) {
        let keys = Set(words).subtracting([0])
        var bits = 4
        while 1 << bits < 4 * keys.count { bits += 1 }
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
        var table = [UInt64](repeating: 0, count: 1 << bits)
        for k in keys.sorted() {
            var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while table[i] != 0 { i = (i + 1) & mask }
            table[i] = k
        }
        slots = table
    }

    @inline(__always)
    func contains(_ k: UInt64) -> Bool {
        guard k != 0 else { return false }
        var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let s = slots[i]
            if s == k { return true }
            if s == 0 { return false }
            i = (i + 1) & mask
        }
    }
}

/// The shapes of digit words (`eth#`) seen so far, each with the first two spellings
/// seen (`eth0`, `wlan0` are two shapes; `eth0`, `eth1` one shape spelled two ways).
/// A shape seen spelled a third way is a variable from then on, everywhere: a word
/// that keeps changing its digits is a value, one with one or two spellings a name.
struct DigitWordShapes {
    private var keys: [UInt64] = Array(repeating: 0, count: 64)
    private var first: [UInt64] = Array(repeating: 0, count: 64)
    private var second: [UInt64] = Array(repeating: 0, count: 64)
    private var count = 0
    /// Set when a shape turns variable (the message being masked is then masked again).
    var becameVariable = false

    /// Records `spelling` for `shape` (both non-zero) and tells whether the shape is a variable.
    mutating func isVariable(_ shape: UInt64, _ spelling: UInt64) -> Bool {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: shape >> 7) & mask
        while keys[i] != 0 && keys[i] != shape { i = (i + 1) & mask }
        if keys[i] == 0 {
            keys[i] = shape
            first[i] = spelling
            count += 1
            if count * 2 > keys.count { grow() }
            return false
        }
        if first[i] == spelling || second[i] == spelling { return false }
        if first[i] == 0 { return true }   // already a variable
        if second[i] == 0 { second[i] = spelling; return false }
        first[i] = 0
        second[i] = 0
        becameVariable = true
        return true
    }

    private mutating func grow() {
        let old = (keys, first, second)
        keys = Array(repeating: 0, count: old.0.count * 2)
        first = Array(repeating: 0, count: keys.count)
        second = first
        let mask = keys.count - 1
        for k in old.0.indices where old.0[k] != 0 {
            var i = Int(truncatingIfNeeded: old.0[k] >> 7) & mask
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = old.0[k]
            first[i] = old.1[k]
            second[i] = old.2[k]
        }
    }
}
