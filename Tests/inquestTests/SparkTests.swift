import Foundation
import Testing

/// A real run under Apache Spark in local mode (examples/spark/inquest_spark.py): each
/// file a task piping it through `inquest … --partial -`, the driver merging. Runs when
/// PySpark (PyPI) and Java are installed.
enum SparkAvailability {
    static let present: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sh", "-c", "command -v java >/dev/null && python3 -c 'import pyspark' 2>/dev/null"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()
}

@Suite("Spark local mode", .enabled(if: SparkAvailability.present, "pyspark or java is absent"))
struct SparkTests {

    func spark(_ args: [String]) throws -> (status: Int32, stdout: String) {
        let bin = try #require(CLI.binary)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", CLI.root.appendingPathComponent("examples/spark/inquest_spark.py").path, "--inquest", bin] + args
        p.currentDirectoryURL = CLI.root
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func depsOnSparkEqualsOneRun() throws {
        let r = try spark(["--kind", "deps", "--output", "json", CLI.sampleData + "/spans"])
        #expect(r.status == 0)
        #expect(r.stdout == (try CLI.run(["deps", "--output", "json", CLI.sampleData])).stdout)
    }

    @Test func reportOnSparkEqualsOneRun() throws {
        let r = try spark(["--kind", "report", "--output", "json", CLI.sampleData])
        #expect(r.status == 0)
        #expect(r.stdout == (try CLI.run(["report", "--output", "json", CLI.sampleData])).stdout)
    }

    @Test func patternsOnSparkEqualOneRun() throws {
        let r = try spark(["--kind", "patterns", "--output", "json", CLI.sampleData])
        #expect(r.status == 0)
        func patterns(_ text: String) throws -> [[String: String]] {
            let doc = try #require(try CLI.json(text) as? [String: Any])
            return (doc["patterns"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "variables" }.mapValues { "\($0)" } }
        }
        let one = try patterns(try CLI.run(["patterns", "--output", "json", CLI.sampleData]).stdout)
        #expect(one.count > 20)
        #expect(try patterns(r.stdout) == one)
    }
}
