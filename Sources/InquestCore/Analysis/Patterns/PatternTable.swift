/// One mined log template with its counts.
public struct MinedPattern: Sendable {
    /// Stable identifier: eight hex digits of a hash of the template, the same in every run.
    public var id: String
    /// Tokens separated by single spaces, each variable part as `<*>` with the
    /// punctuation around it kept (`<*>:<*>`, `(TID <*>).`), the way Loghub-2.0 labels are written.
    public var template: String
    /// Records (outside the baseline, when there is one).
    public var count: Int
    /// Records in the baseline.
    public var baselineCount: Int
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    public var example: String
    /// The most severe level among its records.
    public var level: Level
    /// Records at error level or above (outside the baseline).
    public var errors: Int
    /// For each variable of the masked signature, in order (one variable may be written
    /// as several `<*>`, as in `<*>:<*>`): its most frequent values with
    /// estimated counts (values are sampled), most frequent first.
    public var variables: [[(value: String, count: Int)]]
}

/// How a pattern compares with the baseline.
public enum PatternChange: String, Sendable {
    case new, vanished, increased, decreased, same
}

/// The result of mining: patterns, most frequent first, and the map from the
/// miner's cluster numbers to them.
public struct PatternTable: Sendable {
    public var patterns: [MinedPattern]
    /// Records outside and inside the baseline.
    public var lines: Int
    public var baselineLines: Int
    var clusterToPattern: [Int32]

    /// Index into `patterns` of the pattern a cluster number from `PatternMiner.add` belongs to.
    public func patternIndex(forCluster c: Int) -> Int {
        c >= 0 && c < clusterToPattern.count ? Int(clusterToPattern[c]) : -1
    }

    /// A pattern's change against the baseline: new (absent there), vanished (absent
    /// now), or its share of records grown or shrunk by more than `factor`.
    public func change(of p: MinedPattern, factor: Double = 2) -> PatternChange {
        if p.baselineCount == 0 { return p.count > 0 ? .new : .same }
        if p.count == 0 { return .vanished }
        let now = Double(p.count) / Double(max(1, lines))
        let before = Double(p.baselineCount) / Double(max(1, baselineLines))
        if now > before * factor { return .increased }
        if now * factor < before { return .decreased }
        return .same
    }

    /// Eight hex digits of the FNV-1a hash of a template.
    public static func identifier(_ template: String) -> String {
        var h: UInt32 = 0x811c_9dc5
        for b in template.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}

extension PatternMiner {
    /// How a variable position is written in the template: each of its (sampled)
    /// values written by `MessageMasker.write`, with the parts in `constants` kept as
    /// they are; one spelling when they all agree, else piece by piece where they
    /// have the same punctuation (`<*>:<*>`), else `<*>`.
    func written(_ values: [String: Double], constants: Set<String> = []) -> String {
        // Dotted names that all start with the same parts (`org.example.jobs.Alpha:`,
        // `org.example.jobs.Beta:`): those parts are constant words (`org.example.jobs.<*>:`).
        if values.count >= 2, let prefix = dottedPrefix(values.keys) {
            var rest: [String: Double] = [:]
            for (v, n) in values { rest[String(v.utf8.dropFirst(prefix.utf8.count)) ?? "", default: 0] += n }
            return prefix + written(rest, constants: constants)
        }
        var spellings: Set<String> = []
        var out: [UInt8] = []
        var spans: [(Int, Int)] = []
        for value in values.keys.sorted().prefix(64) {
            var v = value
            out.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            v.withUTF8 { masker.write($0, 0, $0.count, into: &out, spans: &spans, constants: constants) }
            spellings.insert(String(decoding: out, as: UTF8.self))
        }
        // A value that is sometimes nothing (a list of no words) is one `<*>`, whichever
        // spelling a set iterates first.
        if spellings.count > 1 && spellings.contains("") { return "<*>" }
        guard let first = spellings.first, !first.isEmpty else { return "<*>" }
        if spellings.count == 1 { return Self.listed(first) }
        let pieces = spellings.map(Self.pieces)
        let n = pieces[0].count
        guard pieces.allSatisfy({ $0.count == n }) else { return Self.listed(Self.wrapped(pieces)) }
        var result = ""
        var lastVariable = false
        var k = 0
        while k < n {
            defer { k += 1 }
            let column = Set(pieces.map { $0[k] })
            let piece: String
            if column.count == 1, let only = column.first {
                piece = only
            } else if column.allSatisfy({ $0 == "<*>" || $0.unicodeScalars.allSatisfy(Self.isWordScalar) }) {
                piece = "<*>"
                // A word that varies right after a value belongs to it (`5.2 KB`, `3 MB`).
                if !column.contains("<*>"), result.hasSuffix("<*> ") { result.removeLast(); continue }
                // A word that varies, joined by `-` to a value, is part of that value: a
                // name (`app-<*>.log`, `cache-<*>.log`) is one `<*>`, not `<*>-<*>`.
                // (Values that are all numbers, `<*>-<*>-<*>`, never vary in kind.)
                if result.hasSuffix("<*>-") { result.removeLast(); continue }
                if k + 2 < n, pieces.allSatisfy({ $0[k + 1] == "-" && $0[k + 2] == "<*>" }) { k += 2 }
            } else {
                return Self.listed(Self.wrapped(pieces))
            }
            if piece == "<*>" && lastVariable { continue }
            lastVariable = piece == "<*>"
            result += piece
        }
        return Self.listed(result)
    }

    /// The leading parts, each a name followed by `.`, that every value starts with
    /// and none ends with, where the names after them differ; nil when there are none
    /// or a value is a host name.
    func dottedPrefix(_ values: Dictionary<String, Double>.Keys) -> String? {
        guard var common = values.first.map({ Array($0.utf8) }) else { return nil }
        for v in values {
            var k = 0
            for c in v.utf8 {
                guard k < common.count, common[k] == c else { break }
                k += 1
            }
            common.removeSubrange(k...)
            if common.isEmpty { return nil }
        }
        // Cut back to whole `name.` parts.
        var end = 0, k = 0
        while k < common.count {
            guard (common[k] | 0x20) &- 0x61 < 26 || common[k] == 0x5F else { break }
            var j = k + 1
            while j < common.count, (common[j] | 0x20) &- 0x61 < 26 || common[j] &- 0x30 < 10 || common[j] == 0x5F { j += 1 }
            guard j < common.count, common[j] == 0x2E else { break }
            end = j + 1
            k = j + 1
        }
        guard end > 0 else { return nil }
        // The name right after the prefix must differ (`com.example.Worker(31)` and
        // `com.example.Worker(32)` differ in their number, not their name).
        var next: Set<Substring> = []
        for v in values {
            guard v.utf8.count > end else { return nil }
            var w = v
            if w.withUTF8({ masker.isHostName($0, 0, $0.count) }) { return nil }
            let rest = v.utf8.dropFirst(end)
            let part = rest.prefix { ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 || $0 == 0x5F }
            next.insert(Substring(part))
        }
        guard next.count >= 2 else { return nil }
        return String(decoding: common[..<end], as: UTF8.self)
    }

    /// The values of a position as its `<*>` cover them: without the constant words and
    /// punctuation the template keeps before the first `<*>` and after the last (`8080.`
    /// under `<*>.` is `8080`; `2.5 GB` under `<*> GB` is `2.5`), counts summed where
    /// two values become one. A value that does not have them stays whole.
    static func uncovered(_ values: [String: Double], by piece: String) -> [String: Double] {
        let stars = piece.ranges(of: "<*>")
        guard let first = stars.first, let last = stars.last else { return values }
        let head = piece[..<first.lowerBound], tail = piece[last.upperBound...]
        if head.isEmpty && tail.isEmpty { return values }
        var out = OrderFreeSums()
        for (value, n) in values {
            var v = Substring(value)
            if v.utf8.count >= head.utf8.count + tail.utf8.count, v.hasPrefix(head), v.hasSuffix(tail) {
                v = v.dropFirst(head.count).dropLast(tail.count)
            }
            out.add(String(v), n)
        }
        return out.sums
    }

    /// Sums by key that do not depend on the order they are added in (a dictionary's,
    /// which differs from run to run): a key added to three times or more is summed again
    /// from its sorted parts (two parts add up the same either way), so that the same
    /// input always shows the same counts.
    struct OrderFreeSums {
        private var out: [String: Double] = [:]
        private var parts: [String: [Double]] = [:]
        mutating func add(_ key: String, _ n: Double) {
            if let old = out[key] {
                out[key] = old + n
                parts[key, default: [old]].append(n)
            } else {
                out[key] = n
            }
        }
        var sums: [String: Double] {
            var r = out
            for (key, p) in parts where p.count > 2 { r[key] = p.sorted().reduce(0, +) }
            return r
        }
    }

    /// The values of a position one column for each `<*>` its piece writes: a piece of
    /// several (`<*> (<*>).`, one value the masker took over several tokens) splits each
    /// value at the text between them (`3456 (ld-linux.so.2).` is `3456` and
    /// `ld-linux.so.2`), when every value holds that text; else one column, `uncovered`.
    ///
    /// `records` is how many records the values stand for. Values too rare to be kept
    /// (the rest: `records` less the values' sum) are unknown as wholes, but their parts
    /// are not all unknown: a part that several kept values share (`HTTP/1.1` of
    /// `HTTP/1.1 200 5120`) is given the rest's records in the share of kept values that
    /// hold it; a part of one kept value only (`5120`) is taken to be as rare as it.
    static func columns(_ values: [String: Double], by piece: String, records: Double = 0) -> [[String: Double]] {
        let stars = piece.ranges(of: "<*>")
        let whole = [uncovered(values, by: piece)]
        guard stars.count > 1 else { return whole }
        let between = zip(stars, stars.dropFirst()).map { piece[$0.upperBound..<$1.lowerBound] }
        guard !between.contains(where: \.isEmpty) else { return whole }
        var out = [OrderFreeSums](repeating: OrderFreeSums(), count: stars.count)
        var holding = [[String: Int]](repeating: [:], count: stars.count)
        for (value, n) in whole[0] {
            var rest = Substring(value)
            var parts: [Substring] = []
            for separator in between {
                guard let r = rest.range(of: separator) else { return whole }
                parts.append(rest[..<r.lowerBound])
                rest = rest[r.upperBound...]
            }
            parts.append(rest)
            for (k, part) in parts.enumerated() {
                out[k].add(String(part), n)
                holding[k][String(part), default: 0] += 1
            }
        }
        let kept = whole[0].count
        let rest = records - values.values.sorted().reduce(0, +)
        return out.indices.map { k in
            var column = out[k].sums
            guard rest > 0.5, kept > 1 else { return column }
            for (part, held) in holding[k] where held > 1 {
                column[part, default: 0] += rest * Double(held) / Double(kept)
            }
            return column
        }
    }

    /// The `n` most frequent values, ties broken by the value: the first `n` of the sorted
    /// column, found in one pass instead of sorting a column of many unique values.
    static func mostFrequent(_ column: [String: Double], _ n: Int) -> [(key: String, value: Double)] {
        guard n > 0 else { return [] }
        func before(_ a: (key: String, value: Double), _ b: (key: String, value: Double)) -> Bool {
            a.value != b.value ? a.value > b.value : a.key < b.key
        }
        var best: [(key: String, value: Double)] = []
        for e in column where best.count < n || before(e, best[best.count - 1]) {
            var i = best.count
            while i > 0 && before(e, best[i - 1]) { i -= 1 }
            best.insert(e, at: i)
            if best.count > n { best.removeLast() }
        }
        return best
    }

    /// Whether a word is one value between brackets or quotes, with any punctuation after
    /// them (`(httpd).`, `[main]`, `'alice',`, `():`): the part inside is one run of
    /// letters, digits and `_ - . / @`, or nothing.
    static func isWrappedWord(_ b: [UInt8]) -> Bool {
        guard let open = b.first else { return false }
        let close: UInt8
        switch open {
        case 0x28: close = 0x29          // ( )
        case 0x5B: close = 0x5D          // [ ]
        case 0x7B: close = 0x7D          // { }
        case 0x3C: close = 0x3E          // < >
        case 0x22, 0x27: close = open    // " ', as opened
        default: return false
        }
        var e = b.count
        while e > 1, MessageMasker.isTrailingPunctuation(b[e - 1]) { e -= 1 }
        guard e >= 2, b[e - 1] == close else { return false }
        return b[1..<(e - 1)].allSatisfy { c in
            (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 || c == 0x5F || c == 0x2D || c == 0x2E || c == 0x2F || c == 0x40
        }
    }

    /// How a word takes part in a list in brackets (`[alpha, beta]`, `(x, y, z)`):
    /// the part before the list's items and the part after them.
    enum ListPart: Equatable {
        /// Opens a list and holds its first item, ending with `,` (`[alpha,`,
        /// `(tags=[alpha,`): what comes before the item.
        case opening(head: String)
        /// An item between others (`beta,`), no bracket in it.
        case item
        /// Holds the last item and closes the list (`gamma])`): the closing part.
        case closing(tail: String)
        /// A whole list of one item or none (`[alpha]`, `(tags=[])`).
        case whole(head: String, tail: String, empty: Bool)
        case none
    }

    /// The bracket that closes `c`, when `c` opens one: `(` `[` `{`.
    static func closingBracket(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x28: return 0x29
        case 0x5B: return 0x5D
        case 0x7B: return 0x7D
        default: return nil
        }
    }

    static func listPart(_ word: String) -> ListPart {
        let b = Array(word.utf8)
        let closer = closingBracket
        func isClose(_ c: UInt8) -> Bool { c == 0x29 || c == 0x5D || c == 0x7D }
        var stack: [Int] = []
        var innermost: (open: Int, close: Int)?
        for (k, c) in b.enumerated() {
            if closer(c) != nil {
                stack.append(k)
            } else if isClose(c) {
                if let open = stack.last, closer(b[open]) == c {
                    stack.removeLast()
                    if innermost == nil { innermost = (open, k) }
                } else if stack.isEmpty {
                    // A close with nothing opened before it: the list's end, after an item.
                    guard k > 0, !b[..<k].contains(where: { closer($0) != nil || isClose($0) }) else { return .none }
                    return .closing(tail: String(decoding: b[k...], as: UTF8.self))
                } else {
                    return .none
                }
            }
        }
        if let open = stack.last {
            // An opening: one item after the innermost bracket left open, then `,`.
            guard b.count > open + 2, b.last == 0x2C else { return .none }
            return .opening(head: String(decoding: b[...open], as: UTF8.self))
        }
        if let pair = innermost {
            return .whole(head: String(decoding: b[...pair.open], as: UTF8.self),
                          tail: String(decoding: b[pair.close...], as: UTF8.self), empty: pair.close == pair.open + 1)
        }
        return b.count > 1 && b.last == 0x2C ? .item : .none
    }

    /// A key's value is one variable (Loghub-2.0's labelling rules): in a `key=value`
    /// token, a value written as several `<*>` joined by punctuation (`=<*>##<*>##<*>`,
    /// `=<*>@<*>`), or a URL holding one (`=https://<*>`), is one `<*>`. Values joined by
    /// `:`, `-` or `.` keep their parts (`<*>:<*>`, a date's `<*>-<*>-<*>`), as they do
    /// anywhere else; so do lists (`,`, `;`), quoted values and values with words in them
    /// (`=<*>/jobs/<*>`).
    static func oneKeyedValue(_ template: String) -> String {
        func isKeyByte(_ c: UInt8, first: Bool) -> Bool {
            (c | 0x20) &- 0x61 < 26 || c == 0x5F || !first && (c &- 0x30 < 10 || c == 0x2E)
        }
        func isAlnum(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 || c >= 0x80 }
        let star = Array(MessageMasker.variable)
        func stripped(_ v: ArraySlice<UInt8>) -> [UInt8] {
            var out: [UInt8] = []
            var i = v.startIndex
            while i < v.endIndex {
                if v[i...].starts(with: star) { i += star.count } else { out.append(v[i]); i += 1 }
            }
            return out
        }
        var changed = false
        let tokens = template.utf8.split(separator: 0x20, omittingEmptySubsequences: false).map { token -> [UInt8] in
            let t = Array(token)
            // A map's first member may follow its opening bracket (`{url=…`).
            let open = t.first == 0x7B || t.first == 0x28 || t.first == 0x5B ? 1 : 0
            guard open < t.count, isKeyByte(t[open], first: true) else { return t }
            var k = open + 1
            while k < t.count, isKeyByte(t[k], first: false) { k += 1 }
            guard k < t.count, t[k] == 0x3D else { return t }
            var end = t.count
            while end > k + 1, t[end - 1] == 0x2C || t[end - 1] == 0x3B || t[end - 1] == 0x29 || t[end - 1] == 0x5D || t[end - 1] == 0x7D { end -= 1 }
            // A bracket the value opened is closed with it (`tags=[<*>])` is `tags=<*>)`).
            var unclosed: [UInt8] = []  // the brackets that close those the value opened
            for c in t[(k + 1)..<end] {
                if let close = closingBracket(c) {
                    unclosed.append(close)
                } else if c == unclosed.last {
                    unclosed.removeLast()
                }
            }
            while end < t.count, let close = unclosed.last, t[end] == close { unclosed.removeLast(); end += 1 }
            let value = t[(k + 1)..<end]
            guard value.count > star.count, value.firstRange(of: star) != nil else { return t }
            let rest = stripped(value)
            var scheme = 0
            while scheme < value.count, (value[value.startIndex + scheme] | 0x20) &- 0x61 < 26 { scheme += 1 }
            let isURL = scheme > 0 && value.dropFirst(scheme).starts(with: Array("://".utf8))
            let joinedByPunctuation = !rest.contains(where: isAlnum) && !rest.contains { $0 == 0x3A || $0 == 0x2D || $0 == 0x2E || $0 == 0x2C || $0 == 0x3B || $0 == 0x22 || $0 == 0x27 }
            guard isURL || joinedByPunctuation else { return t }
            changed = true
            return Array(t[...k]) + star + Array(t[end...])
        }
        guard changed else { return template }
        return String(decoding: Array(tokens.joined(separator: [0x20])), as: UTF8.self)
    }

    /// A word glued to a value is part of the value (Loghub-2.0's labelling rules): a run
    /// of characters between delimiters (spaces and `,!;:=|"'[](){}.-+@#$%&`) that holds a
    /// `<*>` and something else, but no `/`, is one `<*>` (`<*>>` → `<*>`, `tc<*>` → `<*>`,
    /// `<<*>>` → `<*>`); `<*>.<*>` and `<*><*>` are one `<*>`.
    static func wholeVariables(_ template: String) -> String {
        let b = Array(template.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        func isDelimiter(_ c: UInt8) -> Bool {
            switch c {
            case 0x20, 0x09, 0x2C, 0x21, 0x3B, 0x3A, 0x3D, 0x7C, 0x22, 0x27, 0x5B, 0x5D, 0x28, 0x29, 0x7B, 0x7D,
                 0x2E, 0x2D, 0x2B, 0x40, 0x23, 0x24, 0x25, 0x26: return true
            default: return false
            }
        }
        var i = 0
        while i < b.count {
            if isDelimiter(b[i]) { out.append(b[i]); i += 1; continue }
            let s = i
            var star = false, slash = false
            while i < b.count, !isDelimiter(b[i]) {
                if b[i] == 0x2F { slash = true }
                if b[i] == 0x3C, i + 2 < b.count, b[i + 1] == 0x2A, b[i + 2] == 0x3E { star = true }
                i += 1
            }
            if star && !slash { out.append(contentsOf: MessageMasker.variable) } else { out.append(contentsOf: b[s..<i]) }
        }
        // `<*>.<*>` and `<*><*>`: drop the second `<*>` (and the dot) while one follows another.
        var joined: [UInt8] = []
        joined.reserveCapacity(out.count)
        for c in out {
            joined.append(c)
            let n = joined.count
            if n >= 6, joined[n - 3] == 0x3C, joined[n - 2] == 0x2A, joined[n - 1] == 0x3E {
                if joined[n - 6] == 0x3C, joined[n - 5] == 0x2A, joined[n - 4] == 0x3E {
                    joined.removeLast(3)
                } else if n >= 7, joined[n - 4] == 0x2E, joined[n - 7] == 0x3C, joined[n - 6] == 0x2A, joined[n - 5] == 0x3E {
                    joined.removeLast(4)
                }
            }
        }
        return String(decoding: joined, as: UTF8.self)
    }

    /// Words that look like values (a letter first, digits in them: `ssh2`, `eth0`,
    /// `v2_init`) but behave like constants: across every sampled value of every
    /// pattern, their shape (the word with each run of digits as one `#`) is only
    /// ever spelled one way, and in at least `constantEvidence` records. A shape
    /// spelled two ways (`node7`, `node12`) is a variable everywhere: the same
    /// shape is masked the same way in every message. IDs (long digit runs, long hex
    /// words) are never constants.
    func constantWords(_ positions: [[String: Double]]) -> Set<String> {
        var shapes: [String: (spelling: String, weight: Double, spellings: Int)] = [:]
        var out: [UInt8] = []
        var spans: [(Int, Int)] = []
        for values in positions {
            for (value, weight) in values {
                var v = value
                out.removeAll(keepingCapacity: true)
                spans.removeAll(keepingCapacity: true)
                v.withUTF8 { b in
                    masker.write(b, 0, b.count, into: &out, spans: &spans, join: false)
                    for (s, e) in spans {
                        guard let shape = Self.wordShape(b, s, e) else { continue }
                        let spelling = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
                        if var known = shapes[shape] {
                            if known.spellings == 1 && known.spelling != spelling { known.spellings = 2 }
                            known.weight += weight
                            shapes[shape] = known
                        } else {
                            shapes[shape] = (spelling, weight, 1)
                        }
                    }
                }
            }
        }
        var result: Set<String> = []
        for (_, s) in shapes where s.spellings == 1 && s.weight >= options.constantEvidence { result.insert(s.spelling) }
        return result
    }

    /// The shape of a word that could be a constant: a letter first, a digit in it,
    /// only letters, digits and `_`, no digit run longer than four, not a long hex word.
    static func wordShape(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String? {
        guard e > s, e - s <= 32, (b[s] | 0x20) &- 0x61 < 26 else { return nil }
        var shape: [UInt8] = []
        var run = 0, digits = 0, hex = true
        for k in s..<e {
            let c = b[k]
            if c &- 0x30 < 10 {
                if run == 0 { shape.append(0x23) }
                run += 1
                digits += 1
                guard run <= 4 else { return nil }
            } else if (c | 0x20) &- 0x61 < 26 || c == 0x5F {
                run = 0
                if !((c | 0x20) &- 0x61 < 6) { hex = false }
                shape.append(c)
            } else {
                return nil
            }
        }
        guard digits > 0, !(hex && e - s >= 8) else { return nil }
        return String(decoding: shape, as: UTF8.self)
    }

    private func isDottedName(_ word: String) -> Bool {
        var w = word
        return w.withUTF8 { masker.isDottedName($0, 0, $0.count) }
    }

    /// A list: eight or more values in a row and nothing else are one `<*>`.
    static func listed(_ spelling: String) -> String {
        var count = 0
        for token in spelling.split(separator: " ", omittingEmptySubsequences: false) {
            guard token == "<*>" else { return spelling }
            count += 1
        }
        return count >= 8 ? "<*>" : spelling
    }

    /// The pieces every spelling starts and ends with, and one `<*>` for the rest
    /// (`<*>,` for `1.2.3.4,` and `LOCAL(0),`; `<*>:<*>` for `db-eu-7:80` and `node-<*>:81`).
    static func wrapped(_ pieces: [[String]]) -> String {
        guard let first = pieces.first else { return "<*>" }
        let shortest = pieces.map(\.count).min() ?? 0
        var head = 0
        while head < shortest, pieces.allSatisfy({ $0[head] == first[head] }) { head += 1 }
        var tail = 0
        while tail < shortest - head, pieces.allSatisfy({ $0[$0.count - 1 - tail] == first[first.count - 1 - tail] }) { tail += 1 }
        // A list whose length varies (`3 4 5` in one message, `7 8` in another) is one
        // `<*>`: the common head and tail keep no more than one of its values.
        func isListSeparator(_ p: String) -> Bool { p == " " || p == "," }
        while head >= 3, first[head - 1] == "<*>", isListSeparator(first[head - 2]), first[head - 3] == "<*>" { head -= 2 }
        let n = first.count
        while tail >= 3, first[n - tail] == "<*>", isListSeparator(first[n - tail + 1]), first[n - tail + 2] == "<*>" { tail -= 2 }
        var result = first[..<head].joined()
        // A space that follows the head (or precedes the tail) in some spelling keeps
        // the `<*>` a word of its own: `<*> bytes <*>` for `583 bytes` and
        // `1190 bytes (1.16 KB)`, not `<*> bytes<*>`.
        let spaceAfterHead = !result.hasSuffix(" ") && pieces.contains { $0.count > head && $0[head] == " " }
        let spaceBeforeTail = pieces.contains { $0.count - tail - 1 >= head && $0[$0.count - tail - 1] == " " }
        if !result.hasSuffix("<*>") { result += (spaceAfterHead && !result.isEmpty ? " " : "") + "<*>" }
        var rest = first[(first.count - tail)...].joined()
        if rest.hasPrefix("<*>") { rest.removeFirst(3) }
        if spaceBeforeTail && !rest.isEmpty && !rest.hasPrefix(" ") && !result.hasSuffix(" ") { rest = " " + rest }
        return result + rest
    }

    private static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        (u.value >= 0x30 && u.value <= 0x39) || (u.value | 0x20 >= 0x61 && u.value | 0x20 <= 0x7A) || u == "_" || u.value >= 0x80
    }

    /// `<*>`, runs of word characters, and single other characters.
    static func pieces(_ s: String) -> [String] {
        var result: [String] = []
        var run = ""
        var rest = Substring(s)
        while let c = rest.unicodeScalars.first {
            if rest.hasPrefix("<*>") {
                if !run.isEmpty { result.append(run); run = "" }
                result.append("<*>")
                rest = rest.dropFirst(3)
                continue
            }
            if isWordScalar(c) {
                run.unicodeScalars.append(c)
            } else {
                if !run.isEmpty { result.append(run); run = "" }
                result.append(String(c))
            }
            rest = Substring(rest.unicodeScalars.dropFirst())
        }
        if !run.isEmpty { result.append(run) }
        return result
    }

    /// Merges signatures into patterns (see the type's comment) and returns them.
    /// The miner can go on adding after this; a later `finish` sees everything.
    public func finish() -> PatternTable {
        // Intern tokens: a signature becomes an array of token numbers, variables -1.
        var intern: [String: Int32] = ["<*>": -1]
        var words: [String] = []
        /// A token's number, a new one for a word not seen before.
        func internWord(_ t: String) -> Int32 {
            if let k = intern[t] { return k }
            let k = Int32(words.count)
            words.append(t)
            intern[t] = k
            return k
        }
        var templates: [[Int32]] = clusters.indices.map { c in tokens(of: c).map(internWord) }
        // Each signature's own tokens, before merges make some of them variables.
        let signatures = templates
        let naming: Set<String> = ["user", "users", "username", "host", "hostname", "file", "filename", "name",
                                   "path", "url", "table", "queue", "topic", "service", "instance", "node",
                                   "device", "interface", "process", "thread", "job", "task", "client", "server",
                                   "address", "account", "group", "role", "database", "bucket", "domain"]
        var root = Array(clusters.indices)
        var alive = Array(repeating: true, count: clusters.count)
        // For each signature joined through a list or a collapsed variable, the tokens of
        // its own that each position of the pattern it joined covers.
        var spans: [Int: [Range<Int>]] = [:]
        // Lists in brackets whose length varies (`[alpha, beta]`, `[gamma]`, `[]`): a list
        // that holds a different number of items from one message to the next is a
        // variable, whatever its items. Where a list stands between the same two tokens
        // (`members [alpha, beta] joined`) and some message has two items or more there, it
        // is one `[<*>]` in every signature when, across them, it has two lengths or more
        // and three different contents or more (as many as after a naming word), or as
        // many contents as a column merge needs; the same list in the same place is
        // written the same way in every message. Signatures that are then equal are one.
        var listWords: Set<Int32> = []
        do {
            let parts = words.map(Self.listPart)
            struct Span { var range: Range<Int>; var list: Int32; var context: [Int32] }
            var found: [[Span]] = Array(repeating: [], count: templates.count)
            var contents: [[Int32]: Set<[Int32]>] = [:]
            var lengths: [[Int32]: Set<Int>] = [:]
            func note(_ c: Int, _ range: Range<Int>, _ list: Int32, length: Int) {
                let t = templates[c]
                let context = [range.lowerBound > 0 ? t[range.lowerBound - 1] : -9, list,
                               range.upperBound < t.count ? t[range.upperBound] : -9]
                found[c].append(Span(range: range, list: list, context: context))
                contents[context, default: []].insert(Array(t[range]))
                lengths[context, default: []].insert(length)
            }
            // Lists of two items or more first: they name the list words.
            var singles: [(signature: Int, at: Int)] = []
            for c in templates.indices where templates[c].count <= options.maximumMergeTokens {
                let t = templates[c]
                var j = 0
                while j < t.count {
                    defer { j += 1 }
                    guard t[j] >= 0 else { continue }
                    switch parts[Int(t[j])] {
                    case .opening(let head):
                        var e = j + 1
                        while e < t.count, t[e] < 0 || parts[Int(t[e])] == .item { e += 1 }
                        guard e < t.count, t[e] >= 0, case .closing(let tail) = parts[Int(t[e])] else { continue }
                        note(c, j..<(e + 1), internWord(head + "<*>" + tail), length: e - j + 1)
                        j = e
                    case .whole: singles.append((c, j))
                    default: break
                    }
                }
            }
            for (c, k) in singles {
                guard case .whole(let head, let tail, let empty) = parts[Int(templates[c][k])],
                      let list = intern[head + "<*>" + tail], Int(list) >= parts.count else { continue }
                note(c, k..<(k + 1), list, length: empty ? 0 : 1)
            }
            // Only where some message has a list of two items or more: one-word groups
            // (`[file=a]`, `[LNKA]`) that vary are a column merge's to decide.
            let variable = Set(contents.keys.filter { context in
                guard let seen = lengths[context], seen.contains(where: { $0 >= 2 }) else { return false }
                let n = contents[context]?.count ?? 0
                return n >= options.distinctValues || (seen.count >= 2 && n >= options.namedDistinctValues)
            })
            var byForm: [[Int32]: Int] = [:]
            for c in templates.indices where !found[c].isEmpty {
                let lists = found[c].filter { variable.contains($0.context) }.sorted { $0.range.lowerBound < $1.range.lowerBound }
                guard !lists.isEmpty else { continue }
                let t = templates[c]
                var form: [Int32] = [], covered: [Range<Int>] = []
                var j = 0
                for span in lists where span.range.lowerBound >= j {
                    for k in j..<span.range.lowerBound { form.append(t[k]); covered.append(k..<(k + 1)) }
                    form.append(span.list)
                    covered.append(span.range)
                    j = span.range.upperBound
                }
                for k in j..<t.count { form.append(t[k]); covered.append(k..<(k + 1)) }
                // Enough words besides the lists, as a column merge leaves.
                guard form.filter({ $0 >= 0 && Int($0) < parts.count }).count >= options.minimumConstants else { continue }
                for w in form where Int(w) >= parts.count { listWords.insert(w) }
                templates[c] = form
                spans[c] = covered
                if let r = byForm[form] { root[c] = r; alive[c] = false } else { byForm[form] = c }
            }
        }
        // Only signatures of a sane length take part in column merging (the cost
        // grows with the square of the length); longer ones stay as they are.
        // Longest first, so position j only looks at the signatures that reach it.
        let mergeable = templates.indices.filter { templates[$0].count <= options.maximumMergeTokens }
            .sorted { templates[$0].count > templates[$1].count }
        var constantCount = templates.map { t in t.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }
        let maxLength = mergeable.first.map { templates[$0].count } ?? 0
        func isNamingWord(_ t: Int32) -> Bool {
            guard t >= 0 else { return false }
            var w = words[Int(t)].lowercased()
            while let l = w.last, l == ":" || l == "=" { w.removeLast() }
            return naming.contains(w)
        }
        // Words with a few digits (`eth0`, `node7`) are kept by the masker. Among
        // signatures that agree but for such words, a position of them is a variable
        // when one shape is spelled two ways there (`node7`, `node12`: the same shape
        // is masked the same way) or when it holds as many different words as a column
        // merge needs; otherwise its words stay (`eth0` / `wlan0`, `ipv4`: alternatives).
        var digitShape = [Int32](repeating: -1, count: words.count)
        var shapeIDs: [String: Int32] = [:]
        for (k, word) in words.enumerated() {
            var w = word
            let shape: String? = w.withUTF8 { b in
                guard masker.isDigitWord(b, 0, b.count) else { return nil }
                var e = b.count
                var tail = ""
                if e > 1, let last = b.last, MessageMasker.isTrailingPunctuation(last) {
                    e -= 1
                    tail = String(UnicodeScalar(last))
                }
                return Self.wordShape(b, 0, e).map { $0 + tail }
            }
            if let shape {
                if let id = shapeIDs[shape] { digitShape[k] = id } else {
                    digitShape[k] = Int32(shapeIDs.count)
                    shapeIDs[shape] = Int32(shapeIDs.count)
                }
            }
        }
        if !shapeIDs.isEmpty {
            var byShape: [[Int32]: [Int]] = [:]
            for r in mergeable {
                var key = templates[r]
                var any = false
                for j in key.indices where key[j] >= 0 && digitShape[Int(key[j])] >= 0 { key[j] = -3; any = true }
                if any { byShape[key, default: []].append(r) }
            }
            for (key, ids) in byShape where ids.count >= 2 {
                for j in key.indices where key[j] == -3 {
                    let column = Set(ids.map { templates[$0][j] })
                    guard column.count >= 2 else { continue }
                    guard column.count >= options.namedDistinctValues else { continue }
                    for r in ids {
                        templates[r][j] = -1
                        constantCount[r] -= 1
                    }
                }
            }
        }
        // A symbol with an offset after it (`do_page_fault+<*>/<*>`, `main.run+<*>`): where
        // signatures agree but for the symbol, and it takes as many names as a column merge
        // needs, the symbol is a variable and the offset's shape stays (`<*>+<*>/<*>`). A
        // stack frame, the only word of its line but the address, is thus neither reduced
        // to `<*>` nor kept as a pattern a function.
        var symbolForm = [Int32](repeating: -1, count: words.count)
        var symbolForms: Set<Int32> = []
        for (k, w) in words.enumerated() where w.contains("<*>") {
            let b = Array(w.utf8)
            guard let first = b.first, (first | 0x20) &- 0x61 < 26 || first == 0x5F else { continue }
            var i = 1
            while i < b.count, (b[i] | 0x20) &- 0x61 < 26 || b[i] &- 0x30 < 10 || b[i] == 0x5F || b[i] == 0x2E || b[i] == 0x24 { i += 1 }
            // A symbol and `+` an offset (`key=`, `key:`, `name(` each have a shape of their own).
            guard i + 1 < b.count, b[i] == 0x2B else { continue }
            let id = internWord("<*>" + String(decoding: b[i...], as: UTF8.self))
            symbolForm[k] = id
            symbolForms.insert(id)
        }
        if !symbolForms.isEmpty {
            var bySymbol: [[Int32]: [Int]] = [:]
            for r in mergeable {
                var key = templates[r]
                var any = false
                for j in key.indices where key[j] >= 0 && Int(key[j]) < symbolForm.count && symbolForm[Int(key[j])] >= 0 {
                    key[j] = symbolForm[Int(key[j])]
                    any = true
                }
                if any { bySymbol[key, default: []].append(r) }
            }
            for (key, ids) in bySymbol where ids.count >= 2 {
                for j in key.indices where key[j] >= 0 && symbolForms.contains(key[j]) {
                    guard Set(ids.map { templates[$0][j] }).count >= options.distinctValues else { continue }
                    for r in ids { templates[r][j] = key[j] }
                }
            }
        }
        var changed = true
        while changed {
            changed = false
            var reach = mergeable.count
            for j in 0..<max(1, maxLength) {
                while reach > 0, templates[mergeable[reach - 1]].count <= j { reach -= 1 }
                var groups: [[Int32]: [Int]] = [:]
                groups.reserveCapacity(reach)   // no rehashing of the keys as it grows
                for r in mergeable[..<reach] where alive[r] {
                    let t = templates[r]
                    guard t[j] >= 0 else { continue }
                    let constants = constantCount[r] - 1
                    guard constants >= options.minimumConstants,
                          Double(constants) >= options.minimumConstantShare * Double(t.count) else { continue }
                    var key = t
                    key[j] = -2
                    groups[key, default: []].append(r)
                }
                for (_, ids) in groups where ids.count >= 2 {
                    let column = Set(ids.map { templates[$0][j] })
                    let distinct = column.count
                    // The first word varies only where every value is a dotted name
                    // (`com.example.Job:`), a shape that names something rather than says it:
                    // as few values as after a naming word make such a column variable.
                    let dotted = column.allSatisfy { isDottedName(words[Int($0)]) }
                    if j == 0, !dotted { continue }
                    let before = j > 0 ? templates[ids[0]][j - 1] : -1
                    var isNaming = dotted
                    if before >= 0 {
                        var w = words[Int(before)].lowercased()
                        while let l = w.last, l == ":" || l == "=" { w.removeLast() }
                        isNaming = isNaming || naming.contains(w)
                    }
                    guard distinct >= (isNaming ? options.namedDistinctValues : options.distinctValues) else { continue }
                    let r = ids[0]
                    for i in ids.dropFirst() { root[i] = r; alive[i] = false }
                    templates[r][j] = -1
                    constantCount[r] -= 1
                    changed = true
                }
            }
        }
        // A signature that agrees with a more general one wherever that one is
        // constant joins it: a position variable in either is variable in both
        // (`Killed process <*> (httpd).` joins `Killed process <*> <*>` when another
        // process name was masked by its shape). The general one must keep enough
        // constants, as for column merges; the most general is tried first.
        // `key=<*>` words: their value is written like a variable's.
        let keyed = words.map { $0.contains("<*>") }
        let called = words.indices.map { keyed[$0] && words[$0].hasSuffix("(<*>") }
        // A key whose value is masked in one signature (`mask=<*>`) and is a word in
        // another that agrees with it everywhere else (`mask=ffff`, no digit) takes
        // values there: the word is one of its values and the two signatures are one.
        // Only where some signature masks that key's value at that position: two
        // spellings alone (`mode=rw` / `mode=ro`) stay apart, as two alternatives do.
        var keyedForm = [Int32](repeating: -1, count: words.count)
        for (k, w) in words.enumerated() where !keyed[k] {
            let b = Array(w.utf8)
            guard let first = b.first, (first | 0x20) &- 0x61 < 26 || first == 0x5F else { continue }
            var i = 1
            while i < b.count, (b[i] | 0x20) &- 0x61 < 26 || b[i] &- 0x30 < 10 || b[i] == 0x5F || b[i] == 0x2E || b[i] == 0x2D { i += 1 }
            guard i + 1 < b.count, b[i] == 0x3D || b[i] == 0x3A else { continue }
            if let id = intern[String(decoding: b[...i], as: UTF8.self) + "<*>"] { keyedForm[k] = id }
        }
        if keyedForm.contains(where: { $0 >= 0 }) {
            var byKeys: [[Int32]: [Int]] = [:]
            for r in mergeable where alive[r] {
                var key = templates[r]
                var any = false
                for j in key.indices where key[j] >= 0 {
                    if keyed[Int(key[j])] { any = true } else if keyedForm[Int(key[j])] >= 0 { key[j] = keyedForm[Int(key[j])]; any = true }
                }
                if any { byKeys[key, default: []].append(r) }
            }
            for (_, ids) in byKeys where ids.count >= 2 {
                var merged = templates[ids[0]]
                var evidence = true, differs = false
                for j in merged.indices {
                    let column = Set(ids.map { templates[$0][j] })
                    guard column.count > 1 else { continue }
                    differs = true
                    guard let form = column.first(where: { $0 >= 0 && keyed[Int($0)] }) else { evidence = false; break }
                    merged[j] = form
                }
                guard evidence, differs else { continue }
                templates[ids[0]] = merged
                for i in ids.dropFirst() { root[i] = ids[0]; alive[i] = false }
            }
        }
        var byMask: [[Int]: [Int]] = [:]
        for r in mergeable where alive[r] {
            let t = templates[r]
            let variables = t.indices.filter { t[$0] < 0 }
            guard !variables.isEmpty, constantCount[r] >= options.minimumConstants,
                  Double(constantCount[r]) >= options.minimumConstantShare * Double(t.count) else { continue }
            byMask[variables, default: []].append(r)
        }
        if !byMask.isEmpty && byMask.count <= 256 {
            let masks = byMask.keys.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
            var index: [[Int]: [[Int32]: Int]] = [:]
            for mask in masks {
                var keys: [[Int32]: Int] = [:]
                for r in byMask[mask] ?? [] {
                    var key = templates[r]
                    key.append(Int32(key.count))
                    if keys[key] == nil { keys[key] = r }
                }
                index[mask] = keys
            }
            for r in mergeable where alive[r] {
                let t = templates[r]
                let own = Set(t.indices.filter { t[$0] < 0 })
                for mask in masks where mask.count > own.count && mask.last.map({ $0 < t.count }) ?? false {
                    guard own.isSubset(of: mask) else { continue }
                    // A named value (`name(<*>`) has a shape of its own.
                    guard !mask.contains(where: { t[$0] >= 0 && called[Int(t[$0])] }) else { continue }
                    var key = t
                    for j in mask { key[j] = -1 }
                    key.append(Int32(t.count))
                    if let general = index[mask]?[key], general != r, alive[general] {
                        root[r] = general
                        alive[r] = false
                        break
                    }
                }
            }
        }
        // A signature whose variables, with the bracketed or quoted words beside them
        // (`<*> (crond).`), are one variable of a more general signature where the masker
        // took such a pair as one value (`<*>` for `3456 (ld-linux.so.2).`, its word
        // shaped like a host name) joins it: such words are values wherever another
        // message's are.
        // `spans` keeps, for each joined signature, the tokens each general position covers.
        // A signature joins only one that has nothing to collapse (no chains of spans).
        let wrapped = words.map { Self.isWrappedWord(Array($0.utf8)) }
        func collapse(_ t: [Int32]) -> (tokens: [Int32], covered: [Range<Int>]) {
            var collapsed: [Int32] = [], covered: [Range<Int>] = []
            var j = 0
            while j < t.count {
                // A run of variables and the bracketed words next to them.
                var e = j
                var variables = 0
                while e < t.count, t[e] < 0 || wrapped[Int(t[e])] { if t[e] < 0 { variables += 1 }; e += 1 }
                if e > j + 1 && variables >= 1 {
                    collapsed.append(-1)
                    covered.append(j..<e)
                    j = e
                } else {
                    for k in j..<max(e, j + 1) { collapsed.append(t[k]); covered.append(k..<(k + 1)) }
                    j = max(e, j + 1)
                }
            }
            return (collapsed, covered)
        }
        let collapsedForm = mergeable.map { alive[$0] ? collapse(templates[$0]) : (tokens: [], covered: []) }
        var byTokens: [[Int32]: Int] = [:]
        for (k, r) in mergeable.enumerated() where alive[r] && constantCount[r] >= options.minimumConstants
            && collapsedForm[k].tokens.count == templates[r].count {
            if byTokens[templates[r]] == nil { byTokens[templates[r]] = r }
        }
        for (k, r) in mergeable.enumerated() where alive[r] {
            let (collapsed, covered) = collapsedForm[k]
            // A list's members map to their root's tokens already: no chains of spans.
            guard spans[r] == nil, collapsed.count < templates[r].count, let general = byTokens[collapsed], alive[general] else { continue }
            // Only where the general's `<*>` took such a pair as one value (a sampled value
            // of several tokens): a bracketed constant beside a plain value (`job 55
            // [FAILED] finished`) stays a word of its own signature.
            let evidence = covered.indices.allSatisfy { p in
                covered[p].count == 1 || clusters[general].values[p]?.keys.contains(where: { $0.contains(" ") }) == true
            }
            guard evidence else { continue }
            root[r] = general
            alive[r] = false
            spans[r] = covered
        }
        // A list of words without brackets (`evicting keys alpha gamma from cache`,
        // `evicting keys beta from cache`): signatures that start and end alike (the same
        // words before the list and after it, three or more) and differ only by a run of
        // words (or variables) in between are one, the run one `<*>`, when the runs have two
        // lengths or more, there are as many different runs as a column merge needs, and
        // they are made of fewer different words than there are runs, two of them or more
        // standing at different places: the same items, combined anew. Free text between
        // two words brings new words with each message.
        do {
            // Not where a signature joined through spans, nor anywhere up its chain of
            // joins: its spans map to that template's length.
            var joinedBySpans = Set<Int>()
            for x in spans.keys {
                var y = x
                while joinedBySpans.insert(y).inserted, root[y] != y { y = root[y] }
            }
            var buckets: [[Int32]: [Int]] = [:]
            for r in mergeable where alive[r] && !joinedBySpans.contains(r) {
                let t = templates[r]
                guard t.count >= 3, t[0] >= 0, let last = t.last, last >= 0 else { continue }
                buckets[[t[0], last], default: []].append(r)
            }
            for ids in buckets.values.sorted(by: { $0[0] < $1[0] }) where ids.count >= options.distinctValues {
                let ts = ids.map { templates[$0] }
                let shortest = ts.map(\.count).min() ?? 0
                var a = 0
                while a < shortest, ts.allSatisfy({ $0[a] == ts[0][a] }) { a += 1 }
                var b = 0
                while b < shortest - a, ts.allSatisfy({ $0[$0.count - 1 - b] == ts[0][ts[0].count - 1 - b] }) { b += 1 }
                let head = Array(ts[0][..<a]), tail = Array(ts[0][(ts[0].count - b)...])
                guard (head + tail).filter({ $0 >= 0 }).count >= max(3, options.minimumConstants) else { continue }
                let middles = ts.map { Array($0[a..<($0.count - b)]) }
                guard middles.allSatisfy({ $0.allSatisfy { $0 < 0 || !keyed[Int($0)] } }) else { continue }
                let distinct = Set(middles)
                guard distinct.count >= options.distinctValues, Set(middles.map(\.count)).count >= 2,
                      Set(middles.joined()).count < distinct.count else { continue }
                // Items of a list move: two words or more stand at different places in
                // different runs. Alternatives crossed (`db passed`, `queue failed`) keep theirs.
                var places: [Int32: Set<Int>] = [:]
                for m in distinct { for (k, w) in m.enumerated() where w >= 0 { places[w, default: []].insert(k) } }
                guard places.values.filter({ $0.count > 1 }).count >= 2 else { continue }
                let r = ids[0]
                templates[r] = head + [-1] + tail
                for (i, id) in ids.enumerated() {
                    let n = ts[i].count
                    spans[id] = (0..<a).map { $0..<($0 + 1) } + [a..<(n - b)] + ((n - b)..<n).map { $0..<($0 + 1) }
                    if id != r { root[id] = r; alive[id] = false }
                }
            }
        }
        func find(_ x: Int) -> Int {
            var x = x
            while root[x] != x { x = root[x] }
            return x
        }
        /// How many records each kept sample of a signature stands for. For writing the
        /// template, the kept samples stand for all of the signature. For the counts shown,
        /// a kept sample stands for the records sampled, so that values too rare to be kept
        /// are not counted as the kept ones (a position of unique values shows each at its
        /// own small share, not 1/16th); never more than the kept samples hold (a partial
        /// result may say otherwise).
        func scales(_ cl: PatternMiner.Cluster, _ sampled: [String: Int]) -> (written: Double, shown: Double) {
            let kept = sampled.values.reduce(0, +)
            guard kept > 0 else { return (0, 0) }
            let written = Double(cl.count) / Double(kept)
            return (written, cl.sampled > 0 ? Double(cl.count) / Double(max(cl.sampled, kept)) : written)
        }
        /// The tokens of cluster `c`'s signature that each position of its pattern covers,
        /// when it joined through a collapsed variable (nil: one token each).
        func covering(_ c: Int) -> [Range<Int>]? {
            // A signature's own spans, or those of one it joined while they had the same
            // tokens (its spans map such a signature's tokens too). One that joined a
            // signature after that took its list or run form has that form's length: its
            // tokens are the pattern's positions, one each.
            let length = signatures[c].count
            var x = c
            while true {
                if let s = spans[x] { return signatures[x].count == length ? s : nil }
                if root[x] == x { return nil }
                x = root[x]
            }
        }
        /// A value under a word with a `<*>` in it (`mask=<*>`, a list's `[<*>]`): the part
        /// the `<*>` covers, without the word's text around it.
        func inside(_ value: String, _ token: Int32) -> String {
            guard token >= 0, keyed[Int(token)] else { return value }
            let word = words[Int(token)]
            guard let star = word.range(of: "<*>") else { return value }
            let key = word[..<star.lowerBound]
            var v = Substring(value)
            if v.hasPrefix(key) { v = v.dropFirst(key.count) }
            if listWords.contains(token) {
                let tail = word[star.upperBound...]
                if v.hasSuffix(tail) { v = v.dropLast(tail.count) }
            }
            return String(v)
        }
        // Roots that ended with the same template are one pattern.
        var patternOf: [[Int32]: Int] = [:]
        var members: [[Int]] = []
        var clusterToPattern = [Int32](repeating: 0, count: clusters.count)
        for c in clusters.indices {
            let t = templates[find(c)]
            let p: Int
            if let known = patternOf[t] { p = known } else {
                p = members.count
                patternOf[t] = p
                members.append([])
            }
            members[p].append(c)
            clusterToPattern[c] = Int32(p)
        }
        struct Gathered {
            var t: [Int32]
            var count = 0, baseline = 0
            var first: Timestamp?, last: Timestamp?
            var level = Level.unknown
            var errors = 0
            var biggest: Int
            /// Estimated counts by value, for writing the template and for showing (the two
            /// `scales`), one lookup for both.
            var both: [Int: [String: SIMD2<Double>]] = [:]
            /// The records each position's values stand for.
            var records: [Int: Double] = [:]
            mutating func add(_ j: Int, _ value: String, _ n: Double, shown s: Double) {
                both[j, default: [:]][value, default: .zero] += SIMD2(n, s)
            }
            /// Counts for writing; `mapValues` keeps the keys' hash table.
            var values: [Int: [String: Double]] { both.mapValues { $0.mapValues { $0.x } } }
            var shown: [Int: [String: Double]] { both.mapValues { $0.mapValues { $0.y } } }
        }
        var gathered: [Gathered] = []
        gathered.reserveCapacity(members.count)
        var lines = 0, baselineLines = 0
        for list in members {
            var g = Gathered(t: templates[find(list[0])], biggest: list[0])
            let t = g.t
            for c in list {
                let cl = clusters[c]
                g.count += cl.count - cl.baselineCount
                g.baseline += cl.baselineCount
                PatternMiner.widen(&g.first, &g.last, by: cl.first, cl.last)
                if cl.count > clusters[g.biggest].count { g.biggest = c }
                if cl.level > g.level { g.level = cl.level }
                g.errors += cl.errors
                let own = signatures[c]
                let cover = covering(c)
                // Values only where positions map onto the signature's own tokens (they
                // always should; a sample is not worth a trap).
                guard cover.map({ $0.count == t.count && $0.allSatisfy { $0.upperBound <= own.count } })
                        ?? (own.count == t.count) else { continue }
                for j in t.indices where t[j] < 0 || keyed[Int(t[j])] {
                    let whole = Double(cl.count)
                    if let run = cover?[j], run.isEmpty {
                        // A list of no words (`evicting keys from cache` under `keys <*> from`).
                        g.add(j, "", whole, shown: whole)
                        g.records[j, default: 0] += whole
                        continue
                    }
                    if let run = cover?[j], run.count > 1 {
                        // Variables and the words beside them: each sampled value of the
                        // first variable with those words (and the other variables' most
                        // frequent values).
                        guard let v = run.first(where: { own[$0] < 0 }), let sampled = cl.values[v] else {
                            // Only words (the run's `<*>` came from a column merge): them.
                            if !run.contains(where: { own[$0] < 0 }) {
                                g.add(j, inside(run.map { words[Int(own[$0])] }.joined(separator: " "), t[j]), whole, shown: whole)
                                g.records[j, default: 0] += whole
                            }
                            continue
                        }
                        let (scale, shown) = scales(cl, sampled)
                        let others = run.map { k in
                            own[k] >= 0 ? words[Int(own[k])]
                                : cl.values[k]?.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? ""
                        }
                        for (value, n) in sampled {
                            let joined = others.indices.map { $0 == v - run.lowerBound ? value : others[$0] }.joined(separator: " ")
                            g.add(j, inside(joined, t[j]), Double(n) * scale, shown: Double(n) * shown)
                        }
                        g.records[j, default: 0] += whole
                        continue
                    }
                    let k = cover?[j].lowerBound ?? j
                    if t[j] >= 0, symbolForms.contains(t[j]), own[k] >= 0, own[k] != t[j] {
                        // A symbol's name (`do_page_fault` of `do_page_fault+<*>/<*>`).
                        let word = words[Int(own[k])], tail = words[Int(t[j])].dropFirst(3)
                        if word.hasSuffix(tail) {
                            g.add(j, String(word.dropLast(tail.count)), whole, shown: whole)
                            g.records[j, default: 0] += whole
                        }
                        continue
                    }
                    if own[k] >= 0 && !keyed[Int(own[k])] {
                        // A key's word value (`mask=ffff` under `mask=<*>`): its value alone.
                        g.add(j, inside(words[Int(own[k])], t[j]), whole, shown: whole)
                        g.records[j, default: 0] += whole
                    } else if let sampled = cl.values[k] {
                        let (scale, shown) = scales(cl, sampled)
                        // A keyed word under a bare `<*>` (`wpad:<*>` joined to `<*>`, which
                        // took `host:port` whole): the word's values with their key.
                        var key: (head: Substring, tail: Substring)?
                        if t[j] < 0, own[k] >= 0, let star = words[Int(own[k])].range(of: "<*>") {
                            let word = words[Int(own[k])]
                            key = (word[..<star.lowerBound], word[star.upperBound...])
                        }
                        for (v, n) in sampled {
                            let value = key.map { $0.head + v + $0.tail } ?? v
                            g.add(j, value, Double(n) * scale, shown: Double(n) * shown)
                        }
                        g.records[j, default: 0] += whole
                    }
                }
            }
            lines += g.count
            baselineLines += g.baseline
            gathered.append(g)
        }
        let forWriting = gathered.map(\.values)
        let constants = constantWords(forWriting.flatMap { $0.values })
        var patterns: [MinedPattern] = []
        patterns.reserveCapacity(gathered.count)
        for (i, g) in gathered.enumerated() {
            let t = g.t
            let values = forWriting[i], shown = g.shown
            let pieces = t.indices.map { j -> String in
                if t[j] < 0 { return written(values[j] ?? [:], constants: constants) }
                let word = words[Int(t[j])]
                // A list is one `<*>`, whatever its items.
                guard keyed[Int(t[j])], !listWords.contains(t[j]), let star = word.range(of: "<*>") else { return word }
                return word.replacingCharacters(in: star, with: written(values[j] ?? [:], constants: constants))
            }
            let text = Self.oneKeyedValue(Self.wholeVariables(pieces.joined(separator: " ")))
            // Every `<*>` in template order: variables, and keyed words' values (`pid=<*>`).
            let variables = t.indices.filter { t[$0] < 0 || keyed[Int(t[$0])] }.flatMap { j in
                Self.columns(shown[j] ?? [:], by: Self.wholeVariables(pieces[j]), records: g.records[j] ?? 0)
                    .map { column -> [(value: String, count: Int)] in
                    Self.mostFrequent(column, 3).map { (value: $0.key, count: $0.value.isFinite ? Int(min(max(0, $0.value.rounded()), Double(g.count + g.baseline))) : 0) }
                }
            }
            patterns.append(MinedPattern(id: PatternTable.identifier(text), template: text, count: g.count,
                                         baselineCount: g.baseline, firstSeen: g.first, lastSeen: g.last,
                                         example: clusters[g.biggest].example, level: g.level, errors: g.errors,
                                         variables: variables))
        }
        // Roots whose templates are written alike (`pair [<*>] [<*>] seen`, from an empty
        // list masked as a value on either side) are one pattern: no template is shown twice.
        var byText: [String: Int] = [:]
        var folded = [Int32](repeating: 0, count: patterns.count)
        var distinct: [MinedPattern] = []
        for (i, p) in patterns.enumerated() {
            guard let k = byText[p.template] else {
                folded[i] = Int32(distinct.count)
                byText[p.template] = distinct.count
                distinct.append(p)
                continue
            }
            folded[i] = Int32(k)
            var q = distinct[k]
            if p.count > q.count { q.example = p.example }
            q.count += p.count
            q.baselineCount += p.baselineCount
            q.errors += p.errors
            if p.level > q.level { q.level = p.level }
            PatternMiner.widen(&q.firstSeen, &q.lastSeen, by: p.firstSeen, p.lastSeen)
            if q.variables.count == p.variables.count {
                q.variables = zip(q.variables, p.variables).map { a, b in
                    var sums: [String: Double] = [:]
                    for v in a + b { sums[v.value, default: 0] += Double(v.count) }
                    return Self.mostFrequent(sums, 3).map { (value: $0.key, count: Int($0.value)) }
                }
            }
            distinct[k] = q
        }
        if distinct.count < patterns.count {
            patterns = distinct
            clusterToPattern = clusterToPattern.map { folded[Int($0)] }
        }
        // Most frequent first (baseline counts break ties, then the template), and
        // the cluster map follows the new order.
        let order = patterns.indices.sorted {
            let a = patterns[$0], b = patterns[$1]
            if a.count != b.count { return a.count > b.count }
            if a.baselineCount != b.baselineCount { return a.baselineCount > b.baselineCount }
            return a.template < b.template
        }
        var newIndex = [Int32](repeating: 0, count: patterns.count)
        for (k, old) in order.enumerated() { newIndex[old] = Int32(k) }
        var seen: Set<String> = []
        var sorted = order.map { patterns[$0] }
        for k in sorted.indices {
            var id = sorted[k].id
            var salt = 1
            while seen.contains(id) { id = PatternTable.identifier(sorted[k].template + "#\(salt)"); salt += 1 }
            seen.insert(id)
            sorted[k].id = id
        }
        return PatternTable(patterns: sorted, lines: lines, baselineLines: baselineLines,
                            clusterToPattern: clusterToPattern.map { newIndex[Int($0)] })
    }
}
