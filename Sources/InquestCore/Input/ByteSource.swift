import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of bytes read in large blocks: a file, standard input, a decompressor,
/// a tar member.
///
/// Problems that do not stop the stream (a corrupt gzip member skipped, a truncated
/// archive) are reported through `takeBreak()` at the point where bytes went missing,
/// so the line reader can count the record that straddles the gap as skipped.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
    /// Returns, once, a problem that happened before the bytes of the next `read`:
    /// data between the previous read and the next one is missing.
    func takeBreak() -> Issue?
    /// True once the stream ended early (truncated compressed data or archive).
    var endedEarly: Bool { get }
    /// Releases what reading holds (a decompression thread) when a reader stops early;
    /// passed on to the source this one reads from.
    func close()
}

extension ByteSource {
    public func takeBreak() -> Issue? { nil }
    public var endedEarly: Bool { false }
    public func close() {}
}

/// Why an input could not be read at all.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }

    static func errno(_ path: String, _ what: String) -> InputError {
        InputError(path: path, message: "\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// A file descriptor read with `read(2)`, retrying on `EINTR`.
public final class FileSource: ByteSource {
    let fd: Int32
    let path: String
    let ownsDescriptor: Bool

    /// Opens `path` for reading.
    public init(path: String) throws(InputError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError.errno(path, "cannot open") }
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
    }

    /// Reads from an already open descriptor (standard input).
    public init(descriptor: Int32, path: String) {
        self.fd = descriptor
        self.path = path
        self.ownsDescriptor = false
    }

    deinit { if ownsDescriptor { Glibc.close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 { return n }
            if Glibc.errno == EINTR { continue }
            throw InputError.errno(path, "read failed")
        }
    }

    /// Skips `count` bytes forward, by seeking when the descriptor allows it.
    func skip(_ count: Int64) -> Bool {
        lseek(fd, off_t(count), SEEK_CUR) >= 0
    }
}

/// Replays bytes already read (while sniffing) before reading on from `rest`.
///
/// Gaps the source reported while those bytes were read (`readHead`) are reported
/// again at the same offsets, so a line cut by a corrupt gzip member near the start
/// of an input is skipped rather than glued to the line after the gap.
public final class ReplaySource: ByteSource {
    var prefix: [UInt8]
    var offset = 0
    let rest: any ByteSource
    var gaps: [(offset: Int, issue: Issue)]
    var pending: Issue?

    public init(prefix: [UInt8], rest: any ByteSource, gaps: [(offset: Int, issue: Issue)] = []) {
        self.prefix = prefix
        self.rest = rest
        self.gaps = gaps
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while let g = gaps.first, g.offset <= offset {
            if pending == nil { pending = g.issue }
            gaps.removeFirst()
        }
        if offset < prefix.count {
            var n = min(buffer.count, prefix.count - offset)
            if let g = gaps.first { n = min(n, g.offset - offset) }
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
            }
            offset += n
            if offset == prefix.count && gaps.isEmpty { prefix = [] ; offset = 0 }
            return n
        }
        if gaps.isEmpty && !prefix.isEmpty { prefix = []; offset = 0 }
        return try rest.read(into: buffer)
    }

    public func takeBreak() -> Issue? {
        if let p = pending { pending = nil; return p }
        return rest.takeBreak()
    }
    public var endedEarly: Bool { rest.endedEarly }
    public func close() { rest.close() }
}

/// An in-memory byte source, for tests and for spooled input.
public final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

extension ByteSource {
    /// Reads into `array[offset..<offset+count]`; returns the bytes read (0 at the end).
    public func read(into array: inout [UInt8], offset: Int, count: Int) throws(InputError) -> Int {
        precondition(offset >= 0 && offset + count <= array.count)
        var failure: InputError?
        let n = array.withUnsafeMutableBytes { b -> Int in
            do {
                return try self.read(into: UnsafeMutableRawBufferPointer(rebasing: b[offset..<(offset + count)]))
            } catch {
                failure = (error as? InputError) ?? InputError(path: "", message: "\(error)")
                return 0
            }
        }
        if let failure { throw failure }
        return n
    }

    /// Reads like `readFully`, and keeps where the source reported gaps (offsets in
    /// the bytes returned), for a `ReplaySource` to report them at the same place.
    public func readHead(upTo count: Int) throws(InputError) -> (bytes: [UInt8], gaps: [(offset: Int, issue: Issue)]) {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        var gaps: [(offset: Int, issue: Issue)] = []
        while got < count {
            let n = try read(into: &out, offset: got, count: count - got)
            if let g = takeBreak() { gaps.append((got, g)) }
            if n == 0 { break }
            got += n
        }
        out.removeLast(count - got)
        return (out, gaps)
    }

    /// Reads until `count` bytes or the end; returns what it got.
    public func readFully(upTo count: Int) throws(InputError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = try read(into: &out, offset: got, count: count - got)
            if n == 0 { break }
            got += n
        }
        out.removeLast(count - got)
        return out
    }
}

/// Reads a slice of a file on every core at once, each thread with `pread` on its part.
enum ParallelRead {
    struct Target: @unchecked Sendable { let base: UnsafeMutableRawPointer }

    /// Fills `buffer[from..<to]` with the file's bytes at the same offsets; false on any
    /// error or short read (the caller then reads the ordinary way, from `from`).
    static func fill(path: String, into buffer: UnsafeMutableRawBufferPointer, from: Int, to: Int) -> Bool {
        guard let base = buffer.baseAddress, from <= to, to <= buffer.count else { return false }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let target = Target(base: base)
        let ok = ResultBox<Bool>(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = from + (to - from) * k / parts, hi = from + (to - from) * (k + 1) / parts
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { ok.set(k, false); return }
            defer { Glibc.close(fd) }
            var at = lo
            while at < hi {
                let n = pread(fd, target.base + at, hi - at, off_t(at))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok.set(k, false); return }
                at += n
            }
            ok.set(k, true)
        }
        let results = ok.values
        return results.count == parts && results.allSatisfy { $0 }
    }
}
