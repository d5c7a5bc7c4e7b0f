#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an input's bytes were stored.
public enum Compression: String, Sendable {
    case none, gzip, tar
    case tarGzip = "tar.gz"
}

/// One readable stream of records: a file, standard input, or one member of a tar
/// archive (`archive.tar.gz:member`). `open()` returns its decompressed bytes and can
/// be called again for files and archive members (not for standard input).
public final class InputUnit: @unchecked Sendable {
    public enum Origin: Sendable {
        case file(String)
        case tarMember(archive: String, index: Int, name: String)
        /// Bytes already in memory (fuzzing, tests, converted data), shown under a name.
        case memory([UInt8])
    }

    /// The path shown to users.
    public let path: String
    public let origin: Origin
    public internal(set) var compression: Compression
    /// Limits applied while reading.
    public internal(set) var limits: InputLimits
    /// Only these bytes of a plain file (a slice read on one core), when set.
    public internal(set) var byteRange: Range<Int64>?

    init(path: String, origin: Origin, compression: Compression, limits: InputLimits) {
        self.path = path
        self.origin = origin
        self.compression = compression
        self.limits = limits
    }

    /// An input held in memory; gzip and formats are detected as for a file.
    public static func memory(_ bytes: [UInt8], name: String, limits: InputLimits = InputLimits()) -> InputUnit {
        InputUnit(path: name, origin: .memory(bytes), compression: bytes.starts(with: [0x1f, 0x8b]) ? .gzip : .none, limits: limits)
    }

    /// The name used to guess a service when records do not carry one: the file name
    /// without directories, rotation suffixes and extensions (`payment.log.2.gz` → `payment`).
    public var stem: String {
        let name: Substring
        switch origin {
        case .file, .memory: name = path.split(separator: "/").last ?? Substring(path)
        case .tarMember(_, _, let n): name = n.split(separator: "/").last ?? Substring(n)
        }
        var parts = name.split(separator: ".", omittingEmptySubsequences: false)
        // Compared as a list, digits as ASCII: a set of strings and `Character.isNumber`
        // cost more to set up (once a file) than the whole rest of opening it.
        let dropped = ["gz", "log", "json", "jsonl", "ndjson", "txt", "out", "err", "tar", "tgz", "logfmt", "csv", "tsv"]
        while parts.count > 1, let last = parts.last,
              last.isEmpty || last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) || dropped.contains(where: { $0.utf8.elementsEqual(last.utf8) }) {
            parts.removeLast()
        }
        var s = parts.joined(separator: ".")
        // Common rotation and stream suffixes: app-2024-01-02, app_access, app-json.
        for suffix in ["-access", "_access", "-error", "_error", ".access", ".error"] where s.hasSuffix(suffix) && s.count > suffix.count {
            s.removeLast(suffix.count)
        }
        return s.isEmpty ? String(name) : s
    }

    /// The year the input was last modified (local files), for formats without a year (syslog).
    public var modificationYear: Int? {
        modificationTime.map { Calendar.civil(fromDays: $0.floorDiv(86_400)).0 }
    }

    /// When the input (or its archive) was last modified, in seconds since the epoch;
    /// nil for standard input (its spool file was written just now, which says nothing
    /// about when its records were).
    public var modificationTime: Int64? {
        if path == "-" || path.hasPrefix("-:") { return nil }
        let file: String
        switch origin {
        case .file(let p): file = p
        case .tarMember(let a, _, _): file = a
        case .memory: return nil
        }
        var st = stat()
        guard stat(file, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }

    /// The file's size when it is stored uncompressed (to size buffers once).
    public var uncompressedSizeHint: Int64? {
        guard compression == .none, case .file(let p) = origin else { return nil }
        var st = stat()
        return stat(p, &st) == 0 ? Int64(st.st_size) : nil
    }

    /// The service to assume for records without one: the file's stem; none for standard input.
    public var serviceFromName: String? {
        if path == "-" { return nil }
        return stem
    }

    /// Opens the decompressed stream. Gzip is detected from its magic bytes, and a
    /// gzip stream is decompressed on a second thread.
    public func open() throws(InputError) -> any ByteSource {
        switch origin {
        case .file(let p):
            if let r = byteRange { return try FileSliceSource(path: p, range: r) }
            let raw = try FileSource(path: p)
            return try Self.decompressing(raw, path: p, limits: limits)
        case .tarMember(let archive, let index, _):
            let raw = try FileSource(path: archive)
            let outer = try Self.decompressing(raw, path: archive, limits: limits)
            let tar = TarReader(source: outer)
            while let m = try tar.nextMember() {
                if m.index == index {
                    return try Self.decompressing(tar.memberSource(), path: path, limits: limits)
                }
            }
            throw InputError(path: path, message: "member not found on second reading of the archive")
        case .memory(let bytes):
            return try Self.decompressing(MemorySource(bytes), path: path, limits: limits)
        }
    }

    /// Wraps `raw` in a gzip decoder when it starts with the gzip magic.
    static func decompressing(_ raw: any ByteSource, path: String, limits: InputLimits) throws(InputError) -> any ByteSource {
        let head = try raw.readFully(upTo: 2)
        let replay = ReplaySource(prefix: head, rest: raw)
        if head.count == 2 && head[0] == 0x1f && head[1] == 0x8b {
            let gz = try GzipSource(input: replay, path: path)
            gz.maxOutput = limits.maxDecompressedBytes
            gz.maxRatio = limits.maxCompressionRatio
            return PrefetchSource(gz, blockSize: limits.blockSize)
        }
        return replay
    }
}

/// Limits that keep hostile input from exhausting memory or time.
public struct InputLimits: Sendable {
    /// Longest line kept; the rest of a longer line is skipped and counted.
    public var maxLineBytes = 8 << 20
    /// Most bytes one gzip stream may expand to (a gzip bomb guard).
    public var maxDecompressedBytes: Int64 = 1 << 40
    /// Most times a gzip stream may expand its compressed size (checked past 64 MiB).
    public var maxCompressionRatio: Int64 = 1000
    /// Most files taken from one directory walk.
    public var maxFiles = 100_000
    /// Deepest JSON nesting parsed.
    public var maxJSONDepth = 256
    /// Largest single JSON document (a span dump) held in memory.
    public var maxDocumentBytes = 4 << 30
    /// Size of read blocks; smaller when many inputs are open at once (a merge of
    /// hundreds of files), so memory stays bounded by about `blockSize` × 5 an input.
    public var blockSize = 1 << 20
    /// Roles chosen by hand for the columns of tables (`--span-columns trace=Id,…`).
    public var tableColumns: TableSchema.Overrides = [:]
    /// A plain file at least this large is counted in slices on every core (`logs --count`).
    public var sliceBytes: Int64 = 32 << 20
    public init() {}
}
