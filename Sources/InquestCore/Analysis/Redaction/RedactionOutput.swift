import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where rewritten bytes go: a new file, a gzip stream around another sink, or a
/// temporary file holding a tar member until its size is known.
protocol RedactionSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(RedactionError)
    /// Flushes and ends the stream (the gzip trailer); the file stays open until
    /// `close`.
    func finish() throws(RedactionError)
    func close()
}

extension RedactionSink {
    func write(_ bytes: [UInt8]) throws(RedactionError) {
        var failure: RedactionError?
        bytes.withUnsafeBytes { b in
            do throws(RedactionError) { try write(b) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

/// A file created for this run only: `open(2)` with `O_CREAT|O_EXCL` and mode 0600,
/// so an existing file (or a symbolic link planted in its place) is never written
/// through, and nobody but the owner can read what is written. Buffered.
final class FileSink: RedactionSink {
    let fd: Int32
    let path: String
    var buffer: [UInt8] = []
    var closed = false

    /// Creates `path` (its directories too, mode 0700). With `replace`, an existing
    /// regular file is removed first (never followed).
    init(creating path: String, replace: Bool) throws(RedactionError) {
        try Self.makeDirectories(for: path)
        if replace {
            var st = stat()
            if lstat(path, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFREG else { throw RedactionError("\(path) exists and is not a regular file; not replaced") }
                guard unlink(path) == 0 else { throw RedactionError("cannot replace \(path): \(String(cString: strerror(errno)))") }
            }
        }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw RedactionError("\(path) already exists; not overwritten (give --force to replace outputs)") }
            throw RedactionError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        // The umask cannot widen 0600, but make sure of the mode whatever created it.
        _ = fchmod(fd, 0o600)
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    /// An unlinked temporary file, for a tar member whose size is not known yet.
    init(temporaryIn dir: String) throws(RedactionError) {
        var template = Array((dir + "/.inquest-redact-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw RedactionError("cannot create a temporary file in \(dir): \(String(cString: strerror(errno)))") }
        let name = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(name)
        self.fd = fd
        self.path = name
        buffer.reserveCapacity(1 << 20)
    }

    static func makeDirectories(for path: String) throws(RedactionError) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        var dir = path.hasPrefix("/") ? "" : "."
        if path.hasPrefix("/") { parts = parts.dropFirst() }
        for p in parts where !p.isEmpty {
            dir += "/" + p
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw RedactionError("cannot create the directory \(dir): \(String(cString: strerror(errno)))")
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        if buffer.count + bytes.count > 1 << 20 { try flush() }
        if bytes.count >= 1 << 20 { try writeAll(bytes); return }
        buffer.append(contentsOf: bytes)
    }

    func flush() throws(RedactionError) {
        guard !buffer.isEmpty else { return }
        var failure: RedactionError?
        buffer.withUnsafeBytes { b in
            do throws(RedactionError) { try writeAll(b) } catch { failure = error }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    func writeAll(_ b: UnsafeRawBufferPointer) throws(RedactionError) {
        guard let base = b.baseAddress else { return }
        var off = 0
        while off < b.count {
            let n = Glibc.write(fd, base + off, b.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw RedactionError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }

    func finish() throws(RedactionError) { try flush() }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    deinit { close() }

    /// Bytes written so far (after `finish`).
    var size: Int64 { Int64(lseek(fd, 0, SEEK_CUR)) }

    /// Copies this (temporary) file's content from the start into `sink`.
    func copy(to sink: any RedactionSink) throws(RedactionError) {
        try flush()
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw RedactionError("cannot rewind a temporary file: \(String(cString: strerror(errno)))") }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw RedactionError("cannot read a temporary file: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            try sink.write(Array(chunk[0..<n]))
        }
    }
}

/// Compresses into one gzip member as bytes arrive (zlib `deflate`), with the same
/// deterministic header as `GzipEncoding`: no name, time 0, Unix.
final class GzipSink: RedactionSink {
    let inner: any RedactionSink
    let stream: UnsafeMutablePointer<z_stream>
    let header: UnsafeMutablePointer<gz_header>
    var chunk = [UInt8](repeating: 0, count: 1 << 18)
    var ended = false

    init(_ inner: any RedactionSink, level: Int32 = 6) throws(RedactionError) {
        self.inner = inner
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        header = .allocate(capacity: 1)
        header.initialize(to: gz_header())
        guard deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deinitialize(count: 1); stream.deallocate()
            header.deinitialize(count: 1); header.deallocate()
            throw RedactionError("zlib could not start compressing")
        }
        header.pointee.time = 0
        header.pointee.os = 3
        deflateSetHeader(stream, header)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1); stream.deallocate()
        header.deinitialize(count: 1); header.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        guard !bytes.isEmpty else { return }
        try pump(bytes, flush: Z_NO_FLUSH)
    }

    private func pump(_ bytes: UnsafeRawBufferPointer, flush: Int32) throws(RedactionError) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = uInt(bytes.count)
        while true {
            let (rc, produced) = chunk.withUnsafeMutableBufferPointer { buf -> (Int32, Int) in
                stream.pointee.next_out = buf.baseAddress
                stream.pointee.avail_out = uInt(buf.count)
                let rc = deflate(stream, flush)
                return (rc, buf.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 {
                var failure: RedactionError?
                chunk.withUnsafeBytes { b in
                    do throws(RedactionError) { try inner.write(UnsafeRawBufferPointer(rebasing: b[0..<produced])) } catch { failure = error }
                }
                if let failure { throw failure }
            }
            if rc == Z_STREAM_END { return }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { throw RedactionError("zlib failed while compressing (\(rc))") }
            if flush == Z_NO_FLUSH && stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
            if rc == Z_BUF_ERROR && produced == 0 { throw RedactionError("zlib made no progress while compressing") }
        }
    }

    func finish() throws(RedactionError) {
        guard !ended else { return }
        ended = true
        try pump(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        try inner.finish()
    }

    func close() { inner.close() }
}

/// Writes a ustar archive member by member to a sink: regular files with mode 0600,
/// long names as GNU `L` entries (as `TarReader` reads them).
struct TarWriter {
    let sink: any RedactionSink
    let modified: Int64

    func add(name: String, content: FileSink) throws(RedactionError) {
        let size = content.size
        let nameBytes = Array(name.utf8)
        if nameBytes.count > 100 {
            var long = nameBytes
            long.append(0)
            try sink.write(header(name: Array("././@LongLink".utf8), size: Int64(long.count), type: UInt8(ascii: "L")))
            try sink.write(long + padding(Int64(long.count)))
        }
        try sink.write(header(name: Array(nameBytes.prefix(100)), size: size, type: UInt8(ascii: "0")))
        try content.copy(to: sink)
        try sink.write(padding(size))
    }

    func end() throws(RedactionError) {
        try sink.write([UInt8](repeating: 0, count: 1024))
    }

    func padding(_ size: Int64) -> [UInt8] { [UInt8](repeating: 0, count: Int((512 - size % 512) % 512)) }

    func header(name: [UInt8], size: Int64, type: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: [UInt8], at offset: Int) { for (i, b) in s.enumerated() { h[offset + i] = b } }
        func octal(_ v: Int64, width: Int) -> [UInt8] {
            var s = String(max(v, 0), radix: 8)
            while s.count < width - 1 { s = "0" + s }
            return Array(s.utf8.suffix(width - 1)) + [0]
        }
        put(name, at: 0)
        put(octal(0o600, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        if size < 0o77777777777 {
            put(octal(size, width: 12), at: 124)
        } else {
            // GNU base-256 for members of 8 GiB and more.
            h[124] = 0x80
            var v = size
            for i in stride(from: 135, to: 124, by: -1) { h[i] = UInt8(v & 0xFF); v >>= 8 }
        }
        put(octal(modified, width: 12), at: 136)
        put(Array("        ".utf8), at: 148)
        h[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let sum = h.reduce(0) { $0 + Int($1) }
        var cs = String(sum, radix: 8)
        while cs.count < 6 { cs = "0" + cs }
        put(Array(cs.utf8) + [0, 0x20], at: 148)
        return h
    }
}
