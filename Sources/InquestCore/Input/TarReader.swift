/// Reads a tar archive (ustar, GNU and pax headers) member by member from a stream.
///
/// Only regular files are returned; directories, links and devices are passed over.
/// Long names from GNU `L` entries and pax `path` records are honoured. Each member
/// is a `ByteSource` bounded to its size; reading the next header skips whatever of
/// the previous member was not read. A checksum mismatch or a short archive ends the
/// walk with an issue rather than an error.
public final class TarReader {
    public struct Member {
        public var name: String
        public var size: Int64
        public var index: Int
    }

    let source: any ByteSource
    var remaining: Int64 = 0   // bytes of the current member not yet read
    var padding: Int64 = 0     // padding after the current member
    public private(set) var issues: [Issue] = []
    public private(set) var endedEarly = false
    var count = 0

    public init(source: any ByteSource) { self.source = source }

    /// Checks that a 512-byte block is a tar header (ustar magic or a valid checksum).
    public static func looksLikeHeader(_ block: [UInt8]) -> Bool {
        guard block.count >= 512 else { return false }
        if block[257..<262].elementsEqual("ustar".utf8) { return checksumOK(block) }
        return false
    }

    static func checksumOK(_ h: [UInt8]) -> Bool {
        var sum = 0
        for i in 0..<512 { sum += (i >= 148 && i < 156) ? 32 : Int(h[i]) }
        guard let stored = octal(h[148..<156]) else { return false }
        return Int64(sum) == stored
    }

    static func octal(_ field: ArraySlice<UInt8>) -> Int64? {
        if let first = field.first, first & 0x80 != 0 {
            // GNU base-256 for sizes over 8 GiB.
            var v: Int64 = Int64(first & 0x7F)
            for b in field.dropFirst() {
                let (m, o) = v.multipliedReportingOverflow(by: 256)
                if o { return nil }
                v = m | Int64(b)
            }
            return v
        }
        var v: Int64 = 0
        var seen = false
        for b in field {
            if b == 0 || b == 32 { if seen { break } else { continue } }
            guard b >= 48 && b <= 55 else { return nil }
            seen = true
            let (m, o) = v.multipliedReportingOverflow(by: 8)
            if o { return nil }
            v = m + Int64(b - 48)
        }
        return v
    }

    static func string(_ field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    private func skip(_ n: Int64) throws(InputError) -> Bool {
        var left = n
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while left > 0 {
            let want = Int(min(left, Int64(scratch.count)))
            let got = try source.read(into: &scratch, offset: 0, count: want)
            if got == 0 { return false }
            left -= Int64(got)
        }
        return true
    }

    private func readData(_ n: Int64, limit: Int64 = 1 << 20) throws(InputError) -> [UInt8]? {
        guard n <= limit else { return nil }
        let bytes = try source.readFully(upTo: Int(n))
        return bytes.count == Int(n) ? bytes : nil
    }

    /// The next regular-file member, or nil at the end of the archive.
    public func nextMember() throws(InputError) -> Member? {
        if remaining + padding > 0 {
            guard try skip(remaining + padding) else { endedEarly = true; issues.append(Issue(line: 0, reason: "archive ends inside a member")); return nil }
            remaining = 0; padding = 0
        }
        var longName: String?
        while true {
            let h = try source.readFully(upTo: 512)
            if h.isEmpty { return nil }
            guard h.count == 512 else { endedEarly = true; issues.append(Issue(line: 0, reason: "archive ends inside a header")); return nil }
            if h.allSatisfy({ $0 == 0 }) { return nil }
            guard Self.checksumOK(h), let size = Self.octal(h[124..<136]), size >= 0, size <= Int64.max - 1024 else {
                endedEarly = true
                issues.append(Issue(line: 0, reason: "bad tar header after member \(count); the rest of the archive is skipped"))
                return nil
            }
            let pad = (512 - size % 512) % 512
            let type = h[156]
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"):
                guard let data = try readData(size) else {
                    endedEarly = true; issues.append(Issue(line: 0, reason: "oversized or cut tar extended header")); return nil
                }
                _ = try skip(pad)
                if type == UInt8(ascii: "L") {
                    longName = Self.string(data[...])
                } else if let path = Self.paxPath(data) {
                    longName = path
                }
                continue
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                var name = Self.string(h[0..<100])
                if h[257..<262].elementsEqual("ustar".utf8) {
                    let prefix = Self.string(h[345..<500])
                    if !prefix.isEmpty { name = prefix + "/" + name }
                }
                if let ln = longName { name = ln }
                remaining = size
                padding = pad
                count += 1
                return Member(name: name, size: size, index: count - 1)
            default:
                guard try skip(size + pad) else { endedEarly = true; return nil }
                longName = nil
            }
        }
    }

    static func paxPath(_ data: [UInt8]) -> String? {
        // Records: "LEN key=value\n".
        let text = String(decoding: data, as: UTF8.self)
        for rec in text.split(separator: "\n") {
            guard let sp = rec.firstIndex(of: " ") else { continue }
            let kv = rec[rec.index(after: sp)...]
            if kv.hasPrefix("path=") { return String(kv.dropFirst(5)) }
        }
        return nil
    }

    /// The current member's bytes as a source.
    public func memberSource() -> any ByteSource { MemberSource(tar: self) }

    final class MemberSource: ByteSource {
        let tar: TarReader
        var cut = false
        init(tar: TarReader) { self.tar = tar }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            guard tar.remaining > 0 else { return 0 }
            let want = Int(min(Int64(buffer.count), tar.remaining))
            let n = try tar.source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            if n == 0 { cut = true; tar.endedEarly = true; tar.remaining = 0; tar.padding = 0; return 0 }
            tar.remaining -= Int64(n)
            return n
        }
        func takeBreak() -> Issue? {
            if let b = tar.source.takeBreak() { return b }
            if cut { cut = false; return Issue(line: 0, reason: "archive ends inside this member") }
            return nil
        }
        var endedEarly: Bool { tar.endedEarly || tar.source.endedEarly }
        func close() { tar.source.close() }
    }
}
