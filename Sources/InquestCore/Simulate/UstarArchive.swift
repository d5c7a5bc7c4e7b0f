/// Builds a POSIX ustar archive in memory: a 512-byte header per member (octal
/// fields, checksum), the data padded to 512 bytes, and two zero blocks at the end.
///
/// Members are regular files owned by root with mode 0644 and the modification time
/// given, so an archive is a pure function of its members.
public struct UstarArchive {
    public private(set) var bytes: [UInt8] = []
    private var finished = false

    public init() {}

    /// Why a member could not be added.
    public enum Problem: Error, Sendable {
        case nameTooLong(String)
        case alreadyFinished
    }

    /// Appends a regular file. Names up to 100 bytes (no prefix splitting is needed
    /// for the flat archives the simulator writes).
    public mutating func add(name: String, contents: [UInt8], modified: Int64, mode: Int = 0o644) throws(Problem) {
        guard !finished else { throw .alreadyFinished }
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 100 else { throw .nameTooLong(name) }
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: [UInt8], at offset: Int) { for (i, b) in s.enumerated() { h[offset + i] = b } }
        func octal(_ v: Int64, width: Int) -> [UInt8] {
            // width - 1 digits and a NUL, as GNU tar writes them.
            var s = String(max(v, 0), radix: 8)
            while s.count < width - 1 { s = "0" + s }
            return Array(s.utf8) + [0]
        }
        put(nameBytes, at: 0)
        put(octal(Int64(mode), width: 8), at: 100)
        put(octal(0, width: 8), at: 108)             // uid
        put(octal(0, width: 8), at: 116)             // gid
        put(octal(Int64(contents.count), width: 12), at: 124)
        put(octal(modified, width: 12), at: 136)
        put(Array("        ".utf8), at: 148)         // checksum counts as spaces
        h[156] = 0x30                                // '0': regular file
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(Array("root".utf8), at: 265)             // uname
        put(Array("root".utf8), at: 297)             // gname
        let sum = h.reduce(0) { $0 + Int($1) }
        var cs = String(sum, radix: 8)
        while cs.count < 6 { cs = "0" + cs }
        put(Array(cs.utf8) + [0, 0x20], at: 148)
        bytes += h
        bytes += contents
        let pad = (512 - contents.count % 512) % 512
        bytes += [UInt8](repeating: 0, count: pad)
    }

    /// Ends the archive with two zero blocks and returns it.
    public mutating func finish() -> [UInt8] {
        if !finished {
            bytes += [UInt8](repeating: 0, count: 1024)
            finished = true
        }
        return bytes
    }
}
