#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines, lending each line's bytes without copying.
///
/// ```swift
/// var reader = LineReader(source: try FileSource(path: "app.log"))
/// while let event = try reader.next() {
///     if case .line(let bytes, let number) = event { … }
/// }
/// ```
///
/// Lines end at `\n`; a `\r` before it is dropped. The buffer grows to hold a long
/// line up to `maxLineBytes`; a longer line is skipped to its end and reported as
/// `.skipped`, so memory stays bounded whatever the input. A line cut by a gap in
/// the stream (a corrupt gzip member, a truncated file) is reported as `.skipped`
/// with the source's reason. Bytes lent by `.line` are valid until the next call.
public struct LineReader: ~Copyable {
    public enum Event {
        case line(UnsafeRawBufferPointer, number: Int)
        case skipped(number: Int, reason: String)
    }

    let source: any ByteSource
    var buffer: UnsafeMutableRawPointer
    var capacity: Int
    var start = 0, end = 0
    /// Where to resume looking for `\n` in [start, end).
    var scanFrom = 0
    var eof = false
    var discarding = false
    var discardNumber = 0
    public private(set) var lineNumber = 0
    public let maxLineBytes: Int
    /// Stream-level problems reported by the source (line 0 = whole input).
    public private(set) var streamIssues: [Issue] = []
    var pendingSkip: (Int, String)?

    public init(source: any ByteSource, chunkSize: Int = 1 << 20, maxLineBytes: Int = 8 << 20) {
        self.source = source
        self.capacity = max(chunkSize, 64)
        self.buffer = .allocate(byteCount: capacity, alignment: 16)
        self.maxLineBytes = max(maxLineBytes, 16)
    }

    deinit { buffer.deallocate() }

    /// The next line, a skipped line, or nil at the end.
    public mutating func next() throws(InputError) -> Event? {
        if let (n, r) = pendingSkip { pendingSkip = nil; return .skipped(number: n, reason: r) }
        while true {
            if scanFrom < end {
                let p = buffer + scanFrom
                if let nl = memchr(p, 0x0A, end - scanFrom) {
                    let nlIndex = buffer.distance(to: nl)
                    lineNumber += 1
                    if discarding {
                        discarding = false
                        start = nlIndex + 1; scanFrom = start
                        return .skipped(number: discardNumber, reason: "line longer than \(maxLineBytes) bytes")
                    }
                    var lineEnd = nlIndex
                    if lineEnd > start && buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                    let line = UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start)
                    start = nlIndex + 1; scanFrom = start
                    // A chunk larger than the limit can hold a too-long line whole.
                    if line.count > maxLineBytes { return .skipped(number: lineNumber, reason: "line longer than \(maxLineBytes) bytes") }
                    return .line(line, number: lineNumber)
                }
                scanFrom = end
            }
            if eof {
                guard start < end || discarding else { return nil }
                lineNumber += 1
                if discarding {
                    discarding = false
                    start = end; scanFrom = end
                    return .skipped(number: discardNumber, reason: "line longer than \(maxLineBytes) bytes")
                }
                var lineEnd = end
                if buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start)
                start = end; scanFrom = end
                if source.endedEarly {
                    return .skipped(number: lineNumber, reason: "last line cut off: \(streamIssues.last?.reason ?? "input ends early")")
                }
                if line.count > maxLineBytes { return .skipped(number: lineNumber, reason: "line longer than \(maxLineBytes) bytes") }
                return .line(line, number: lineNumber)
            }
            if let skip = try refill() { return skip }
        }
    }

    /// Reads more bytes; returns a skip event when a gap in the stream cut a line.
    private mutating func refill() throws(InputError) -> Event? {
        // Make room: move the partial line to the front, or grow, or start discarding.
        if start > 0 {
            let n = end - start
            if n > 0 { buffer.copyMemory(from: buffer + start, byteCount: n) }
            scanFrom -= start; end = n; start = 0
        }
        if end == capacity {
            // Room for a line of exactly maxLineBytes and its CR LF.
            if discarding || capacity >= maxLineBytes + 2 {
                if !discarding { discarding = true; discardNumber = lineNumber + 1 }
                end = 0; scanFrom = 0
            } else {
                let newCapacity = min(capacity * 2, maxLineBytes + 2)
                let nb = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                nb.copyMemory(from: buffer, byteCount: end)
                buffer.deallocate()
                buffer = nb
                capacity = newCapacity
            }
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        var event: Event?
        if let gap = source.takeBreak() {
            streamIssues.append(gap)
            if end > 0 || discarding {
                // The partial line before the gap is cut: skip it as a record.
                lineNumber += 1
                let number = discarding ? discardNumber : lineNumber
                discarding = false
                event = .skipped(number: number, reason: "line cut by a gap in the input: \(gap.reason)")
                // Drop the partial line; keep the new bytes.
                if end > 0 && n > 0 {
                    (buffer).copyMemory(from: buffer + end, byteCount: n)
                }
                end = 0; scanFrom = 0; start = 0
            }
        }
        if n == 0 { eof = true } else { end += n }
        return event
    }
}
