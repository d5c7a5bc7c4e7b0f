import Foundation
import Testing
@testable import InquestCore

/// Replays every input under `Fixtures/fuzz/TARGET/` through that fuzz target: inputs
/// fuzzers crashed on once, and hand-made hostile ones. A target checks its own
/// invariants (nothing lost) and traps when one breaks, so a regression fails the run.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static var inputs: [(target: String, file: String)] {
        let root = TestPaths.fixtures.appendingPathComponent("fuzz")
        let fm = FileManager.default
        var result: [(String, String)] = []
        for dir in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            for file in ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []).sorted() {
                result.append((dir, root.appendingPathComponent(dir).appendingPathComponent(file).path))
            }
        }
        return result
    }

    @Test("every target name under Fixtures/fuzz is a target, and there are inputs")
    func layout() {
        let inputs = Self.inputs
        #expect(inputs.count >= 10)
        for i in inputs { #expect(FuzzTarget(rawValue: i.target) != nil, "\(i.target) is not a fuzz target") }
    }

    @Test("each saved input runs through its target (and through detection) without a trap")
    func replay() throws {
        for input in Self.inputs {
            guard let target = FuzzTarget(rawValue: input.target) else { continue }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: input.file)))
            target.run(bytes)
            FuzzTarget.detect.run(bytes)
        }
    }
}
