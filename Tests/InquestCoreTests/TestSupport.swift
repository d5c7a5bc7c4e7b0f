import Foundation
import Testing
@testable import InquestCore

/// Testing has an `Issue` too; in these tests the name means the library's.
typealias Issue = InquestCore.Issue

/// Where the test data lives: the project's own fixtures next to this file, and the
/// shared real-exporter files at `../shared/formats` beside the package, when present.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let sharedFormats = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared").appendingPathComponent("formats")

    static var hasSharedFormats: Bool {
        FileManager.default.fileExists(atPath: sharedFormats.appendingPathComponent("MANIFEST.tsv").path)
    }

    /// A project fixture, e.g. `fixture("logs/bunyan.log")`.
    static func fixture(_ relative: String) -> String {
        fixtures.appendingPathComponent(relative).path
    }

    static func shared(_ relative: String) -> String {
        sharedFormats.appendingPathComponent(relative).path
    }
}

/// A directory under the system temporary directory, removed when released.
final class TempDirectory {
    let path: String

    init() throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("inquest-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func url(_ name: String) -> URL { URL(fileURLWithPath: path).appendingPathComponent(name) }

    /// Writes `bytes` to `name` (creating folders) and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let u = url(name)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: u)
        return u.path
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs a program to completion and returns its standard output. Output is drained
/// before waiting, so large outputs do not deadlock.
@discardableResult
func runProgram(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw ProcessFailure(description: "\(executable) \(arguments) exited with \(p.terminationStatus)")
    }
    return data
}

/// A system tool in /bin or /usr/bin (Linux has both; macOS only the latter for gzip).
func tool(_ name: String) -> String {
    ["/bin/" + name, "/usr/bin/" + name].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/" + name
}

/// Compresses bytes into one gzip member with gzip(1) (no file name in the header,
/// so the deflate data starts at offset 10).
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let dir = try TempDirectory()
    let path = try dir.write("plain", bytes)
    return [UInt8](try runProgram(tool("gzip"), ["-c", "-n", path]))
}

func gzipped(_ text: String) throws -> [UInt8] { try gzipped(Array(text.utf8)) }

/// The single input unit for a file path (a tar archive gives several: use `units`).
func singleUnit(_ path: String, limits: InputLimits = InputLimits()) throws -> InputUnit {
    let (units, problems) = InputDiscovery.discover([path], limits: limits)
    #expect(problems.isEmpty, "discovery problems: \(problems)")
    return try #require(units.count == 1 ? units.first : nil, "expected one unit for \(path), got \(units.map(\.path))")
}

/// All records of a log input, with the statistics after reading to the end.
func readLogs(_ path: String, needs: RecordNeeds = .all, syslogYear: Int? = nil,
              format: DetectedFormat? = nil, limits: InputLimits = InputLimits()) throws -> (records: [LogRecord], stats: InputStats, format: DetectedFormat) {
    try readLogs(unit: singleUnit(path, limits: limits), needs: needs, syslogYear: syslogYear, format: format)
}

func readLogs(unit: InputUnit, needs: RecordNeeds = .all, syslogYear: Int? = nil,
              format: DetectedFormat? = nil) throws -> (records: [LogRecord], stats: InputStats, format: DetectedFormat) {
    let reader = try LogReader(unit: unit, format: format, needs: needs, syslogYear: syslogYear)
    var records: [LogRecord] = []
    while let r = reader.next() { records.append(r) }
    return (records, reader.stats, reader.format)
}

func readSpans(_ path: String) throws -> SpanReader.Result {
    try SpanReader.read(unit: singleUnit(path))
}

/// Checks the accounting rule every input must keep.
func expectBalanced(_ stats: InputStats, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(stats.records == stats.parsed + stats.skipped,
            "\(stats.path): records \(stats.records) != parsed \(stats.parsed) + skipped \(stats.skipped)",
            sourceLocation: sourceLocation)
}

/// A source that hands out at most `step` bytes a read, to split lines across reads.
final class ChunkedSource: ByteSource {
    let bytes: [UInt8]
    let step: Int
    var offset = 0
    init(_ bytes: [UInt8], step: Int) { self.bytes = bytes; self.step = max(1, step) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n = min(buffer.count, step, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// Reads everything from a source, collecting the gaps it reports.
func drain(_ source: any ByteSource, step: Int = 1 << 16) throws -> (bytes: [UInt8], gaps: [Issue]) {
    var out: [UInt8] = []
    var gaps: [Issue] = []
    var buffer = [UInt8](repeating: 0, count: step)
    while true {
        let n = try source.read(into: &buffer, offset: 0, count: step)
        if let g = source.takeBreak() { gaps.append(g) }
        if n == 0 { break }
        out.append(contentsOf: buffer[0..<n])
    }
    if let g = source.takeBreak() { gaps.append(g) }
    return (out, gaps)
}

/// Parses one line with a line format, as the reader would.
func parseLine(_ format: some LineFormat, _ text: String, context: inout ParseContext) -> (LineResult, LogRecord) {
    var r = LogRecord()
    var bytes = Array(text.utf8)
    let result = bytes.withUnsafeMutableBufferPointer { b in
        format.parse(UnsafeBufferPointer(b), into: &r, context: &context)
    }
    return (result, r)
}

func parseLine(_ format: some LineFormat, _ text: String) -> (LineResult, LogRecord) {
    var context = ParseContext()
    return parseLine(format, text, context: &context)
}

extension LogRecord {
    var time: String? { timestamp?.rfc3339() }
    func field(_ key: String) -> String? { fields.first(where: { $0.key == key })?.value }
}

/// A small deterministic generator, so damaged inputs are the same on every run
/// (the simulator's SplitMix64).
typealias SplitMix64 = SimRandom
