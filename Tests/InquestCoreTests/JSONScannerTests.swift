import Testing
@testable import InquestCore

/// Runs `body` with a scanner over `text`.
func withScanner<R>(_ text: String, maxDepth: Int = 256, _ body: (inout JSONScanner) -> R) -> R {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { raw in
        var s = JSONScanner(raw, maxDepth: maxDepth)
        return body(&s)
    }
}

@Suite("JSONScanner")
struct JSONScannerTests {
    @Test("strings: plain, escaped, quote after backslashes, unterminated")
    func strings() {
        withScanner(#""plain" rest"#) { s in
            let r = s.scanString()
            #expect(r?.escaped == false)
            #expect(r.map { s.string($0.range, escaped: $0.escaped) } == "plain")
            #expect(s.pos == 7)
        }
        withScanner(#""a \"quoted\" \\ word""#) { s in
            let r = s.scanString()
            #expect(r?.escaped == true)
            #expect(r.map { s.string($0.range, escaped: $0.escaped) } == #"a "quoted" \ word"#)
            #expect(s.atEnd)
        }
        // An even number of backslashes before a quote: the quote ends the string.
        withScanner(#""ends here\\" tail"#) { s in
            let r = s.scanString()
            #expect(r.map { s.string($0.range, escaped: $0.escaped) } == #"ends here\"#)
        }
        withScanner(#""never closed \""#) { s in
            #expect(s.scanString() == nil)
        }
    }

    @Test("ByteSearch finds the first of its bytes as a byte-by-byte search does, at every length and start")
    func byteSearch() {
        // Bytes that are and are not searched for, and the bytes next to them (a borrow in
        // a word-at-a-time search marks those).
        let alphabet: [UInt8] = [0x22, 0x23, 0x21, 0x5C, 0x5D, 0x5B, 0x20, 0x09, 0x3D, 0x61, 0x00, 0x01, 0xFF, 0x80]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) }
        let sets: [(UInt8, UInt8, UInt8, UInt8)] = [(0x22, 0x5C, 0x22, 0x5C), (0x20, 0x09, 0x20, 0x09), (0x3D, 0x20, 0x09, 0x22)]
        for n in 0...70 {
            for _ in 0..<40 {
                // Mostly letters: matches sparse, as in log text.
                let bytes = (0..<n).map { _ in next() % 4 == 0 ? alphabet[next() % alphabet.count] : 0x61 }
                bytes.withUnsafeBufferPointer { b in
                    guard let base = b.baseAddress else { return }
                    for set in sets {
                        for from in 0...n {
                            var want = from
                            while want < n, ![set.0, set.1, set.2, set.3].contains(b[want]) { want += 1 }
                            let got = ByteSearch.first(set, in: base, from: from, end: n)
                            if got != want { #expect(got == want, "\(bytes) from \(from)"); return }
                        }
                    }
                }
            }
        }
    }

    @Test("ByteSearch.contains agrees with a byte-by-byte search, for every needle length and place")
    func byteSearchContains() {
        // Few distinct bytes: needles and their first two bytes occur often, also across
        // the sixteen-byte blocks the search reads.
        let alphabet: [UInt8] = [0x22, 0x61, 0x62, 0x00, 0xFF]
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) }
        func naive(_ h: [UInt8], _ n: [UInt8]) -> Bool {
            guard n.count <= h.count else { return false }
            return (0...(h.count - n.count)).contains { i in Array(h[i..<(i + n.count)]) == n }
        }
        var found = 0
        for length in 0...70 {
            for _ in 0..<30 {
                let hay = (0..<length).map { _ in alphabet[next() % alphabet.count] }
                for k in 1...5 {
                    // Half the needles are taken from the haystack (at its end too), half made up.
                    var needle = (0..<k).map { _ in alphabet[next() % alphabet.count] }
                    if next() % 2 == 0, length >= k { let at = next() % 2 == 0 ? length - k : next() % (length - k + 1); needle = Array(hay[at..<(at + k)]) }
                    let want = naive(hay, needle)
                    let got = hay.withUnsafeBufferPointer { h in
                        needle.withUnsafeBufferPointer { n in h.baseAddress.map { ByteSearch.contains(n, in: $0, count: h.count) } ?? false }
                    }
                    if got != want { #expect(got == want, "\(needle) in \(hay)"); return }
                    if want { found += 1 }
                }
            }
        }
        #expect(found > 1000)
    }

    @Test("unescape: control escapes, \\u, surrogate pairs, broken escapes become U+FFFD")
    func unescape() {
        let cases: [(String, String)] = [
            (#"tab\there\nnew"#, "tab\there\nnew"),
            (#"\u00e9t\u00E9"#, "été"),
            (#"\ud83d\ude00 smile"#, "😀 smile"),
            (#"\/slash \b\f\r"#, "/slash \u{8}\u{c}\r"),
            (#"bad \uZZZZ end"#, "bad \u{FFFD}ZZZZ end"),
            (#"lone \ud800 high"#, "lone \u{FFFD} high"),
        ]
        for (escaped, expected) in cases {
            let bytes = Array(escaped.utf8)
            let got = bytes.withUnsafeBufferPointer { JSONScanner.unescape($0) }
            #expect(got == expected, "\(escaped)")
        }
    }

    @Test("skipValue spans whole values, and fails on broken or too deep ones")
    func skipValue() {
        let whole = #"{"a":[1,{"b":"}]"}],"c":null}"#
        withScanner(whole + " ,") { s in
            #expect(s.skipValue() == 0..<whole.utf8.count)
        }
        for literal in ["true", "false", "null", "-12.5e3"] {
            withScanner(literal + "]") { s in #expect(s.skipValue() == 0..<literal.utf8.count, "\(literal)") }
        }
        for broken in [#"{"a":[1,2"#, "tru", "nul,", #"{"a":"x}"#, "]", ""] {
            withScanner(broken) { s in #expect(s.skipValue() == nil, "\(broken)") }
        }
        withScanner("[[[[1]]]]", maxDepth: 3) { s in #expect(s.skipValue() == nil) }
        withScanner("[[[[1]]]]", maxDepth: 4) { s in #expect(s.skipValue() != nil) }
    }

    @Test("skipNestedFast ends every nested value where skipNested does, on values cut and altered at random")
    func skipNestedFastAgrees() {
        var g = SplitMix64(seed: 16)
        let seeds = [#"{"id":31545,"tier":"free"}"#, #"{"a":[1,{"b":"x}y"}],"c":"\\"}"#, #"[{"k":"v\"}"},2,[3]]"#,
                     #"{"a":"{[","b":{"c":{"d":"]}"}}}"#, #"{"msg":"a long value that spans more than one block of sixteen bytes","n":1}"#]
        let alphabet = Array(#"{}[]":,\ a1"#.utf8)
        var cases = 0
        for text in seeds {
            let base = Array(text.utf8)
            for round in 0..<400 {
                var bytes = base
                if round > 0 {
                    for _ in 0..<(1 + Int(g.next() % 3)) {
                        let at = Int(g.next() % UInt64(bytes.count))
                        switch g.next() % 3 {
                        case 0: bytes[at] = alphabet[Int(g.next() % UInt64(alphabet.count))]
                        case 1: bytes.insert(alphabet[Int(g.next() % UInt64(alphabet.count))], at: at)
                        default: bytes = Array(bytes.prefix(at + 1))
                        }
                    }
                }
                // Before and after: other bytes around the value, the line's end right after it.
                let pre = Array(#"{"level":"error","user":"#.utf8)
                for tail in [[], Array("}".utf8), Array(#","x":"y"}"#.utf8)] {
                    let line = pre + bytes + tail
                    for maxDepth in [1, 2, 256] {
                        line.withUnsafeBufferPointer { b in
                            guard let p = b.baseAddress, pre.count < b.count, p[pre.count] == 0x7B || p[pre.count] == 0x5B else { return }
                            var failedAt = 0
                            let want = JSONScanner.skipNested(p, from: pre.count, end: b.count, maxDepth: maxDepth, failedAt: &failedAt)
                            let got = JSONScanner.skipNestedFast(p, from: pre.count, end: b.count, maxDepth: maxDepth)
                            #expect(got == want, "\(String(decoding: line, as: UTF8.self)) maxDepth \(maxDepth)")
                            cases += 1
                        }
                    }
                }
            }
        }
        #expect(cases > 10_000)
    }

    @Test("forEachMember visits keys in order and reports truncation")
    func members() {
        withScanner(#" { "k1" : "v1", "k2":{"n":1} , "k3":[true] } "#) { s in
            var keys: [String] = []
            let ok = s.forEachMember { sc, key in
                keys.append(sc.string(key, escaped: false))
                return sc.skipValue() != nil
            }
            #expect(ok)
            #expect(keys == ["k1", "k2", "k3"])
        }
        withScanner(#"{"k1":"v1","k2":"#) { s in
            #expect(!s.forEachMember { sc, _ in sc.skipValue() != nil })
        }
        withScanner("{}") { s in
            var visited = false
            #expect(s.forEachMember { _, _ in visited = true; return true })
            #expect(!visited)
        }
        withScanner(#"{"a" 1}"#) { s in
            #expect(!s.forEachMember { sc, _ in sc.skipValue() != nil })
        }
    }

    @Test("numbers", arguments: [("0", 0.0), ("-3", -3.0), ("2.5", 2.5), ("1e3", 1000.0), ("1.5E-2", 0.015), ("1714564800123", 1714564800123.0)])
    func numbers(text: String, value: Double) {
        let got = Array(text.utf8).withUnsafeBufferPointer { JSONScanner.parseNumber($0) }
        #expect(got.map { abs($0 - value) <= abs(value) * 1e-12 } == true, "\(text) → \(String(describing: got))")
    }

    @Test("not numbers", arguments: ["", "-", "abc", "1.2.3", "12x", "--1"])
    func notNumbers(text: String) {
        #expect(Array(text.utf8).withUnsafeBufferPointer { JSONScanner.parseNumber($0) } == nil)
    }

    @Test("parseInt64 is exact for nanosecond times and refuses what does not fit")
    func int64() {
        func parse(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { JSONScanner.parseInt64($0) } }
        #expect(parse("1714564800123456789") == 1_714_564_800_123_456_789)
        #expect(parse("0") == 0)
        #expect(parse("12345678901234567890") == nil)
        #expect(parse("12a") == nil)
        #expect(parse("") == nil)
    }
}

@Suite("JSONTape")
struct JSONTapeTests {
    @Test("parses a document and keeps member order and the lines values start on")
    func parse() throws {
        let tape = JSONTape(bytes: Array("{\n \"b\": 1,\n \"a\": [true, null, \"x\\ty\"],\n \"o\": {\"k\": -2.5}\n}".utf8))
        #expect(tape.error == nil)
        let root = try #require(tape.root)
        #expect(root.members.map(\.key) == ["b", "a", "o"])
        #expect(root.line == 1)
        #expect(root["b"]?.int64 == 1)
        let a = try #require(root["a"]?.array)
        #expect(a.map(\.kind) == [.bool, .null, .string])
        #expect(a[0].bool == true)
        #expect(a[2].string == "x\ty")
        #expect(root["o"]?["k"]?.string == "-2.5")
        #expect(root["o"]?.line == 4)
        #expect(root["o"]?.displayString == #"{"k": -2.5}"#)
        #expect(root["missing"] == nil)
    }

    @Test("a document cut off returns what it held, marks the open object incomplete, and says where")
    func recovery() throws {
        let text = "[\n{\"id\": 1},\n{\"id\": 2},\n{\"id\": 3, \"name\": \"cu"
        let tape = JSONTape(bytes: Array(text.utf8))
        let items = try #require(tape.root?.array)
        #expect(items.count == 3)
        #expect(items[0].incomplete == false)
        #expect(items[2].incomplete == true)
        #expect(items[2].line == 4)
        #expect(items[2]["id"]?.int64 == 3)
        #expect(items[2]["name"] == nil)
        let error = try #require(tape.error)
        #expect(error.line == 4)
    }

    @Test("garbage after the value is an error; deep nesting is refused")
    func errors() {
        #expect(JSONTape(bytes: Array("{} {}".utf8)).error != nil)
        #expect(JSONTape(bytes: Array("[1,]".utf8)).error != nil)
        #expect(JSONTape(bytes: []).error != nil)
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(JSONTape(bytes: Array(deep.utf8), maxDepth: 256).error?.reason.contains("deeper") == true)
        #expect(JSONTape(bytes: Array(deep.utf8), maxDepth: 512).error == nil)
    }

    @Test("JSONDocuments tells one document from one a line")
    func documents() throws {
        func read(_ text: String) -> JSONDocuments.Result {
            var lines = LineReader(source: MemorySource(Array(text.utf8)))
            return JSONDocuments.read(&lines, maxDepth: 64)
        }
        let lined = read("{\"a\":1}\n\n{\"a\":2}\n{\"a\":\n{\"a\":4}\n")
        #expect(lined.lineDelimited)
        #expect(lined.documents.map(\.line) == [1, 3, 5])
        #expect(lined.brokenLines == 1)
        #expect(lined.issues.map(\.line) == [4])

        let whole = read("\n{\n  \"a\": [1,\n 2]\n}\n")
        #expect(!whole.lineDelimited)
        #expect(whole.documents.count == 1)
        #expect(whole.documents.first?.value["a"]?.array?.count == 2)
        #expect(whole.issues.isEmpty)
    }
}
