import Foundation
import Testing

/// Runs the built `inquest` binary and captures what it printed.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

final class DataBox: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}

enum CLI {
    /// The package root, found from this file's path.
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var sampleData: String { root.appendingPathComponent("SampleData").path }
    static var sharedFormats: String { root.deletingLastPathComponent().appendingPathComponent("shared/formats").path }
    static var hasSharedFormats: Bool { FileManager.default.fileExists(atPath: sharedFormats) }

    static let setpriv = "/usr/bin/setpriv"
    /// Whether permissions can be tested: not root, or root with setpriv to drop to nobody.
    static var canTestPermissions: Bool { geteuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv) }

    /// The newest built binary among the debug and release products.
    static let binary: String? = {
        let fm = FileManager.default
        var candidates: [String] = []
        let build = root.appendingPathComponent(".build")
        for config in ["debug", "release"] {
            candidates.append(build.appendingPathComponent(config).appendingPathComponent("inquest").path)
        }
        if let triples = try? fm.contentsOfDirectory(atPath: build.path) {
            for t in triples {
                for config in ["debug", "release"] {
                    candidates.append(build.appendingPathComponent(t).appendingPathComponent(config).appendingPathComponent("inquest").path)
                }
            }
        }
        let existing = candidates.filter { fm.isExecutableFile(atPath: $0) }
        return existing.max { a, b in
            let da = (try? fm.attributesOfItem(atPath: a)[.modificationDate] as? Date) ?? .distantPast
            let db = (try? fm.attributesOfItem(atPath: b)[.modificationDate] as? Date) ?? .distantPast
            return da < db
        }
    }()

    /// Runs `inquest args…`, feeding `stdin` when given. Pipes are drained before waiting
    /// for the exit, so large outputs cannot deadlock.
    /// With `asNobody` (when running as root), the binary runs as user nobody through
    /// setpriv, so that file permissions apply to it.
    static func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:], asNobody: Bool = false) throws -> CLIResult {
        let bin = try #require(binary, "build the inquest binary first (swift build)")
        let p = Process()
        if asNobody {
            p.executableURL = URL(fileURLWithPath: setpriv)
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", bin] + args
        } else {
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = args
        }
        p.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            let w = input.fileHandleForWriting
            DispatchQueue.global().async {
                w.write(stdin)
                try? w.close()
            }
        }
        // Drain stderr on another thread while this one drains stdout.
        let errBox = DataBox()
        let errReader = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errBox.done.signal() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errBox.done.wait()
        let errData = errBox.data
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }
}
