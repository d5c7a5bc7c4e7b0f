import Foundation

/// One file of a simulated incident, with what the ground truth says about it.
public struct SimulatedFile: Sendable {
    /// A member of a tar archive.
    public struct Member: Sendable {
        public var name: String
        public var records: Int
        public var bytes: Int
    }

    /// Path relative to the output directory (`spans/otlp.json`).
    public var path: String
    public var bytes: [UInt8]
    /// `logs`, `spans` or `ground-truth`.
    public var kind: String
    /// The format name `--log-format` and `inspect` use (`access`, `json`, `jaeger`…).
    public var format: String
    public var compression: Compression
    /// The service whose records the file holds; nil for span dumps and the ground truth.
    public var service: String?
    /// Log records (a record with its stack trace counts once) or spans.
    public var records: Int
    /// Traces in a span dump.
    public var traces: Int
    /// Gzip members (1 for a plain gzip file), 0 when not gzip.
    public var gzipMembers: Int
    public var members: [Member]
    /// What flavour of the format this is, for people reading the ground truth.
    public var note: String

    init(path: String, bytes: [UInt8], kind: String, format: String, compression: Compression = .none,
         service: String? = nil, records: Int, traces: Int = 0, gzipMembers: Int = 0, members: [Member] = [], note: String) {
        self.path = path; self.bytes = bytes; self.kind = kind; self.format = format
        self.compression = compression; self.service = service; self.records = records; self.traces = traces
        self.gzipMembers = gzipMembers; self.members = members; self.note = note
    }
}

extension SimulatedFile {
    /// Writes `files` under `directory` (created when missing), replacing files of the
    /// same names and leaving other files alone.
    static func write(_ files: [SimulatedFile], to directory: String) throws(Simulator.Failure) {
        let fm = FileManager.default
        for f in files {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(f.path)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(f.bytes).write(to: url, options: .atomic)
            } catch {
                throw Simulator.Failure(message: "\(url.path): \(error.localizedDescription)")
            }
        }
    }
}
