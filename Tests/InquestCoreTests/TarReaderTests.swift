import Foundation
import Testing
@testable import InquestCore

/// Rotated logs as a host keeps them, to be archived with /bin/tar.
struct RotatedLogs {
    let dir: TempDirectory
    let source: String
    /// Member name → number of records it holds.
    let expected: [(name: String, records: Int)]

    init() throws {
        dir = try TempDirectory()
        source = dir.path + "/src"
        try dir.write("src/app.log", jsonLines("app", count: 12, from: 25))
        try dir.write("src/app.log.1", jsonLines("app", count: 12, from: 13))
        try dir.write("src/app.log.2.gz", try gzipped(jsonLines("app", count: 12, from: 1)))
        try dir.write("src/nginx/access.log",
                      "10.0.0.1 - - [01/May/2024:12:00:00 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"curl\"\n"
                      + "10.0.0.2 - - [01/May/2024:12:00:01 +0000] \"GET /x HTTP/1.1\" 500 0 \"-\" \"curl\"\n")
        expected = [("app.log", 12), ("app.log.1", 12), ("app.log.2.gz", 12), ("nginx/access.log", 2)]
    }

    /// Makes an archive of the members with `tar flags`, e.g. `-cf` or `-czf`.
    func archive(_ name: String, _ flags: [String]) throws -> String {
        let path = dir.path + "/" + name
        try runProgram(tool("tar"), flags + [path, "-C", source] + expected.map(\.name))
        return path
    }
}

@Suite("Tar archives")
struct TarReaderTests {
    @Test("members of a .tar and a .tar.gz are discovered one by one and each is readable",
          arguments: [("logs.tar", ["-cf"], Compression.tar), ("logs.tar.gz", ["-czf"], Compression.tarGzip)])
    func discoverMembers(name: String, flags: [String], compression: Compression) throws {
        let logs = try RotatedLogs()
        let archive = try logs.archive(name, flags)
        let (units, problems) = InputDiscovery.discover([archive])
        #expect(problems.isEmpty)
        #expect(units.map(\.path) == logs.expected.map { "\(archive):\($0.name)" })
        #expect(units.allSatisfy { $0.compression == compression })
        for (unit, expected) in zip(units, logs.expected) {
            let (records, stats, _) = try readLogs(unit: unit)
            #expect(records.count == expected.records, "\(unit.path)")
            #expect(stats.skipped == 0, "\(unit.path): \(stats.errors)")
            expectBalanced(stats)
        }
    }

    @Test("a gzip file inside a tar is decompressed")
    func gzipMember() throws {
        let logs = try RotatedLogs()
        let archive = try logs.archive("logs.tar.gz", ["-czf"])
        let (units, _) = InputDiscovery.discover([archive])
        let member = try #require(units.first { $0.path.hasSuffix(":app.log.2.gz") })
        let (records, stats, _) = try readLogs(unit: member)
        #expect(records.map(\.message).first == "app line 1 with some padding text to make it realistic")
        #expect(records.last?.time == "2024-05-01T12:00:12.000Z")
        #expect(stats.skipped == 0)
        #expect(member.stem == "app")
    }

    @Test("a member can be opened again, and out of order")
    func reopenMembers() throws {
        let logs = try RotatedLogs()
        let archive = try logs.archive("logs.tar", ["-cf"])
        let (units, _) = InputDiscovery.discover([archive])
        let nginx = try #require(units.last)
        let first = try readLogs(unit: nginx).records
        let second = try readLogs(unit: nginx).records
        #expect(first.map(\.message) == second.map(\.message))
        #expect(first.map(\.level) == [.info, .error])
    }

    @Test("TarReader lists regular files with sizes, passing over directories")
    func readerListsMembers() throws {
        let logs = try RotatedLogs()
        // Archive the whole folder: directory entries come first and must be skipped.
        let path = logs.dir.path + "/all.tar"
        try runProgram(tool("tar"), ["-cf", path, "-C", logs.source, "."])
        let tar = TarReader(source: try FileSource(path: path))
        var members: [TarReader.Member] = []
        while let m = try tar.nextMember() { members.append(m) }
        #expect(Set(members.map(\.name)) == Set(logs.expected.map { "./" + $0.name }))
        let access = try #require(members.first { $0.name == "./nginx/access.log" })
        #expect(access.size == Int64(try Data(contentsOf: URL(fileURLWithPath: logs.source + "/nginx/access.log")).count))
        #expect(!tar.endedEarly)
        #expect(tar.issues.isEmpty)
    }

    @Test("long member names: GNU 'L' entries and the ustar prefix", arguments: ["gnu", "ustar", "pax"])
    func longNames(format: String) throws {
        let dir = try TempDirectory()
        let folder = String(repeating: "d", count: 80)
        let file = String(repeating: "f", count: 60) + ".log"
        try dir.write("src/\(folder)/\(file)", "2024-05-01T12:00:00Z INFO hello\n")
        let path = dir.path + "/long.tar"
        try runProgram(tool("tar"), ["--format=\(format)", "-cf", path, "-C", dir.path + "/src", "\(folder)/\(file)"])
        let (units, problems) = InputDiscovery.discover([path])
        #expect(problems.isEmpty)
        #expect(units.map(\.path) == ["\(path):\(folder)/\(file)"])
        let (records, _, _) = try readLogs(unit: try #require(units.first))
        #expect(records.map(\.message) == ["hello"])
    }

    @Test("an archive cut inside a member: the member's lines before the cut are read, the cut line is skipped")
    func truncatedArchive() throws {
        let dir = try TempDirectory()
        let text = jsonLines("big", count: 400)
        try dir.write("src/big.log", text)
        let full = dir.path + "/full.tar"
        try runProgram(tool("tar"), ["-cf", full, "-C", dir.path + "/src", "big.log"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: full)))
        // Header (512 bytes) plus about half the member, cut in the middle of a line.
        let cutAt = 512 + text.utf8.count / 2 + 17
        let path = try dir.write("cut.tar", Array(bytes[0..<cutAt]))
        let (units, problems) = InputDiscovery.discover([path])
        let unit = try #require(units.first)
        #expect(unit.path == "\(path):big.log")
        #expect(problems.map(\.reason) == ["archive ends inside a member"])
        let (records, stats, _) = try readLogs(unit: unit)
        let completeLines = text.utf8.prefix(text.utf8.count / 2 + 17).filter { $0 == 0x0A }.count
        #expect(records.count == completeLines)
        #expect(stats.skipped == 1)
        #expect(stats.errors.contains { $0.line == completeLines + 1 })
        expectBalanced(stats)
    }

    @Test("a file that is not a tar is not taken for one")
    func notATar() {
        #expect(!TarReader.looksLikeHeader([UInt8](repeating: 0x61, count: 512)))
        #expect(!TarReader.looksLikeHeader(Array("short".utf8)))
        var header = [UInt8](repeating: 0, count: 512)
        header.replaceSubrange(257..<262, with: Array("ustar".utf8))
        #expect(!TarReader.looksLikeHeader(header), "ustar magic but a wrong checksum")
    }
}
