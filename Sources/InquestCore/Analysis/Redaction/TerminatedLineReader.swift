#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines and tells how each ended (`\n`, `\r\n`, or not
/// at all), so a rewritten file keeps its bytes exactly.
///
/// `LineReader` serves the readers, which want a line's content only: it drops the
/// `\r` and does not say whether the last line had a newline. Redaction must write
/// back every byte it does not replace, so it reads with this one. Memory is bounded
/// by `maxLineBytes`: a longer line is reported as `.tooLong` (with its terminator)
/// without being held; a line cut by a gap in the stream (a damaged gzip member) is
/// reported as `.cut` and its bytes before the gap are dropped.
struct TerminatedLineReader: ~Copyable {
    enum Event {
        case line(UnsafeBufferPointer<UInt8>, terminator: Terminator)
        case tooLong(terminator: Terminator)
        case cut(reason: String)
    }

    enum Terminator {
        case none, lf, crlf
        var bytes: [UInt8] {
            switch self {
            case .none: return []
            case .lf: return [0x0A]
            case .crlf: return [0x0D, 0x0A]
            }
        }
    }

    let source: any ByteSource
    var buffer: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var start = 0, end = 0, scanFrom = 0
    var eof = false
    var discarding = false
    let maxLineBytes: Int

    init(source: any ByteSource, chunkSize: Int = 1 << 20, maxLineBytes: Int) {
        self.source = source
        self.maxLineBytes = max(maxLineBytes, 16)
        self.capacity = max(64, min(chunkSize, self.maxLineBytes + 2))
        self.buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    mutating func next() throws(InputError) -> Event? {
        while true {
            if scanFrom < end, let nl = memchr(buffer + scanFrom, 0x0A, end - scanFrom) {
                let at = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                let crlf = at > start && buffer[at - 1] == 0x0D
                let contentEnd = crlf ? at - 1 : at
                let s = start
                start = at + 1; scanFrom = start
                if discarding {
                    discarding = false
                    return .tooLong(terminator: crlf ? .crlf : .lf)
                }
                if contentEnd - s > maxLineBytes { return .tooLong(terminator: crlf ? .crlf : .lf) }
                return .line(UnsafeBufferPointer(start: buffer + s, count: contentEnd - s), terminator: crlf ? .crlf : .lf)
            }
            scanFrom = end
            if eof {
                if discarding { discarding = false; start = end; return .tooLong(terminator: .none) }
                guard start < end else { return nil }
                let s = start
                start = end
                if end - s > maxLineBytes { return .tooLong(terminator: .none) }
                return .line(UnsafeBufferPointer(start: buffer + s, count: end - s), terminator: .none)
            }
            if let cut = try refill() { return cut }
        }
    }

    private mutating func refill() throws(InputError) -> Event? {
        if start > 0 {
            let n = end - start
            if n > 0 { memmove(buffer, buffer + start, n) }
            scanFrom -= start; end = n; start = 0
        }
        if end == capacity {
            if discarding || capacity >= maxLineBytes + 2 {
                // Keep a trailing \r so that a CRLF split across reads is still seen.
                let keepCR = buffer[end - 1] == 0x0D
                discarding = true
                end = 0; scanFrom = 0
                if keepCR { buffer[0] = 0x0D; end = 1; scanFrom = 1 }
            } else {
                let grown = min(capacity * 2, maxLineBytes + 2)
                let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
                nb.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = nb
                capacity = grown
            }
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        var event: Event?
        if let gap = source.takeBreak(), end > 0 || discarding {
            if n > 0 { memmove(buffer, buffer + end, n) }
            end = 0; scanFrom = 0; start = 0
            discarding = false
            event = .cut(reason: gap.reason)
        }
        if n == 0 { eof = true } else { end += n }
        return event
    }
}
