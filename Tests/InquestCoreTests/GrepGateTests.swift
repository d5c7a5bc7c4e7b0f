import Testing
@testable import InquestCore

/// `--grep` looks for the bytes every match must hold in the raw line before a record is
/// built: the bytes must be truly required (a line without them cannot match), and a
/// line is passed on whenever an escape could spell them.
struct GrepGateTests {
    @Test(arguments: [
        ("timeout", "timeout"),
        ("conn(ection)? refused", " refused"),
        ("err[0-9]+ at line", " at line"),
        ("abc*d", "ab"),
        ("ab+c", "ab"),
        ("x{2,3}yz", "yz"),
        ("^disk full$", "disk full"),
        ("a\\.b", nil),          // a dot: may join a nested key to its parent
        ("user=alice", nil),     // `=` joins a key to its value
        ("timeout|refused", nil),
        ("\\bword\\b", "word"),
        ("[[:digit:]]+ ms", " ms"),
        ("a.c", nil),
        ("caf\u{e9}", "caf"),
    ] as [(String, String?)])
    func requiredBytes(pattern: String, want: String?) throws {
        let p = try Pattern(pattern)
        #expect(p.required.map { String(decoding: $0, as: UTF8.self) } == want, "\(pattern)")
    }

    @Test func caseIsIgnoredWhenAsked() throws {
        let p = try Pattern("Time[Oo]UT Now", caseInsensitive: true)
        #expect(p.required == Array("timeout now".utf8) || p.required == Array("ut now".utf8))
        for (line, may) in [("a TIMEOUT NOW b", true), ("a timeout now", true), ("a timeout later", false)] {
            var bytes = Array(line.utf8)
            #expect(bytes.withUnsafeMutableBufferPointer { p.mayMatch(UnsafeBufferPointer($0)) } == may, "\(line)")
        }
    }

    /// A line without the bytes may still match when it has an escape; a line with them
    /// always may. Checked against the expression itself on every line tried.
    @Test func aLineThatCouldMatchIsNeverTurnedAway() throws {
        let patterns = ["timeout", "conn(ection)? refused", "ab+c", "^disk full$", "[0-9]+ ms", "slow query"]
        let lines = ["request timeout after 3 s", "connection refused", "conn refused", "abbbc", "ac",
                     "disk full", "took 25 ms", "slow query", "slow  query", "time\\u006Fut", "nothing here", "",
                     "TIMEOUT", "x\\"]
        for source in patterns {
            let p = try Pattern(source)
            for line in lines {
                var bytes = Array(line.utf8)
                let may = bytes.withUnsafeMutableBufferPointer { p.mayMatch(UnsafeBufferPointer($0)) }
                if p.matches(line) { #expect(may, "\(source) matches \(line) but the gate turned it away") }
                if !line.contains("\\") && !may { #expect(!p.matches(line)) }
            }
        }
    }
}

extension GrepGateTests {
    /// Plain text: a record whose words are only on a line that continues it still
    /// matches, with its whole message; one without them anywhere does not.
    @Test func aContinuationLineCanHoldTheMatch() throws {
        let dir = try TempDirectory()
        let text = """
            2025-11-25 10:00:00.001 ERROR [cart] request failed
            java.lang.IllegalStateException: pool exhausted
            \tat com.example.Pool.take(Pool.java:42)
            2025-11-25 10:00:00.002 INFO [cart] request completed
            2025-11-25 10:00:00.003 WARN [cart] pool exhausted, waiting

            """
        let path = try dir.write("app.log", text)
        let units = InputDiscovery.discover([path]).units
        var filter = LogFilter()
        filter.grep = try Pattern("Exception: pool")
        let stream = LogStream(units: units, filter: filter, needs: [.message])
        var got: [String] = []
        stream.forEach { got.append($0.message); return true }
        #expect(got == ["[cart] request failed\njava.lang.IllegalStateException: pool exhausted\n\tat com.example.Pool.take(Pool.java:42)"])
        #expect(LogStream(units: units, filter: filter, needs: []).count() == 1)
        filter.grep = try Pattern("exhausted")
        #expect(LogStream(units: units, filter: filter, needs: []).count() == 2)
    }
}
