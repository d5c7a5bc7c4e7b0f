import Foundation
import Testing
@testable import InquestCore

/// `logs --count` decides each record where it is parsed (no record copied out), skips
/// times no filter reads, reads flat JSON lines in one pass, and cuts large files into
/// slices read on every core. These tests check every one of those shortcuts against
/// the slow reference: a reader that builds every record whole (`next()`, all fields,
/// JSON through the general scanner), filtered afterwards.
struct FilterCountTests {
    /// A small deterministic generator (the same files on every run).
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ xs: [T]) -> T { xs[next(xs.count)] }
    }

    static let services = ["cart", "payment", "auth", "search"]
    static let textLevels = ["info", "INFO", "warn", "WARNING", "error", "ERROR", "debug", "fatal", "E", "err"]
    static let plainLevels = ["INFO", "WARN", "ERROR", "DEBUG", "FATAL"]
    static let words = ["timeout", "connection refused", "cache miss", "order created", "slow query", "retry"]

    /// A trace some lines hold: its first eight digits, its low half (Datadog's decimal
    /// IDs) and the whole ID are looked for.
    static let knownTrace = "a3c09f5e7b214d8c9e0f1a2b3c4d5e6f"

    static func hex(_ g: inout LCG, _ n: Int) -> String {
        String((0..<n).map { _ in Array("0123456789abcdef")[g.next(16)] })
    }

    static func time(_ i: Int) -> (iso: String, sec: Int) {
        let s = i / 7
        return (String(format: "2025-11-25T10:%02d:%02d.%03dZ", s / 60 % 60, s % 60, i % 1000), s)
    }

    /// `lines` lines of one format, with the defects real files have.
    static func generate(_ format: String, lines: Int, seed: UInt64) -> String {
        var g = LCG(state: seed)
        var out = ""
        if format == "plain" { out += "Log file opened by test\n" }
        if format == "table" { out += "Timestamp,PodName,Log\n" }
        for i in 0..<lines {
            let t = time(i)
            let svc = g.pick(services), msg = g.pick(words)
            // One line in four holds a trace asked for by the filters, spelled as writers do.
            let trace = g.next(4) == 0 ? Self.knownTrace : hex(&g, 32)
            let damage = g.next(40)
            switch format {
            case "json":
                switch g.next(8) {
                case 0: out += #"{ "time" : "\#(t.iso)", "severity" : "\#(g.pick(textLevels))", "app": "\#(svc)", "message": "\#(msg) \"quoted\" caf\u00e9 \u0072etried" }"#
                case 1: out += #"{"time":"\#(t.iso)","level":\#(g.pick([30, 40, 50, 60])),"name":"\#(svc)","msg":"\#(msg)"}"#
                case 2: out += #"{"@timestamp":"\#(t.iso)","log":{"level":"\#(g.pick(textLevels))"},"service":{"name":"\#(svc)"},"trace":{"id":"\#(trace)"},"message":"\#(msg)"}"#
                case 4: out += #"{"time":"\#(t.iso)","level":"\#(g.pick(textLevels))","service":"\#(svc)","msg":"\#(msg)","traceId":"\#(g.next(2) == 0 ? trace.uppercased() : "1-" + trace.prefix(8) + "-" + trace.dropFirst(8))"}"#
                case 5: out += #"{"time":"\#(t.iso)","level":"\#(g.pick(textLevels))","service":"\#(svc)","msg":"\#(msg)","dd.trace_id":"\#(UInt64(trace.dropFirst(16), radix: 16) ?? 1)","dd.span_id":\#(g.next(1000) + 1)}"#
                case 3: out += #"{"ts":\#(1764064800 + t.sec),"lvl":"\#(g.pick(textLevels))","service":"\#(svc)","msg":"\#(msg) trace_id=\#(trace)","tags":["a",{"b":[1,2]}],"ok":true,"x":null}"#
                default: out += #"{"time":"\#(t.iso)","level":"\#(g.pick(textLevels))","service":"\#(svc)","msg":"\#(msg)","trace_id":"\#(trace)","user":{"id":\#(i),"tier":"free"}}"#
                }
                if damage == 0 { out += "}" }  // text after the object
                if damage == 1 { out = String(out.dropLast(5)) }  // cut off
                if damage == 2 { out += "\n" }  // a blank line
            case "logfmt":
                out += "time=\(t.iso) level=\(g.pick(textLevels)) service=\(svc) msg=\"\(msg) \\\"x\\\"\" "
                out += g.next(3) == 0 ? "traceparent=00-\(trace)-00f067aa0ba902b7-01 n=\(i)" : "trace_id=\(trace) n=\(i)"
                if damage == 0 { out += " bad=\"unclosed" }
            case "plain":
                out += "2025-11-25 10:\(String(format: "%02d:%02d", t.sec / 60 % 60, t.sec % 60)).\(String(format: "%03d", i % 1000)) \(g.pick(plainLevels)) [\(svc)] \(msg) trace_id=\(trace)"
                if damage < 3 { out += "\njava.lang.IllegalStateException: \(msg)\n\tat com.example.Foo.bar(Foo.java:\(i))" }
            case "syslog":
                out += "Nov 25 10:\(String(format: "%02d:%02d", t.sec / 60 % 60, t.sec % 60)) host-\(g.next(3)) \(svc)[\(100 + g.next(50))]: \(msg)\(damage < 5 ? " failed with error" : "")"
            case "access":
                out += "10.0.0.\(g.next(250)) - - [25/Nov/2025:10:\(String(format: "%02d:%02d", t.sec / 60 % 60, t.sec % 60)) +0000] \"GET /api/\(svc) HTTP/1.1\" \(g.pick([200, 200, 404, 500, 503])) \(g.next(5000))"
            case "docker":
                out += #"{"log":"\#(t.iso) \#(g.pick(plainLevels)) \#(msg) trace_id=\#(trace)\n","stream":"stdout","time":"\#(t.iso)"}"#
            case "table":
                out += "\(t.iso),\(svc)-7d4f9c8b6-x\(g.next(9))k2p,\"\(g.pick(plainLevels)) \(msg), trace_id=\(trace)\""
            default: break
            }
            out += "\n"
        }
        return out
    }

    static func filters(since: Timestamp, until: Timestamp) throws -> [(String, LogFilter)] {
        var out: [(String, LogFilter)] = [("none", LogFilter())]
        for l in [Level.warn, .error] { var f = LogFilter(); f.minLevel = l; out.append(("level \(l)", f)) }
        var s = LogFilter(); s.services = ["payment"]; out.append(("service", s))
        var t = LogFilter(); t.traces = ["a"]; out.append(("trace prefix", t))
        // Looked for in the raw line first: an ID's first bytes in any case and through an
        // X-Ray spelling; its low half, which Datadog writes in decimal; several IDs; the
        // service given to lines without one (from the file's name), which no line spells.
        var tk = LogFilter(); tk.traces = [traceIDQuery(String(knownTrace.prefix(12)))]; out.append(("trace known", tk))
        var td = LogFilter(); td.traces = [String(knownTrace.dropFirst(16).prefix(10))]; out.append(("trace low half", td))
        var tm = LogFilter(); tm.traces = ["a3c0", "ffe", "1-a3c09f5e-7b21"].map(traceIDQuery); out.append(("traces", tm))
        var sf = LogFilter(); sf.services = ["app", "cart"]; out.append(("service from file name", sf))
        var g = LogFilter(); g.grep = try Pattern("timeout"); out.append(("grep", g))
        // Bytes looked for in the raw line first: in any case; spelled by an escape only
        // (`\u0072etried`); none to look for (`|`); a key joined to its value (`=`).
        var gi = LogFilter(); gi.grep = try Pattern("TIME[O]UT|CACHE", caseInsensitive: true); out.append(("grep alternatives", gi))
        var gc = LogFilter(); gc.grep = try Pattern("Refused", caseInsensitive: true); out.append(("grep -i", gc))
        var ge = LogFilter(); ge.grep = try Pattern("etried$"); out.append(("grep escaped", ge))
        var gk = LogFilter(); gk.grep = try Pattern("tier=fr"); out.append(("grep key=value", gk))
        var gw = LogFilter(); gw.grep = try Pattern("ca(che)? mis+"); gw.conditions = [("service", "cart")]; out.append(("grep+where", gw))
        // A field's value looked for in the raw line: a nested key, a number, a quoted value.
        var wf = LogFilter(); wf.conditions = [("user.tier", "free")]; out.append(("where nested", wf))
        var wn = LogFilter(); wn.conditions = [("x", "null")]; out.append(("where null", wn))
        var wq = LogFilter(); wq.conditions = [("msg", "retry")]; out.append(("where message", wq))
        var w = LogFilter(); w.since = since; w.until = until; out.append(("since/until", w))
        var c = LogFilter(); c.minLevel = .warn; c.services = ["cart", "auth"]; out.append(("level+service", c))
        return out
    }

    /// Counts and statistics with the slow reference reader.
    static func reference(_ unit: InputUnit, _ filter: LogFilter, json: Bool) throws -> (Int, InputStats) {
        let reader = try LogReader(unit: unit, format: json ? .logLines(JSONLinesFormat(flatScan: false)) : nil, needs: .all)
        var n = 0
        while let r = reader.next() { if filter.matches(r) { n += 1 } }
        return (n, reader.stats)
    }

    @Test(arguments: ["json", "logfmt", "plain", "syslog", "access", "docker", "table"])
    func countsAgreeWithTheReferenceReader(format: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write("app.\(format == "table" ? "csv" : "log")", Self.generate(format, lines: 3000, seed: 42))
        let since = Timestamp(nanos: 1_764_064_800_000_000_000 + 60 * 1_000_000_000, precision: 3)
        let until = Timestamp(nanos: since.nanos + 120 * 1_000_000_000, precision: 3)
        for sliced in [false, true] {
            var limits = InputLimits()
            // Small slices: a 3000-line file is cut in two at a line start.
            if sliced { limits.sliceBytes = 1024 }
            let units = InputDiscovery.discover([path], limits: limits).units
            try #require(units.count == 1)
            for (name, filter) in try Self.filters(since: since, until: until) {
                let (want, wantStats) = try Self.reference(units[0], filter, json: format == "json")
                let stream = LogStream(units: units, filter: filter, needs: [])
                let got = stream.count()
                let stats = stream.stats[0]
                #expect(got == want, "\(format) \(name) sliced=\(sliced): \(got) counted, reference \(want)")
                #expect(stats.records == wantStats.records && stats.parsed == wantStats.parsed && stats.skipped == wantStats.skipped,
                        "\(format) \(name) sliced=\(sliced): \(stats.records)/\(stats.parsed)/\(stats.skipped) vs \(wantStats.records)/\(wantStats.parsed)/\(wantStats.skipped)")
                #expect(stats.errors.map(\.line) == wantStats.errors.map(\.line), "\(format) \(name) sliced=\(sliced): issue lines differ")
                // The records written (`next()`, lines read past by the same gates).
                var written = 0
                LogStream(units: units, filter: filter, needs: .all).forEach { _ in written += 1; return true }
                #expect(written == want, "\(format) \(name) sliced=\(sliced): \(written) written, reference \(want)")
                if format == "json" && name.hasPrefix("trace") { #expect(want > 0, "\(name) matches nothing: the test tests nothing") }
            }
        }
    }

    /// A large file of one-line records is read in slices on every core for output too:
    /// the same records in the same order, numbered by their line in the whole file, with
    /// the same times carried to records without one, and the same statistics, as when
    /// read whole; stopping early gives the same first records.
    @Test(arguments: ["json", "logfmt", "access"])
    func slicedOutputAgreesWithOneReader(format: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write("app.log", Self.generate(format, lines: 3000, seed: 7))
        let since = Timestamp(nanos: 1_764_064_800_000_000_000 + 60 * 1_000_000_000, precision: 3)
        let until = Timestamp(nanos: since.nanos + 120 * 1_000_000_000, precision: 3)
        func read(_ filter: LogFilter, sliced: Bool, limit: Int = .max) -> ([String], InputStats) {
            var limits = InputLimits()
            if sliced { limits.sliceBytes = 1024 }
            let units = InputDiscovery.discover([path], limits: limits).units
            let stream = LogStream(units: units, filter: filter, needs: .all)
            var out: [String] = []
            stream.forEach { r in
                out.append("\(r.location.line) \(r.sortKey) \(r.level) \(r.message) \(r.fields.count)")
                return out.count < limit
            }
            return (out, stream.stats[0])
        }
        for (name, filter) in try Self.filters(since: since, until: until) {
            let (want, wantStats) = read(filter, sliced: false)
            let (got, stats) = read(filter, sliced: true)
            #expect(got == want, "\(format) \(name): \(got.count) records sliced, \(want.count) whole")
            #expect(stats.records == wantStats.records && stats.skipped == wantStats.skipped, "\(format) \(name)")
            #expect(stats.errors.map(\.line) == wantStats.errors.map(\.line), "\(format) \(name): issue lines differ")
        }
        let (first, _) = read(LogFilter(), sliced: true, limit: 1500)
        #expect(first == Array(read(LogFilter(), sliced: false).0.prefix(1500)))
    }

    /// The filters must select something, or the agreement above proves little.
    @Test func theGeneratedFilesExerciseEveryFilter() throws {
        let dir = try TempDirectory()
        let path = try dir.write("app.log", Self.generate("json", lines: 3000, seed: 42))
        let units = InputDiscovery.discover([path]).units
        let since = Timestamp(nanos: 1_764_064_800_000_000_000 + 60 * 1_000_000_000, precision: 3)
        let until = Timestamp(nanos: since.nanos + 120 * 1_000_000_000, precision: 3)
        for (name, filter) in try Self.filters(since: since, until: until) {
            let n = LogStream(units: units, filter: filter, needs: []).count()
            #expect(n > 0 && n < 3000, "\(name): \(n)")
        }
        let all = LogStream(units: units, filter: LogFilter(), needs: [])
        _ = all.count()
        #expect(all.stats[0].skipped > 0, "damaged lines are in the file")
    }

    /// Flat JSON read in one pass gives exactly the general scanner's record, on lines
    /// cut and altered at random (a property test over the bytes that matter). The one-pass
    /// reader keeps its context from line to line, as a reader does: the keys it remembers
    /// from a line are tried on the next, altered one.
    @Test func flatScanAgreesWithTheGeneralScanner() {
        var g = LCG(state: 7)
        let base = Self.generate("json", lines: 400, seed: 9).split(separator: "\n").map { Array($0.utf8) }
        let alphabet = Array(#"{}[]":,\ "#.utf8) + [0x61, 0x31, 0x0A]
        #expect(Self.disagreements(base, alphabet: alphabet, &g, JSONLinesFormat(), against: JSONLinesFormat(flatScan: false), fields: false) == 0)
        // The reading `LogReader.count` picks when nothing but the level is wanted.
        var h = LCG(state: 7)
        #expect(Self.disagreements(base, alphabet: alphabet, &h, JSONLinesFormat.LevelOnly(base: JSONLinesFormat()),
                                   against: JSONLinesFormat(flatScan: false), fields: false, onlyLean: true) == 0)
    }

    /// How often `format`, keeping its context from line to line (the unaltered line read
    /// first, for its keys to be remembered), reads each altered line (`alter`) otherwise
    /// than `reference` with a fresh context, for every set of needs: result, level, time,
    /// service, message, trace and span, and the fields when `fields`.
    static func disagreements(_ base: [[UInt8]], alphabet: [UInt8], _ g: inout LCG, _ format: some LineFormat,
                              against reference: some LineFormat, fields: Bool, onlyLean: Bool = false) -> Int {
        var differences = 0
        // The last: nothing but the level (`--count`, `--level X --count`), where the
        // members after the level key are only checked.
        let allNeeds: [(RecordNeeds, time: Bool)] = [(.all, true), ([], true), ([.service, .trace], true), ([.message], true), ([], false)]
        func context(_ n: (RecordNeeds, time: Bool)) -> ParseContext {
            var c = ParseContext(needs: n.0)
            c.needsTime = n.time
            return c
        }
        var kept = allNeeds.map(context)
        alter(base, alphabet: alphabet, &g) { line, text in
            for (k, needs) in allNeeds.enumerated() where !onlyLean || (needs.0.isEmpty && !needs.time) {
                // The reference reads times: every member and pair read.
                var fresh = context((needs.0, true))
                _ = parseLine(format, String(decoding: line, as: UTF8.self), context: &kept[k])
                let (r1, a) = parseLine(format, text, context: &kept[k])
                let (r2, b) = parseLine(reference, text, context: &fresh)
                if r1 != r2 || a.level != b.level || (needs.time && a.timestamp != b.timestamp) || a.service != b.service
                    || a.message != b.message || a.traceID != b.traceID || a.spanID != b.spanID
                    || (fields && a.fields != b.fields) { differences += 1 }
            }
        }
        return differences
    }

    /// Each line of `base` cut short, or with one byte of `alphabet` put in or in place of
    /// another, six times at random: `body` gets the line and the altered text.
    static func alter(_ base: [[UInt8]], alphabet: [UInt8], _ g: inout LCG, _ body: ([UInt8], String) -> Void) {
        for line in base {
            for _ in 0..<6 {
                var bytes = line
                switch g.next(3) {
                case 0: bytes = Array(bytes.prefix(g.next(bytes.count + 1)))
                case 1: if !bytes.isEmpty { bytes[g.next(bytes.count)] = g.pick(alphabet) }
                default: if !bytes.isEmpty { bytes.insert(g.pick(alphabet), at: g.next(bytes.count)) }
                }
                body(line, String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Lines damaged after their level: a count that needs only the level (`--count`,
    /// `--level X --count`) reads no member after a `level` key, but checks them, and skips
    /// these lines exactly as the full reading does, for the same reasons.
    static let damagedAfterLevel: [String: [String]] = [
        "json": [
            #"{"level":"error","msg":"x","a":tru}"#, #"{"level":"error","msg":"x","a":nul}"#, #"{"level":"error","msg":"x","a":falsey}"#,
            #"{"level":"error","msg":"x" "a":1}"#, #"{"level":"error","msg":"x","a" 1}"#, #"{"level":"error","msg":"x",a:1}"#,
            #"{"level":"error","msg":"x","a":1,}"#, #"{"level":"error","msg":"x","a":"unclosed}"#, #"{"level":"error","msg":"x","a":}"#,
            #"{"level":"error","msg":"x","a":1 2}"#, #"{"level":"error","msg":"x","a":"b"c}"#, #"{"level":"error","msg":"x";"a":1}"#,
            // A role that nests holding a malformed object: read (and checked) member by member.
            #"{"level":"error","msg":"x","log":{garbage}}"#, #"{"level":"error","service":{"name":1 2}}"#,
            #"{"level":"error","trace":{"id":"abc",}}"#, #"{"level":"error","dd":{]}"#, #"{"level":"error","@fields":{"a"}}"#,
            #"{"level":"error","span":{"id":}}"#, #"{"level":"error","log":{"level":"warn"}}"#, #"{"level":"error","log":"text"}"#,
            #"{"level":"error","msg":"x","a":"#, #"{"level":"error","msg":"x","a":{"b":[1,2"#, #"{"level":"error","msg":"x"} more"#,
            #"{"level":"error","msg":"x","a":{"b":"\\"}"}}"#, #"{"level":"error","msg":"x","a":{"b":"\"}"}}"#, #"{"level":"error","a":"b\"c"}"#,
            #"{"level":"error","a":{"b":[1,2}},"c":[}"#, #"{"level":"error","a":-,"b":abc}"#, #"{"level":"error" , "a" : [1, {"b": 2}] }"#,
            #"{"level":"error","a\u0041":1,"a_key_longer_than_sixteen_bytes":tru}"#, #"{"level":"error","a_key_longer_than_sixteen_bytes":true}"#,
            #"{"level":50,"msg":"x","a":[1,]"#, #"{"level":"error","level":"info","a":nul}"#,
            #"{"level":"error","a":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}",
            // (Deeper than twice the limit: the reference, which wants fields, flattens the
            // first 128 levels into field names before it counts depth.)
            #"{"level":"error","a":"# + String(repeating: #"{"b":"#, count: 600) + "1" + String(repeating: "}", count: 600) + "}",
        ],
        "logfmt": [
            #"level=error msg="unclosed"#, #"level=error a=1 b="x\""#, #"level=error a=b"c d="e""#, #"level=error "quoted word" x=1"#,
            #"level=error x="a\\" y="b"#, #"level=error x="a b" y=c z="d"#, #"level=error k"ey="v"#, #"level=error =x "y"#,
            "level=error\tmsg=\"tab sep", #"level=error msg="ok"trailing="x"#, #"level=error msg="ok"trailing="x""#,
            #"level=error a= b="#, #"level=error a="\"#, #"level=error a=x"y z="#, #"level=error service=a msg="a \"b\" c" n=1"#,
        ],
    ]

    @Test(arguments: ["json", "logfmt"])
    func countsSkipLinesDamagedAfterTheLevel(format: String) throws {
        let good = format == "json" ? #"{"level":"warn","msg":"ok","a":{"b":1},"c":true}"# : #"level=warn msg="ok" a=1"#
        let damaged = try #require(Self.damagedAfterLevel[format])
        // Each damaged line after a good one, for the keys of the line before to be remembered.
        let text = damaged.map { good + "\n" + $0 + "\n" }.joined()
        let dir = try TempDirectory()
        let path = try dir.write("app.log", text)
        let units = InputDiscovery.discover([path]).units
        try #require(units.count == 1)
        var warn = LogFilter(); warn.minLevel = .warn
        var error = LogFilter(); error.minLevel = .error
        // The format given (files of damaged lines may not be detected as it): the count
        // picks its level-only reading, which is also compared line by line below.
        let streamed: any LineFormat = format == "json" ? JSONLinesFormat() : LogfmtFormat()
        let lean: any LineFormat = format == "json" ? JSONLinesFormat.LevelOnly(base: JSONLinesFormat()) : LogfmtFormat.LevelOnly()
        let reference: any LineFormat = format == "json" ? JSONLinesFormat(flatScan: false) : LogfmtFormat()
        for (name, filter) in [("none", LogFilter()), ("level warn", warn), ("level error", error)] {
            let full = try LogReader(unit: units[0], format: .logLines(reference), needs: .all)
            var want = 0
            while let r = full.next() { if filter.matches(r) { want += 1 } }
            let wantStats = full.stats
            let stream = LogStream(units: units, filter: filter, needs: [], format: .logLines(streamed))
            let got = stream.count()
            let stats = stream.stats[0]
            #expect(got == want, "\(format) \(name): \(got) counted, reference \(want)")
            #expect(stats.skipped == wantStats.skipped && stats.records == wantStats.records, "\(format) \(name): \(stats.skipped) skipped, reference \(wantStats.skipped)")
            #expect(stats.errors.map(\.line) == wantStats.errors.map(\.line) && stats.errors.map(\.reason) == wantStats.errors.map(\.reason),
                    "\(format) \(name): issues differ")
        }
        // Line by line: the reading of a count by level against the full reading (of the
        // same needs, times read: all pairs and members read), the same result (with the
        // same reason) and level.
        var kept = ParseContext(needs: [])
        kept.needsTime = false
        for line in damaged {
            _ = parseLine(lean, good, context: &kept)
            let (r1, a) = parseLine(lean, line, context: &kept)
            var fresh = ParseContext(needs: [])
            let (r2, b) = parseLine(reference, line, context: &fresh)
            #expect(r1 == r2 && a.level == b.level, "\(line): \(r1) \(a.level), reference \(r2) \(b.level)")
        }
        // The lines test something: most are skipped.
        #expect(damaged.filter { parseLine(reference, $0).0 != .record }.count >= damaged.count / 2)
    }

    /// A JSON line is as deep as its deepest value, counted from its own object (level 1):
    /// within the limit it is a record, past it a line skipped for its depth, whether a
    /// count, a listing or a reading with every field (which names nested members
    /// `a.b.c`) reads it.
    @Test(arguments: [3, 16, 256])
    func depthLimitIsTheSameForEveryReading(limit: Int) throws {
        func nested(_ levels: Int) -> String {
            // `levels` objects, the outermost holding the next under `k`.
            String(repeating: #"{"k":"#, count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)
        }
        var lines = [#"{"level":"info","msg":"first"}"#]
        // The line's object is level 1, so its member `x` may hold `limit - 1` levels.
        let depths = [limit - 1, limit, limit + 1, limit + 2].filter { $0 >= 3 }
        for depth in depths {
            lines.append(#"{"level":"error","msg":"depth \#(depth)","x":\#(nested(depth - 1)),"z":1}"#)
            lines.append(#"{"level":"error","msg":"depth \#(depth) in an array","x":[\#(nested(depth - 2))]}"#)
        }
        let dir = try TempDirectory()
        let path = try dir.write("app.log", lines.joined(separator: "\n") + "\n")
        var limits = InputLimits()
        limits.maxJSONDepth = limit
        let units = InputDiscovery.discover([path], limits: limits).units
        try #require(units.count == 1)
        var results: [String: (records: Int, skipped: [Int], reasons: Set<String>)] = [:]
        for (name, needs) in [("count", RecordNeeds()), ("listing", RecordNeeds([.message, .service, .trace])), ("fields", RecordNeeds.all)] {
            let reader = try LogReader(unit: units[0], format: .logLines(JSONLinesFormat()), needs: needs)
            var records = 0
            while reader.next() != nil { records += 1 }
            results[name] = (records, reader.stats.errors.map(\.line), Set(reader.stats.errors.map(\.reason)))
        }
        let stream = LogStream(units: units, filter: LogFilter(), needs: [])
        let counted = stream.count()
        results["stream count"] = (counted, stream.stats[0].errors.map(\.line), Set(stream.stats[0].errors.map(\.reason)))
        let count = try #require(results["count"])
        // Depths up to the limit read, the two past it skipped, each in two shapes.
        #expect(count.records == 1 + 2 * depths.filter { $0 <= limit }.count, "\(count)")
        #expect(count.skipped.count == 4)
        #expect(count.reasons == ["JSON nested deeper than \(limit) levels (--max-json-depth)"])
        for name in ["listing", "fields", "stream count"] {
            let r = try #require(results[name])
            #expect(r.records == count.records && r.skipped == count.skipped && r.reasons == count.reasons, "\(name): \(r)")
        }
    }

    /// logfmt read with the keys of the line before remembered gives the record read
    /// without them, on lines cut and altered at random.
    @Test func logfmtKeysRememberedAgreeWithKeysRead() {
        var g = LCG(state: 11)
        var base = Self.generate("logfmt", lines: 300, seed: 5).split(separator: "\n").map { Array($0.utf8) }
        base.append(contentsOf: ["level=error", "a=1 lvl=warn severity=info levelname=debug", "trace=4bf92f3577b34da6a3ce929d0e0e4736 x=\"y z\"",
                                 "service.name=api level=info msg=ok", "  level=warn   msg=\"a\\\"b\"  "].map { Array($0.utf8) })
        let alphabet = Array(#"= "\"#.utf8) + [0x61, 0x6C, 0x09]
        #expect(Self.disagreements(base, alphabet: alphabet, &g, LogfmtFormat(), against: LogfmtFormat(), fields: true) == 0)
        // The reading of a count by level (its own needs in the last context only: the
        // others differ by the records' fields, which it does not read).
        var h = LCG(state: 11)
        #expect(Self.disagreements(base, alphabet: alphabet, &h, LogfmtFormat.LevelOnly(), against: LogfmtFormat(), fields: false, onlyLean: true) == 0)
    }
}
