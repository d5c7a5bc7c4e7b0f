import Foundation
import Testing
@testable import InquestCore

/// Writes `text` to a temporary file with the given modification time, and reads it.
private func readFile(_ text: String, mtime: String? = nil, syslogYear: Int? = nil,
                      name: String = "app.log") throws -> (records: [LogRecord], stats: InputStats, format: DetectedFormat, dir: TempDirectory) {
    let dir = try TempDirectory()
    let path = try dir.write(name, text)
    if let mtime {
        let when = try #require(TimestampParser().parse(mtime))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(when.nanos) / 1e9)], ofItemAtPath: path)
    }
    let (r, s, f) = try readLogs(path, syslogYear: syslogYear)
    expectBalanced(s)
    return (r, s, f, dir)
}

@Suite("Plain text: times by shape")
struct PlainTextShapeTests {
    @Test("logcat: MM-dd HH:mm:ss.SSS, pid and tid, a level letter; the year from the file's time")
    func logcat() throws {
        let (r, s, f, _) = try readFile("""
            12-03 09:15:22.101  401  533 W Foo: bar
            12-03 09:15:22.140  401  533 I Foo: all fine
            12-03 09:15:23.002  388  390 E Baz: broken pipe
            12-03 09:15:24.500  401  401 D Foo: detail

            """, mtime: "2021-12-04T10:00:00Z")
        #expect(f.name == "plain")
        #expect(s.formatDetail == "MM-dd HH:mm:ss.SSS at column 0")
        #expect(s.yearNote == "from the input's modification time")
        #expect(r.map { $0.time ?? "-" } == ["2021-12-03T09:15:22.101Z", "2021-12-03T09:15:22.140Z", "2021-12-03T09:15:23.002Z", "2021-12-03T09:15:24.500Z"])
        #expect(r.map(\.level) == [.warn, .info, .error, .debug])
        #expect(r[0].message == "Foo: bar")
        #expect(s.skipped == 0)
    }

    @Test("logcat across new year: December lines in a file written in January")
    func logcatNewYear() throws {
        let (r, _, _, _) = try readFile("12-31 23:59:58.000  1  1 I A: x\n01-01 00:00:01.000  1  1 I A: y\n", mtime: "2022-01-02T00:00:00Z")
        #expect(r.map { $0.time ?? "-" } == ["2021-12-31T23:59:58.000Z", "2022-01-01T00:00:01.000Z"])
    }

    @Test("bracketed ctime with the level in brackets")
    func ctime() throws {
        let (r, s, f, _) = try readFile("""
            [Tue Mar 05 11:02:03 2024] [warn] mod_x: something odd
            [Tue Mar 05 11:02:04 2024] [error] mod_x: child 12 in error state 6
            [Tue Mar 05 11:02:09 2024] [notice] mod_y: started

            """)
        #expect(f.name == "plain")
        #expect(s.formatDetail == "[EEE MMM dd HH:mm:ss yyyy] at column 0")
        #expect(s.yearNote == nil, "the shape carries its year")
        #expect(r.map { $0.time ?? "-" } == ["2024-03-05T11:02:03Z", "2024-03-05T11:02:04Z", "2024-03-05T11:02:09Z"])
        #expect(r.map(\.level) == [.warn, .error, .notice])
        #expect(r[0].message == "mod_x: something odd")
    }

    @Test("epoch seconds beside a date; the level where the file keeps it")
    func epochBesideDate() throws {
        let (r, s, _, _) = try readFile("""
            - 1700000000 2023.11.14 n7-A:B-C 2023-11-14-14.13.20.000001 n7-A:B-C SYS CORE INFO cache flushed
            - 1700000005 2023.11.14 n7-A:B-C 2023-11-14-14.13.25.000002 n7-A:B-C SYS CORE WARNING cache miss
            XYZ 1700000009 2023.11.14 n8-A:B-D 2023-11-14-14.13.29.000003 n8-A:B-D SYS APP FATAL lost contact

            """)
        #expect(s.formatDetail == "epoch seconds beside a date in field 2")
        #expect(r.map { $0.time ?? "-" } == ["2023-11-14T22:13:20Z", "2023-11-14T22:13:25Z", "2023-11-14T22:13:29Z"])
        #expect(r.map(\.level) == [.info, .warn, .fatal])
        #expect(r[2].message == "XYZ lost contact", "what stands before the time stays in the message")
    }

    @Test("an epoch that disagrees with the date beside it is not taken as one")
    func epochDisagrees() {
        let line = Array("- 1700000000 2001.01.01 x".utf8)
        let field = line.withUnsafeBufferPointer { PlainTimeFinder(defaultOffset: 0).find($0)?.field }
        #expect(field == nil)
    }

    @Test("numbers too large to be times are not, and do not overflow", arguments: [
        "9999999999 x", "- 9999999999 2290.01.01 x", "9999999999999 x", "4102444800 x", "99999999999999 x"])
    func hugeEpochs(line: String) {
        let bytes = Array(line.utf8)
        let field = bytes.withUnsafeBufferPointer { PlainTimeFinder(defaultOffset: 0).find($0, weak: true)?.field }
        #expect(field == nil)
    }

    @Test("compact yyMMdd HHmmss")
    func compact() throws {
        let (r, s, _, _) = try readFile("""
            231104 101500 77 WARN io.Foo: slow write
            231104 101502 78 INFO io.Foo: done

            """)
        #expect(s.formatDetail == "yyMMdd HHmmss at column 0")
        #expect(r.map { $0.time ?? "-" } == ["2023-11-04T10:15:00Z", "2023-11-04T10:15:02Z"])
        #expect(r.map(\.level) == [.warn, .info])
        #expect(r[0].message == "io.Foo: slow write")
    }

    @Test("yyyyMMdd-HH:mm:ss:SSS with fields between bars, one-digit parts too")
    func compactDate() throws {
        let (r, s, _, _) = try readFile("""
            20240102-03:04:05:600|Svc_A|42|started
            20240102-03:04:05:6|Svc_A|42|tick
            20240102-3:4:5:17|Svc_B|42|tock

            """)
        #expect(s.formatDetail == "yyyyMMdd-HH:mm:ss:SSS at column 0")
        #expect(r.map { $0.time ?? "-" } == ["2024-01-02T03:04:05.600Z", "2024-01-02T03:04:05.006Z", "2024-01-02T03:04:05.017Z"])
        #expect(r[0].message == "Svc_A|42|started")
    }

    @Test("an ISO time in the second field; a date inside a word before it is not the time")
    func isoInField() throws {
        let (r, s, _, _) = try readFile("""
            web.log.2.2024-01-01_10:00:00 2024-01-02 03:04:05.678 999 INFO web.api [req-1] GET /a
            worker.log.2024-01-01_10:00:00 2024-01-02 03:04:06.001 998 ERROR web.db [req-2] timeout

            """)
        #expect(s.formatDetail == "yyyy-MM-dd HH:mm:ss.SSS in field 2")
        #expect(r.map { $0.time ?? "-" } == ["2024-01-02T03:04:05.678Z", "2024-01-02T03:04:06.001Z"])
        #expect(r.map(\.level) == [.info, .error])
    }

    @Test("[MM.dd HH:mm:ss] without a year: the file's time gives it")
    func bracketMonthDay() throws {
        let (r, s, _, _) = try readFile("""
            [11.02 08:09:10] app.exe - example.net:443 open through proxy
            [11.02 08:09:11] app.exe - example.net:443 error : could not connect

            """, mtime: "2019-12-01T00:00:00Z")
        #expect(s.formatDetail == "[MM.dd HH:mm:ss] at column 0")
        #expect(r.map { $0.time ?? "-" } == ["2019-11-02T08:09:10Z", "2019-11-02T08:09:11Z"])
        #expect(r[1].level == .error, "guessed from the words when the lines carry no level")
    }

    @Test("syslog without a year: tags with spaces and parentheses, pids without a colon; none skipped")
    func syslogShapes() throws {
        let (r, s, f, _) = try readFile("""
            Jun 14 15:16:01 box sshd(pam_x)[19939]: authentication failure; user=nobody
            Jun 14 15:16:02 box Some Editor[4242]: window opened
            Jun 14 15:16:03 box launchd[1] (com.example.job[77]): exited with code 1
            Jun 14 15:16:04 box logd 1.4.1: restart.

            """, mtime: "2018-07-01T00:00:00Z")
        #expect(f.name == "syslog")
        #expect(s.skipped == 0)
        #expect(r.map { $0.time ?? "-" } == ["2018-06-14T15:16:01Z", "2018-06-14T15:16:02Z", "2018-06-14T15:16:03Z", "2018-06-14T15:16:04Z"])
        #expect(r.map { $0.service ?? "-" } == ["sshd(pam_x)", "Some Editor", "launchd", "logd 1.4.1"])
        #expect(r[2].message == "(com.example.job[77]): exited with code 1")
        #expect(s.yearNote == "from the input's modification time")
    }

    @Test("epoch seconds alone in one field, when every line has one there")
    func epochAlone() throws {
        let (r, s, _, _) = try readFile("""
            5001 node-9 unix.hw state_change 1100000000 1 Component state changed
            5002 node-10 unix.hw state_change 1100000100 1 Component state changed again
            5003 node-9 unix.net link 1100000200 1 Link error on port 3

            """)
        #expect(s.formatDetail == "epoch seconds in field 5")
        #expect(r.map { $0.time ?? "-" } == ["2004-11-09T11:33:20Z", "2004-11-09T11:35:00Z", "2004-11-09T11:36:40Z"])
        #expect(r[2].level == .error)
    }

    @Test("ten-digit numbers far apart are IDs, not times")
    func idsAreNotTimes() throws {
        let (r, _, f, _) = try readFile("order 1100000000 shipped\norder 3900000000 shipped\norder 2100000000 lost\n")
        #expect(f.name == "text")
        #expect(r.allSatisfy { $0.timestamp == nil })
    }

    @Test("the year from a date in a header line, before the file's time")
    func yearFromHeader() throws {
        let (r, s, _, _) = try readFile("""
            log opened 2017-06-01 00:00:00
            06-02 10:00:00.000  5  6 I A: one
            06-02 10:00:01.000  5  6 W A: two

            """, mtime: "2024-01-01T00:00:00Z")
        #expect(r.count == 3)
        #expect(r.dropFirst().map { $0.time ?? "-" } == ["2017-06-02T10:00:00.000Z", "2017-06-02T10:00:01.000Z"])
        #expect(s.yearNote == "2017, from a date in the input")
    }

    @Test("no date and no file time (memory, standard input): a fixed year, said so")
    func yearAssumed() throws {
        let unit = InputUnit.memory(Array("03-04 05:06:07.000  1  2 I A: x\n".utf8), name: "mem")
        let (r, s, _) = try readLogs(unit: unit)
        #expect(r.first?.time == "\(LogReader.assumedYear)-03-04T05:06:07.000Z")
        #expect(s.yearNote?.contains("assumed") == true)
    }

    @Test("a line without a time continues the record before it; a first one is a record of its own")
    func continuation() throws {
        let (r, s, _, _) = try readFile("""
            starting up
            231104 101500 77 ERROR io.Foo: failed
            java.io.IOException: boom
            \tat io.Foo.run(Foo.java:12)
            231104 101501 77 INFO io.Foo: retry

            """)
        #expect(r.count == 3)
        #expect(s.records == 3 && s.skipped == 0)
        #expect(r[0].timestamp == nil)
        #expect(r[1].message == "io.Foo: failed\njava.io.IOException: boom\n\tat io.Foo.run(Foo.java:12)")
    }

    @Test("where only some lines carry a time, in their text, the lines around them stay records of their own")
    func untimedMessages() throws {
        var lines: [String] = []
        for k in 0..<40 {
            lines.append(k % 3 == 0 ? "link up on port \(k) at Tue Mar 14 09:26:\(10 + k) 2023 after retry" : "worker u\(k) went idle")
        }
        lines.append("    not a message: the rest of the one before")
        let (r, s, f, _) = try readFile(lines.joined(separator: "\n") + "\n")
        #expect(f.name == "plain")
        #expect(s.records == 40 && s.skipped == 0)
        #expect(r.filter { $0.timestamp != nil }.count == 14)
        #expect(r[1].message == "worker u1 went idle")
        #expect(r[39].message == "link up on port 39 at after retry\n    not a message: the rest of the one before")
    }

    @Test("a time that ends the lines it is on is their text: every line a record, its message whole")
    func trailingTimes() throws {
        var lines: [String] = []
        for k in 0..<40 {
            lines.append(k % 2 == 0 ? "lease granted to 10.0.0.\(k) (h\(k).example.net) at Tue Mar 14 09:26:\(10 + k) 2023" : "cache warmed; nothing to evict")
        }
        let (r, s, _, _) = try readFile(lines.joined(separator: "\n") + "\n")
        #expect(s.records == 40 && s.skipped == 0)
        #expect(r[0].message == "lease granted to 10.0.0.0 (h0.example.net) at Tue Mar 14 09:26:10 2023")
        #expect(r[1].message == "cache warmed; nothing to evict")
    }

    @Test("header lines before a syslog file's first record are records without a time, not skipped")
    func syslogHeaders() throws {
        let (r, s, f, _) = try readFile("""
            Header1: abc
            Header2: def
            Nov  3 09:23:38 web01 sshd[1]: accepted
            Nov  3 09:23:39 web01 sshd[1]: closed

            """, syslogYear: 2020)
        #expect(f.name == "syslog")
        #expect(s.skipped == 0)
        #expect(s.records == 4)
        #expect(r.map(\.message) == ["Header1: abc", "Header2: def", "accepted", "closed"])
        #expect(r[0].timestamp == nil && r[2].time == "2020-11-03T09:23:38Z")
    }

    @Test("a syslog file with a few odd lines stays syslog")
    func syslogKept() throws {
        let (_, s, f, _) = try readFile("""
            Nov  3 09:23:38 web01 sshd[1]: accepted
            Nov  3 09:23:38 web01 lookup for opt failed
            Nov  3 09:23:39 web01 sshd[1]: closed

            """, syslogYear: 2020)
        #expect(f.name == "syslog")
        #expect(s.skipped == 1)
    }
}

/// Makes a line of each shape for a time, with a level and a message.
enum ShapeLine: String, CaseIterable, Sendable {
    case iso, compactDate, compact, ctime, monthName, monthDay, bracketMonthDay, epochDate, epoch

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    func line(seconds: Int64, millis: Int, n: Int) -> String {
        func p(_ v: Int, _ w: Int = 2) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        let d = seconds.floorDiv(86_400)
        let (y, mo, da) = InquestCore.Calendar.civil(fromDays: d)
        let sod = Int(seconds - d * 86_400)
        let hh = p(sod / 3600), mm = p(sod / 60 % 60), ss = p(sod % 60)
        switch self {
        case .iso: return "\(y)-\(p(mo))-\(p(da)) \(hh):\(mm):\(ss).\(p(millis, 3)) WARN [worker-\(n)] job \(n) slow"
        case .compactDate: return "\(y)\(p(mo))\(p(da))-\(hh):\(mm):\(ss):\(p(millis, 3))|Step_\(n)|77|value \(n)"
        case .compact: return "\(p(y % 100))\(p(mo))\(p(da)) \(hh)\(mm)\(ss) \(n) INFO a.B: block \(n) done"
        case .ctime: return "[\(Self.days[Int((d + 4) % 7)]) \(Self.months[mo - 1]) \(p(da)) \(hh):\(mm):\(ss) \(y)] [error] child \(n) failed"
        case .monthName: return "\(Self.months[mo - 1]) \(p(da)) \(hh):\(mm):\(ss) [worker-\(n)] INFO step \(n)"
        case .monthDay: return "\(p(mo))-\(p(da)) \(hh):\(mm):\(ss).\(p(millis, 3))  \(n)  \(n + 1) W Tag\(n): text \(n)"
        case .bracketMonthDay: return "[\(p(mo)).\(p(da)) \(hh):\(mm):\(ss)] app\(n).exe - host:\(n) open"
        case .epochDate: return "- \(seconds) \(y).\(p(mo)).\(p(da)) R\(n)-M1 RAS KERNEL INFO event \(n)"
        case .epoch: return "\(n) node-\(n % 7) unix.hw change \(seconds) 1 Component \(n) changed"
        }
    }

    var hasMillis: Bool { self == .iso || self == .compactDate || self == .monthDay }
}

@Suite("Plain text: generated files in every shape")
struct PlainTextShapePropertyTests {
    static let continuations = ["\tat com.example.Foo.run(Foo.java:12)", "Caused by: java.io.IOException: boom",
                                "    more detail here", "Traceback (most recent call last):", "  File \"x.py\", line 3"]

    @Test("shuffled records with continuation lines keep their count and their times", arguments: ShapeLine.allCases)
    func shuffled(shape: ShapeLine) throws {
        var rng = SplitMix64(seed: UInt64(shape.rawValue.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        // Times from March to September of one year, so that no order looks like a new year.
        let start: Int64 = 1_677_628_800  // 2023-03-01
        var timed: [(String, Int64)] = []
        for n in 0..<300 {
            let s = start + rng.int64(0...(180 * 86_400))
            let ms = shape.hasMillis ? rng.int(0...999) : 0
            timed.append((shape.line(seconds: s, millis: ms, n: n), s * 1_000_000_000 + Int64(ms) * 1_000_000))
        }
        timed.shuffle(using: &rng)
        var lines: [String] = []
        var leading = 0
        for (i, t) in timed.enumerated() {
            while rng.int(0...4) == 0 {
                lines.append(Self.continuations[rng.int(0...(Self.continuations.count - 1))])
                if i == 0 { leading = 1 }
            }
            lines.append(t.0)
        }
        let (r, s, f, _) = try readFile(lines.joined(separator: "\n") + "\n", syslogYear: 2023)
        #expect(f.name == "plain", "\(shape): \(s.formatDetail ?? "-")")
        #expect(s.records == timed.count + leading)
        #expect(s.parsed == s.records && s.skipped == 0)
        let times = r.compactMap { $0.timestamp?.nanos }
        #expect(times.sorted() == timed.map(\.1).sorted(), "\(shape)")
    }
}

@Suite("Plain text: the archives in ../shared/loghub")
struct LoghubArchiveTests {
    static let root = TestPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/loghub")

    /// Every `NAME/NAME_2k.log` present.
    static var files: [String] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().map { root.appendingPathComponent($0).appendingPathComponent($0 + "_2k.log").path }
            .filter { fm.fileExists(atPath: $0) }
    }

    @Test("every record read, none skipped, 99 % or more with a time")
    func archives() throws {
        let files = Self.files
        guard !files.isEmpty else { return }
        for path in files {
            let (r, s, _) = try readLogs(path, needs: [])
            expectBalanced(s)
            #expect(s.skipped == 0, "\(path)")
            let timed = r.filter { $0.timestamp != nil }.count
            #expect(timed * 100 >= r.count * 99, "\(path): \(timed) of \(r.count) with a time (\(s.format) \(s.formatDetail ?? ""))")
        }
    }
}

extension PlainTextShapeTests {
    /// `yyyy-MM-dd HH:mm:ss` is read in place before the general reading of ISO-like
    /// times: both give the same answer, to the byte where the time ends, for the
    /// spelling, its near misses and what may follow it.
    @Test("the ISO shortcut reads as the general reading does")
    func isoShortcutAgrees() {
        let finder = PlainTimeFinder(defaultOffset: 3600)
        let heads = ["2025-11-25 10:00:00", "2025-11-25T23:59:60", "1999-02-29 00:00:00", "2024-02-29 12:30:45",
                     "2025-13-01 10:00:00", "2025-00-10 10:00:00", "2025-11-32 10:00:00", "2025-11-25 24:00:00",
                     "2025-11-25 10:60:00", "2025-11-25 10:00:61", "2025/11/25 10:00:00", "2025-11-25_10:00:00",
                     "2025-11-25t10:00:00", "2025-11-25-10.00.00", "2025-11-25 10:00", "2025-1-25 10:00:00",
                     "2025-11-25 1:00:00", "0000-01-01 00:00:00", "9999-12-31 23:59:59", "2025-11-25 10:0a:00"]
        let tails = ["", " INFO x", ".123 x", ",5 x", ".123456789Z", "Z", "+02:00 x", "-0530", " UTC x", " UTCx",
                     ":11 x", "0", "123", ".", "+24:00", "\u{e9}"]
        for h in heads {
            for t in tails {
                var bytes = Array((h + t).utf8)
                let (fast, general) = bytes.withUnsafeMutableBufferPointer { b in
                    (finder.iso(UnsafeBufferPointer(b), 0), finder.isoGeneral(UnsafeBufferPointer(b), 0))
                }
                #expect(fast?.nanos == general?.nanos && fast?.end == general?.end && fast?.precision == general?.precision,
                        "\(h + t): \(String(describing: fast?.nanos)) vs \(String(describing: general?.nanos))")
                #expect((fast == nil) == (general == nil), "\(h + t)")
            }
        }
    }
}
