import Foundation
import Testing

/// `simulate --fault` with logs and metrics, read back by `inspect` and ranked by `rca`.
@Suite("simulate --fault end to end")
struct SimulateFaultTests {
    func simulate(_ args: [String]) throws -> (dir: String, truth: [String: Any]) {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("inquest-simfault-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)").path
        let r = try CLI.run(["simulate", dir] + args)
        #expect(r.status == 0, "\(r.stderr)")
        let truthPath = dir + ".truth.json"
        // The ground truth is moved out, so that nothing else reads it.
        try FileManager.default.moveItem(atPath: dir + "/ground-truth.json", toPath: truthPath)
        let truth = try #require(try CLI.json(String(contentsOfFile: truthPath, encoding: .utf8)) as? [String: Any])
        return (dir, truth)
    }

    func remove(_ dir: String) {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: dir + ".truth.json")
    }

    @Test func inspectReadsEveryFileAsTheKindItWasWritten() throws {
        for (seed, format) in [("5", "csv"), ("6", "prometheus")] {
            let (dir, truth) = try simulate(["--fault", "exception,cpu-contention", "--seed", seed, "--duration", "30m", "--requests", "200",
                                             "--metric-format", format])
            defer { remove(dir) }
            let files = try #require(truth["files"] as? [[String: Any]])
            #expect(files.contains { $0["kind"] as? String == "logs" } && files.contains { $0["kind"] as? String == "metrics" })
            let r = try CLI.run(["inspect", "--output", "json", dir])
            #expect(r.status == 0, "\(r.stderr)")
            let inputs = try #require((try CLI.json(r.stdout) as? [String: Any])?["inputs"] as? [[String: Any]])
            #expect(inputs.count == files.count)
            for f in files {
                let path = try #require(f["path"] as? String)
                let input = try #require(inputs.first { ($0["path"] as? String)?.hasSuffix("/" + path) == true }, "\(path) not inspected")
                #expect(input["kind"] as? String == f["kind"] as? String, "\(path): \(input["kind"] ?? "?")")
                #expect(input["skipped"] as? Int == 0, "\(path): \(input["errors"] ?? "")")
                #expect(input["records"] as? Int == f["records"] as? Int, "\(path)")
                if f["kind"] as? String == "logs" {
                    #expect(input["format"] as? String == f["format"] as? String, "\(path)")
                    #expect((input["services"] as? [String]) == [f["service"] as? String ?? ""], "\(path)")
                }
                if f["kind"] as? String == "metrics" { #expect((input["series"] as? Int ?? 0) >= 9, "\(path)") }
            }
        }
    }

    @Test func faultOptionsNeedAFault() throws {
        let r = try CLI.run(["simulate", "/tmp/unused-\(UUID().uuidString)", "--fault-rate", "0.1"])
        #expect(r.status == 2 && r.stderr.contains("need --fault"))
        let bad = try CLI.run(["simulate", "/tmp/unused-\(UUID().uuidString)", "--fault", "latency,nope"])
        #expect(bad.status == 2 && bad.stderr.contains("'nope'"))
    }

    /// Two faults whose errors reach the spans: the current method ranks both in its first three.
    @Test(arguments: ["11", "12", "13"])
    func rcaRanksBothCausesOfTwoFaults(_ seed: String) throws {
        let (dir, truth) = try simulate(["--fault", "deep-error,dependency", "--seed", seed, "--requests", "600", "--signals", "spans"])
        defer { remove(dir) }
        let causes = try #require(truth["root_causes"] as? [[String: Any]])
        #expect(causes.count == 2)
        let r = try CLI.run(["rca", "--output", "json", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let candidates = try #require((try CLI.json(r.stdout) as? [String: Any])?["candidates"] as? [[String: Any]])
        let top = candidates.prefix(3).compactMap { $0["service"] as? String }
        for c in causes {
            let accepted = try #require(c["accepted"] as? [String])
            #expect(top.contains { accepted.contains($0) }, "\(c["fault"] ?? "") in \(accepted) not in the top 3: \(top)")
        }
    }
}
