/// Writing a variable's text the way labelled templates spell it.
///
/// The masker decides *which* parts of a message vary; this decides how a varying
/// part is *written*. The Loghub-2.0 labelling rules keep constant words and the
/// punctuation around and between values, and give each value one `<*>`:
/// `/10.1.2.3:50010` → `<*>:<*>`, `(TID 3).` → `(TID <*>).`, `#7#` → `#<*>#`,
/// `core.2275` → `core.<*>`, `delay=00:00:01,` → `delay=<*>:<*>:<*>,`. Rules, by
/// shape only:
/// - brackets and quotes around a token and trailing `,;.:` stay as they are;
/// - an absolute path (up to a `:` that only a number follows), a URL's part after
///   `scheme://` when it holds a `/`, a MAC or IPv6 address, a UUID, a mail address, a
///   host name, a dotted identifier of three or more parts, and a weekday or month
///   name are one `<*>` each;
/// - otherwise the token is cut into runs of letters, digits and `_` (a `.` between
///   two of them and a sign before a digit join the run): a run holding a digit is
///   one `<*>` (`blk_-42`, `10.1.2.3`, `0x1f`, `12ms`), but leading letter-only
///   parts of a dotted run stay (`core.<*>`); other runs and punctuation stay.
///
/// Used at the end of mining on sampled values (`PatternMiner.finish`) and, for a
/// message that would otherwise be `<*>` alone, on the message itself.
extension MessageMasker {
    /// Appends the written form of `b[s..<e]` (which may hold several
    /// whitespace-separated tokens, written with single spaces) to `out`.
    func write(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8]) {
        var spans: [(Int, Int)] = []
        write(b, s, e, into: &out, spans: &spans)
    }

    /// The same, appending to `spans` the byte range of `b` each `<*>` written stands for.
    ///
    /// Tokens of one value that are written as `<*>` with only a space to the next
    /// `<*>` join into one `<*>` when one of the two is a `<*>` alone and neither is a
    /// plain number (`/v1/items HTTP/1.1` → `<*>`), or when the value is a date with a
    /// weekday or month name (`Tue Mar 14 09:26:53 2023` → `<*>:<*>:<*>`); numbers
    /// (dates, times, addresses: digits and punctuation) otherwise stay one `<*>` each
    /// (`HTTP/1.1 200 14` → `<*> <*> <*>`).
    /// With `constants`, a `<*>` whose text is one of them is written as that text;
    /// without `join`, tokens are written one by one.
    func write(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8], spans: inout [(Int, Int)],
               constants: Set<String> = [], join: Bool = true) {
        var i = s
        var first = true
        var previousEndsVariable = false, previousWhole = false, previousNumber = false
        // A value with a weekday or month name is a date: its numbers join too.
        var dated = false
        if join {
            var k = s
            while k < e, !dated {
                while k < e, isBlank(b[k]) { k += 1 }
                let ts = k
                while k < e, !isBlank(b[k]) { k += 1 }
                var te = k
                while te > ts, Self.isCloser(b[te - 1]) { te -= 1 }
                if te > ts, isCalendarWord(b, ts, te) { dated = true }
            }
        }
        while i < e {
            if isBlank(b[i]) { i += 1; continue }
            let ts = i
            while i < e, !isBlank(b[i]) { i += 1 }
            let outStart = out.count, spanStart = spans.count
            if !first { out.append(0x20) }
            let tokenStart = out.count
            writeToken(b, ts, i, into: &out, spans: &spans)
            if !constants.isEmpty { restore(&out, from: tokenStart, spans: &spans, from: spanStart, b, constants) }
            guard join else { first = false; continue }
            let whole = out.count - tokenStart == 3 && spans.count == spanStart + 1
            let startsVariable = out.count - tokenStart >= 3 && spans.count > spanStart
                && out[tokenStart] == 0x3C && out[tokenStart + 1] == 0x2A && out[tokenStart + 2] == 0x3E
            // Digits with `.`, `:`, `-`, `+`, `,` or `/` between them: a number, a time, an
            // address; or a hex literal (`0x1f`), a number written in base 16.
            var number = isHexLiteral(b, ts, i)
            if !number {
                number = true
                for k in ts..<i where !(b[k] &- 0x30 < 10 || b[k] == 0x2E || b[k] == 0x3A || b[k] == 0x2D || b[k] == 0x2B
                                        || b[k] == 0x2C || b[k] == 0x2F) {
                    number = false
                    break
                }
            }
            if !first, previousEndsVariable, startsVariable, previousWhole || whole,
               dated || !(previousNumber || number), spanStart > 0 {
                // Drop the space and this token's leading `<*>`; the previous variable reaches over it.
                out.removeSubrange(outStart..<(tokenStart + 3))
                spans[spanStart - 1].1 = spans[spanStart].1
                spans.remove(at: spanStart)
            }
            first = false
            previousEndsVariable = out.count >= 3 && out[out.count - 3] == 0x3C && out[out.count - 2] == 0x2A
                && out[out.count - 1] == 0x3E && spans.count > 0
            previousWhole = whole
            previousNumber = number
        }
    }

    /// Writes each `<*>` of `out[start...]` whose text (`spans[firstSpan...]`, into `b`) is in `constants` as that text.
    private func restore(_ out: inout [UInt8], from start: Int, spans: inout [(Int, Int)], from firstSpan: Int,
                         _ b: UnsafeBufferPointer<UInt8>, _ constants: Set<String>) {
        guard spans.count > firstSpan else { return }
        var keep = [Bool](repeating: false, count: spans.count - firstSpan)
        var any = false
        for k in keep.indices {
            let (s, e) = spans[firstSpan + k]
            if e > s, e - s <= 32, constants.contains(String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)) {
                keep[k] = true
                any = true
            }
        }
        guard any else { return }
        var result: [UInt8] = []
        var kept: [(Int, Int)] = []
        var k = start, slot = 0
        while k < out.count {
            if k + 2 < out.count, out[k] == 0x3C, out[k + 1] == 0x2A, out[k + 2] == 0x3E, slot < keep.count {
                let span = spans[firstSpan + slot]
                if keep[slot] { result.append(contentsOf: b[span.0..<span.1]) } else {
                    result.append(contentsOf: Self.variable)
                    kept.append(span)
                }
                slot += 1
                k += 3
                continue
            }
            result.append(out[k])
            k += 1
        }
        guard slot == keep.count else { return }
        out.removeSubrange(start...)
        out.append(contentsOf: result)
        spans.removeSubrange(firstSpan...)
        spans.append(contentsOf: kept)
    }

    /// `0x` then hex digits, optionally followed by closing punctuation (`0x1f,`).
    private func isHexLiteral(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e0: Int) -> Bool {
        var e = e0
        while e > s, Self.isCloser(b[e - 1]) { e -= 1 }
        guard e - s >= 3, b[s] == 0x30, b[s + 1] | 0x20 == 0x78 else { return false }
        for k in (s + 2)..<e where !(b[k] &- 0x30 < 10 || (b[k] | 0x20) &- 0x61 < 6) { return false }
        return true
    }

    @inline(__always) private func isBlank(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C || c == 0x0A
    }

    /// One token without spaces.
    func writeToken(_ b: UnsafeBufferPointer<UInt8>, _ s0: Int, _ e0: Int, into out: inout [UInt8]) {
        var spans: [(Int, Int)] = []
        writeToken(b, s0, e0, into: &out, spans: &spans)
    }

    func writeToken(_ b: UnsafeBufferPointer<UInt8>, _ s0: Int, _ e0: Int, into out: inout [UInt8],
                    spans: inout [(Int, Int)]) {
        var s = s0, e = e0
        // Wrapping brackets and quotes, trailing punctuation: kept.
        var bracket = false
        while s < e, Self.isOpener(b[s]) { bracket = bracket || b[s] == 0x28 || b[s] == 0x5B || b[s] == 0x7B; out.append(b[s]); s += 1 }
        var suffixStart = e
        let path = s < e && b[s] == 0x2F
        while suffixStart > s, Self.isCloser(b[suffixStart - 1]), !(path && b[suffixStart - 1] == 0x2E) { suffixStart -= 1 }
        e = suffixStart
        defer { for k in suffixStart..<e0 { out.append(b[k]) } }
        guard s < e else {
            // An empty bracket pair, `()`: a value that happened to be empty.
            if bracket, suffixStart < e0, Self.isCloser(b[suffixStart]) {
                out.append(contentsOf: Self.variable)
                spans.append((s, s))
            }
            return
        }
        // scheme://rest
        if let sep = schemeEnd(b, s, e) {
            for k in s..<sep { out.append(b[k]) }
            var slash = false
            for k in sep..<e where b[k] == 0x2F { slash = true; break }
            if slash { emit(&out, &spans, sep, e); return }
            writeRuns(b, sep, e, into: &out, spans: &spans)
            return
        }
        if isWholeVariable(b, s, e) || isNameVersion(b, s, e) || isHostPair(b, s, e) { emit(&out, &spans, s, e); return }
        writeRuns(b, s, e, into: &out, spans: &spans)
    }

    @inline(__always) private func emit(_ out: inout [UInt8], _ spans: inout [(Int, Int)], _ s: Int, _ e: Int) {
        out.append(contentsOf: Self.variable)
        spans.append((s, e))
    }

    /// `a.example.com:b.example.com`: two host names joined by `:` are one value (a `:`
    /// keeps two values apart when a number follows it, as in `host:port`).
    private func isHostPair(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var colon = -1
        for k in s..<e where b[k] == 0x3A {
            guard colon < 0 else { return false }
            colon = k
        }
        guard colon > s, colon + 1 < e else { return false }
        return isHostName(b, s, colon) && isHostName(b, colon + 1, e)
    }

    /// `name/1.1`: letters, `/`, then a dotted number: a version, one value.
    private func isNameVersion(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var k = s
        while k < e, isAlphaByte(b[k]) { k += 1 }
        guard k > s, k + 3 < e, b[k] == 0x2F, b[k + 1] &- 0x30 < 10 else { return false }
        k += 1
        var dots = 0
        while k < e {
            if b[k] == 0x2E { dots += 1 } else if !(b[k] &- 0x30 < 10) { return false }
            k += 1
        }
        return dots >= 1 && b[e - 1] != 0x2E
    }

    static func beforePath(_ c: UInt8) -> Bool {
        c == 0x3A || c == 0x3D || c == 0x28 || c == 0x5B || c == 0x7B || c == 0x22 || c == 0x27
    }

    /// Brackets and quotes that open a token.
    static func isOpener(_ c: UInt8) -> Bool {
        c == 0x28 || c == 0x5B || c == 0x7B || c == 0x3C || c == 0x27 || c == 0x22
    }

    /// Brackets, quotes and punctuation that close a token.
    static func isCloser(_ c: UInt8) -> Bool {
        c == 0x29 || c == 0x5D || c == 0x7D || c == 0x3E || c == 0x27 || c == 0x22
            || c == 0x2C || c == 0x3B || c == 0x2E || c == 0x3A
    }

    /// Shapes written as a single `<*>` even without digits.
    private func isWholeVariable(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        if isMACOrIPv6(b, s, e) || isUUID(b, s, e) || isEmail(b, s, e) { return true }
        if b[s] == 0x2F || b[s] == 0x7E {
            // An absolute or home path is one value, up to a `:` that only a number
            // follows (`/10.1.2.3:50010`, `/src/a.c:12`: a port or a line, a value of its own).
            guard e - s > 1 else { return false }
            var lastColon = -1
            for k in s..<e where b[k] == 0x3A { lastColon = k }
            guard lastColon >= 0 else { return true }
            guard lastColon + 1 < e else { return false }
            for k in (lastColon + 1)..<e where !(b[k] &- 0x30 < 10) { return true }
            return false
        }
        // A Windows path: `C:\…`.
        if e - s > 3, isAlphaByte(b[s]), b[s + 1] == 0x3A, b[s + 2] == 0x5C { return true }
        var digit = false
        for k in s..<e where b[k] &- 0x30 < 10 { digit = true; break }
        if digit { return false }
        return isVariableShape(b, s, e)
    }

    @inline(__always) private func isAlphaByte(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) private func isWordByte(_ c: UInt8) -> Bool {
        isAlphaByte(c) || c &- 0x30 < 10 || c == 0x5F || c >= 0x80
    }

    /// Hex groups separated by `:`, three separators or more (`00:11:43:e3:ba:c3`, `fe80::1`).
    private func isMACOrIPv6(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var colons = 0
        for k in s..<e {
            let c = b[k]
            if c == 0x3A { colons += 1; continue }
            guard c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6 else { return false }
        }
        return colons >= 3
    }

    /// Hex groups joined by `-`, four joins or more.
    private func isUUID(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var dashes = 0
        for k in s..<e {
            let c = b[k]
            if c == 0x2D { dashes += 1; continue }
            guard c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6 else { return false }
        }
        return dashes >= 4
    }

    /// The end of `scheme://` at the start of a token.
    private func schemeEnd(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        var k = s
        while k < e, isAlphaByte(b[k]) || b[k] == 0x2B || b[k] == 0x2D || b[k] == 0x2E { k += 1 }
        guard k > s, k + 3 <= e, b[k] == 0x3A, b[k + 1] == 0x2F, b[k + 2] == 0x2F else { return nil }
        return k + 3
    }

    /// Runs of word bytes (with inner dots and signs) and single punctuation bytes.
    private func writeRuns(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8],
                           spans: inout [(Int, Int)]) {
        var k = s
        while k < e {
            let c = b[k]
            let sign = (c == 0x2D || c == 0x2B) && k + 1 < e && b[k + 1] &- 0x30 < 10
                && (k == s || !(isAlphaByte(b[k - 1]) || b[k - 1] &- 0x30 < 10))
            if c == 0x2F, k + 1 < e, b[k + 1] != 0x2F, k == s || Self.beforePath(b[k - 1]) {
                // A path after `:`, `=` or an opening bracket: up to the next `:`, `,`
                // or closing bracket is one variable.
                var j = k + 1
                while j < e, b[j] != 0x3A, b[j] != 0x2C, b[j] != 0x29, b[j] != 0x5D, b[j] != 0x7D { j += 1 }
                emit(&out, &spans, k, j)
                k = j
                continue
            }
            guard isWordByte(c) || sign else { out.append(c); k += 1; continue }
            if !sign, let chain = hostLikeChain(b, k, e) {
                emit(&out, &spans, k, chain)
                k = chain
                continue
            }
            let rs = k
            if sign { k += 1 }
            var digit = false
            var lastDotBeforeDigit = -1   // end of the leading letter-only dotted parts
            var partHasDigit = false
            var leadingLettersOnly = true
            while k < e {
                let d = b[k]
                if isWordByte(d) {
                    if d &- 0x30 < 10 { digit = true; partHasDigit = true }
                    k += 1
                } else if d == 0x2D || d == 0x2B, k > rs, b[k - 1] == 0x5F, k + 1 < e, b[k + 1] &- 0x30 < 10 {
                    k += 1   // a sign after `_`: `blk_-42`
                } else if d == 0x2E, k + 1 < e, isWordByte(b[k + 1]), k > rs, isWordByte(b[k - 1]) {
                    if leadingLettersOnly && !partHasDigit { lastDotBeforeDigit = k }
                    if partHasDigit { leadingLettersOnly = false }
                    partHasDigit = false
                    k += 1
                } else {
                    break
                }
            }
            if digit, isAlphaByte(b[rs]), k < e, b[k] == 0x3D {
                for x in rs..<k { out.append(b[x]) }   // a key: `PSR0=`
            } else if !digit {
                if isValueWord(b, rs, k) || (lastDotBeforeDigit > rs && isVariableShape(b, rs, k)) {
                    emit(&out, &spans, rs, k)
                } else {
                    for x in rs..<k { out.append(b[x]) }
                }
            } else if lastDotBeforeDigit > rs, allDigitParts(b, lastDotBeforeDigit + 1, k) {
                for x in rs...lastDotBeforeDigit { out.append(b[x]) }
                emit(&out, &spans, lastDotBeforeDigit + 1, k)
            } else {
                emit(&out, &spans, rs, k)
            }
        }
    }

    /// The end of three or more word runs joined by `-`, one of them with a digit and
    /// one starting with a letter (`db-eu-7`): a name written as one `<*>`.
    private func hostLikeChain(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Int? {
        var k = s, parts = 0, digit = false, wordPart = false
        while k < e {
            let ps = k
            if !(b[k] &- 0x30 < 10) { wordPart = true }
            while k < e, isWordByte(b[k]) || (b[k] == 0x2E && k > ps && k + 1 < e && isWordByte(b[k + 1])) {
                if b[k] &- 0x30 < 10 { digit = true }
                k += 1
            }
            guard k > ps else { return nil }
            parts += 1
            guard k + 1 < e, b[k] == 0x2D, isWordByte(b[k + 1]) else { break }
            k += 1
        }
        // Parts that all start with a digit are numbers (`2005-06-17`): one `<*>` each.
        return parts >= 3 && digit && wordPart ? k : nil
    }

    /// Dotted parts that are all digits (`2275`, `3.1`).
    private func allDigitParts(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard s < e else { return false }
        for k in s..<e where !(b[k] &- 0x30 < 10 || b[k] == 0x2E) { return false }
        return true
    }
}
