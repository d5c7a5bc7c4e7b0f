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

extension GrepGateTests {
    /// `--trace` on a field's bytes: never turns away a value the full reading gives an ID
    /// asked for, and turns away a plain hex ID that is not one.
    @Test func traceFieldsAreDecidedOnTheirBytes() {
        var ctx = ParseContext()
        var f = LogFilter()
        f.traces = [traceIDQuery("5759e988bd86"), "0af7"]
        ctx.decideEarly(f)
        let values: [(String, UInt8, Bool)] = [
            ("5759e988bd862e3fe1be46a994272793", 1, true), ("5759E988BD862E3FE1BE46A994272793", 1, true),
            (" 5759e988bd862e3f ", 1, true), ("00000000000000005759e988bd862e3f", 1, true),
            ("0af7651916cd43dd", 0, true), ("4bf92f3577b34da6a3ce929d0e0e4736", 1, false), ("5759e988", 1, false),
            ("00000000000000004bf92f3577b34da6", 1, false),
            // Decided by the full reading: X-Ray, traceparent, decimal under Datadog's keys,
            // a bare `trace`, not hex, all zeros.
            ("1-5759e988-bd862e3fe1be46a994272793", 1, true), ("00-5759e988bd862e3fe1be46a994272793-00f067aa0ba902b7-01", 1, true),
            ("6293573417826012723", TraceContext.datadogKeyPriority, true), ("4bf92f3577b34da6", TraceContext.bareKeyPriority, true),
            ("null", 1, true), ("0000", 1, true), ("", 1, true),
        ]
        for (value, priority, want) in values {
            var bytes = Array(value.utf8)
            let (may, full) = bytes.withUnsafeMutableBufferPointer { b -> (Bool, String?) in
                let v = UnsafeBufferPointer(b)
                return (ParseContext.traceMayMatch(v, priority: priority, ctx.traceQuery),
                        TraceContext.structuredTrace(v, datadog: priority == TraceContext.datadogKeyPriority,
                                                     strict: priority == TraceContext.bareKeyPriority)?.trace)
            }
            #expect(may == want, "\(value)")
            if let full, f.traces.contains(where: { full.hasPrefix($0) }) { #expect(may, "\(value) is \(full), asked for") }
        }
        ctx.decideEarly(LogFilter())
        #expect(ctx.traceQuery.isEmpty && ctx.serviceQuery.isEmpty)
    }

    /// `--service` on a field's bytes: one of the names as they are; an escape or bytes
    /// beyond ASCII go to the full reading.
    @Test func serviceFieldsAreDecidedOnTheirBytes() {
        var ctx = ParseContext()
        var f = LogFilter()
        f.services = ["cart", "auth"]
        ctx.decideEarly(f)
        for (value, want) in [("auth", true), ("cart", true), ("search", false), ("car", false), ("carts", false),
                              ("c\\u0061rt", true), ("caf\u{e9}", true)] {
            var bytes = Array(value.utf8)
            #expect(bytes.withUnsafeMutableBufferPointer { ParseContext.serviceMayMatch(UnsafeBufferPointer($0), ctx.serviceQuery) } == want, "\(value)")
        }
        f.services = ["caf\u{e9}"]
        ctx.decideEarly(f)
        #expect(ctx.serviceQuery.isEmpty)
    }
}
