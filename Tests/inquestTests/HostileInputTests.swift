import Foundation
import Testing

/// Values that used to trap (integer overflow, huge floats, crafted sizes) or take
/// quadratic time: each run must finish, exit normally and account for every record.
@Suite("Hostile values end to end")
struct HostileInputTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("inquest-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func inspect(_ path: String) throws -> [String: Any] {
        let r = try CLI.run(["inspect", "--output", "json", path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        let input = try #require((doc["inputs"] as? [[String: Any]])?.first)
        #expect(input["records"] as? Int == (input["parsed"] as? Int ?? -1) + (input["skipped"] as? Int ?? -1))
        return input
    }

    @Test func terminalEscapesInInputAreShownNotObeyed() throws {
        // A log line that would retitle the window, clear the screen and turn the rest red.
        let evil = "evil \u{1B}]0;pwned\u{07} title \u{1B}[2J clear \u{1B}[31mred \u{9B}31m \u{202E}gpj.exe"
        let log = try write("svc\u{1B}[5m.log", "2026-01-01T00:00:00Z ERROR \(evil)\n")
        for args in [["logs", log], ["logs", "--color", "always", log], ["inspect", log], ["patterns", log], ["patterns", "--color", "always", log]] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            // Only our own colour codes (ESC [ digits ; m) may reach the terminal.
            let sgr = try Regex("\u{1B}\\[[0-9;]*m")
            let rest = r.stdout.replacing(sgr, with: "")
            #expect(!rest.contains("\u{1B}") && !rest.contains("\u{07}") && !rest.contains("\u{9B}") && !rest.contains("\u{202E}"),
                    "\(args): \(rest.debugDescription)")
        }
        let text = try CLI.run(["logs", log]).stdout
        #expect(text.contains("evil ^[]0;pwned^G title ^[[2J clear ^[[31mred <U+009B>31m <U+202E>gpj.exe"), "\(text.debugDescription)")
        // Machine output keeps the message exactly, escaped as JSON.
        let nd = try CLI.run(["logs", "--output", "ndjson", log]).stdout
        #expect(nd.contains(#"evil \u001b]0;pwned\u0007 title"#), "\(nd)")
    }

    @Test(.enabled(if: CLI.canTestPermissions, "needs a user without root's rights"))
    func unreadableFileIsReportedAndTheRestRead() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let open = try write("open.log", "{\"msg\":\"y\",\"level\":\"error\"}\n")
        let secret = try write("secret.log", "{\"msg\":\"x\",\"level\":\"error\"}\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: open)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: secret)
        let nobody = geteuid() == 0
        let count = try CLI.run(["logs", "--count", dir.path], asNobody: nobody)
        #expect(count.status == 0, "\(count.stderr)")
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(count.stderr.contains("secret.log: cannot open: Permission denied"), "\(count.stderr)")
        let named = try CLI.run(["inspect", "--output", "json", secret], asNobody: nobody)
        #expect(named.status == 3, "nothing readable: \(named.stderr)")
        #expect(named.stderr.contains("Permission denied"))
    }

    @Test func timesOutsideTheRangeAreUsageErrorsThatSaySo() throws {
        for (option, value) in [("--since", "1600-01-01"), ("--until", "2300-01-01T00:00:00Z")] {
            let r = try CLI.run(["logs", option, value, CLI.sampleData])
            #expect(r.status == 2)
            #expect(r.stderr.contains("outside the times inquest holds (1678 to 2261)"), "\(r.stderr)")
        }
        let inside = try CLI.run(["logs", "--since", "1678-01-02", "--count", CLI.sampleData])
        #expect(inside.status == 0, "\(inside.stderr)")
    }

    @Test func hugeNumbersInLogFields() throws {
        let json = try write("app.log", """
            {"ts":9999999999999999999,"level":1e400,"msg":"a"}
            {"ts":-1e300,"severity_number":-1e300,"msg":"b"}
            {"time":"2024-01-01T00:00:00Z","level":0e400,"msg":"c"}

            """)
        #expect(try inspect(json)["parsed"] as? Int == 3)
        let logfmt = try write("kv.log", "time=2024-01-01T00:00:00Z level=1e400 msg=x\ntime=1e999 level=-5e30 msg=y\n")
        #expect(try inspect(logfmt)["parsed"] as? Int == 2)
    }

    @Test func spanTimesOutOfRangeAreSkipped() throws {
        let jaeger = try write("j.json", """
            {"data":[{"traceID":"aa","spans":[
             {"traceID":"aa","spanID":"01","operationName":"root","references":[],"startTime":1700000000000000,"duration":1000,"processID":"p1"},
             {"traceID":"aa","spanID":"02","operationName":"child","references":[{"refType":"CHILD_OF","traceID":"aa","spanID":"01"}],"startTime":9223372036854775,"duration":1000,"processID":"p2"},
             {"traceID":"aa","spanID":"03","operationName":"huge","references":[],"startTime":1e19,"duration":9223372036854775807,"processID":"p2"}
            ],"processes":{"p1":{"serviceName":"a"},"p2":{"serviceName":"b"}}}]}
            """)
        let input = try inspect(jaeger)
        #expect(input["parsed"] as? Int == 1)
        #expect(input["skipped"] as? Int == 2)
        for command in [["traces"], ["deps"], ["trace", "aa"]] {
            let r = try CLI.run(command + [jaeger])
            #expect(r.status == 0, "\(command): \(r.stderr)")
        }
        let otlp = try write("o.json", """
            {"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[
             {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","kind":2,
              "startTimeUnixNano":"-9223372036854775808","endTimeUnixNano":"9223372036854775807"}]}]}]}
            """)
        #expect(try inspect(otlp)["skipped"] as? Int == 1)
    }

    @Test func manySpansSharingOneIDFinishQuickly() throws {
        var spans: [String] = []
        for i in 0..<20_000 {
            spans.append(#"{"traceId":"1","id":"0","name":"op\#(i)","timestamp":\#(1_700_000_000_000_000 + i),"duration":5,"localEndpoint":{"serviceName":"s"}}"#)
        }
        let file = try write("z.json", "[" + spans.joined(separator: ",") + "]")
        let start = Date()
        let r = try CLI.run(["traces", "--output", "json", file])
        #expect(r.status == 0)
        let doc = try #require(try CLI.json(r.stdout) as? [String: Any])
        #expect((doc["traces"] as? [[String: Any]])?.first?["spans"] as? Int == 20_000)
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func unfinishedContainerLineIsCounted() throws {
        let file = try write("c.log", """
            {"log":"first part ","stream":"stdout","time":"2024-01-01T00:00:00Z"}
            {"log":"and no end","stream":"stdout","time":"2024-01-01T00:00:01Z"}

            """)
        let input = try inspect(file)
        #expect(input["records"] as? Int == 1)
        #expect(input["parsed"] as? Int == 1)
    }

    @Test func tarWithAnImpossibleSizeIsReportedNotTrapped() throws {
        // A ustar header whose GNU base-256 size is Int64.max, with a correct checksum.
        var h = [UInt8](repeating: 0, count: 512)
        for (i, c) in "app.log".utf8.enumerated() { h[i] = c }
        for (i, c) in "0000644\0".utf8.enumerated() { h[100 + i] = c }
        h[124] = 0x80
        for i in 125..<128 { h[i] = 0 }
        for i in 128..<136 { h[i] = 0xFF }
        h[128] = 0x7F
        h[156] = UInt8(ascii: "0")
        for (i, c) in "ustar\u{0}00".utf8.enumerated() { h[257 + i] = c }
        for i in 148..<156 { h[i] = 32 }
        let sum = h.reduce(0) { $0 + Int($1) }
        for (i, c) in String(format: "%06o\u{0} ", sum).utf8.enumerated() { h[148 + i] = c }
        let url = dir.appendingPathComponent("bomb.tar")
        try Data(h + [UInt8](repeating: 0, count: 1024)).write(to: url)
        let r = try CLI.run(["inspect", "--output", "json", url.path])
        #expect(r.status == 0 || r.status == 3)
        #expect(!r.stderr.isEmpty || r.stdout.contains("problems"))
    }
}
