#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes `range` of a plain file, read with `pread` (one core's share of a large file).
final class FileSliceSource: ByteSource {
    let fd: Int32
    let path: String
    var at: Int64
    let end: Int64

    init(path: String, range: Range<Int64>) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError.errno(path, "cannot open") }
        self.fd = fd
        self.path = path
        self.at = range.lowerBound
        self.end = range.upperBound
    }

    deinit { Glibc.close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0, at < end else { return 0 }
        let want = Int(min(Int64(buffer.count), end - at))
        while true {
            let n = pread(fd, base, want, off_t(at))
            if n >= 0 { at += Int64(n); return n }
            if errno == EINTR { continue }
            throw InputError.errno(path, "read failed")
        }
    }
}

/// Where to cut a plain file into parts that start at line starts.
enum LineCuts {
    /// The starts of `parts` slices of the file's `size` bytes, each at the beginning of a
    /// line (the byte after a newline), from 0; nil when the file cannot be read or a
    /// slice would hold no line start (a file of a few very long lines).
    static func starts(path: String, size: Int64, parts: Int) -> [Int64]? {
        guard parts > 1, size > 0 else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let window = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: window, alignment: 16)
        defer { buffer.deallocate() }
        var starts: [Int64] = [0]
        for k in 1..<parts {
            // The first newline at or after the nominal cut, looked for in 64 KiB windows
            // up to the next nominal cut.
            var from = size * Int64(k) / Int64(parts) - 1
            let limit = size * Int64(k + 1) / Int64(parts)
            var found: Int64?
            while found == nil && from < limit {
                let n = pread(fd, buffer, window, off_t(from))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return nil }
                if let nl = memchr(buffer, 0x0A, n) { found = from + Int64(buffer.distance(to: nl)) + 1 }
                from += Int64(n)
            }
            guard let cut = found, cut > starts[starts.count - 1], cut < size else { return nil }
            starts.append(cut)
        }
        return starts
    }
}

extension InputUnit {
    /// The part `range` of this plain file as an input of its own, shown under the same path.
    func slice(_ range: Range<Int64>) -> InputUnit {
        let u = InputUnit(path: path, origin: origin, compression: compression, limits: limits)
        u.byteRange = range
        return u
    }
}
