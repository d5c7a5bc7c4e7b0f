import Foundation
import Testing

@Suite("Plain text and syslog archives from the command line")
struct PlainTextCommandTests {
    /// Writes `text` to a new temporary file, with a modification time when given.
    static func file(_ name: String, _ text: String, mtime: Date? = nil) throws -> String {
        let dir = NSTemporaryDirectory() + "inquest-plain-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if let mtime { try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path) }
        return path
    }

    @Test("a syslog file's header lines come out of `logs`, and none is skipped")
    func syslogHeaders() throws {
        let path = try Self.file("messages", """
            Header1: abc
            Header2: def
            Nov  3 09:23:38 web01 sshd[1]: accepted
            Nov  3 09:23:39 web01 sshd[1]: closed

            """, mtime: Date(timeIntervalSince1970: 1_700_000_000))
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let logs = try CLI.run(["logs", "--output", "ndjson", path])
        #expect(logs.status == 0)
        #expect(logs.stdout.contains("Header1: abc") && logs.stdout.contains("Header2: def"))
        #expect(logs.lines.count == 4)
        let inspect = try CLI.run(["inspect", "--output", "json", path])
        let input = try #require(((try CLI.json(inspect.stdout) as? [String: Any])?["inputs"] as? [[String: Any]])?.first)
        #expect(input["format"] as? String == "syslog")
        #expect(input["skipped"] as? Int == 0)
        #expect(input["records"] as? Int == 4)
        #expect(input["first"] as? String == "2023-11-03T09:23:38Z", "the year from the file's modification time (2023-11-14)")
    }

    @Test("inspect names the time's shape and where the year came from")
    func inspectShape() throws {
        let path = try Self.file("device.log", """
            12-03 09:15:22.101  401  533 W Foo: bar
            12-03 09:15:23.002  388  390 E Baz: broken pipe

            """, mtime: Date(timeIntervalSince1970: 1_700_000_000))
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let r = try CLI.run(["inspect", "--color", "never", path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("logs, plain (MM-dd HH:mm:ss.SSS at column 0)"), "\(r.stdout)")
        #expect(r.stdout.contains("from the input's modification time"))
        #expect(r.lines.allSatisfy { $0.count <= 80 })
        let j = try CLI.run(["inspect", "--output", "json", path])
        let input = try #require(((try CLI.json(j.stdout) as? [String: Any])?["inputs"] as? [[String: Any]])?.first)
        #expect(input["format_detail"] as? String == "MM-dd HH:mm:ss.SSS at column 0")
        // Written 2023-11-14: a December time is from the year before.
        #expect(input["first"] as? String == "2022-12-03T09:15:22.101Z")
    }

    @Test("year-less times from standard input take a fixed year, not today's")
    func stdinYear() throws {
        let r = try CLI.run(["logs", "--output", "ndjson", "-"], stdin: Data("03-04 05:06:07.000  1  2 I A: x\n".utf8))
        #expect(r.stdout.contains("\"2000-03-04T05:06:07.000Z\""), "\(r.stdout)")
    }
}
