import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a reader does with the rows of one slice of a table read on every core.
protocol TableSliceState: SendableMetatype {
    /// A row of the header's width; `number` counts lines from the slice's first (1).
    mutating func row(_ line: UnsafeBufferPointer<UInt8>, number: Int, row: CSVRow)
    /// A damaged row, with its line counted as in `row`.
    mutating func bad(number: Int, reason: String)
    /// Turns the slice's line numbers into the file's (`offset` lines come before it).
    mutating func shiftLines(by offset: Int)
}

/// The rows of a large plain table file read on every core at once: the file is cut
/// into one slice a core, each slice starting after a line break, and each core reads
/// its slice with `pread` into a buffer of its own (memory stays a few MiB a core,
/// whatever the file's size).
///
/// A slice reads its lines as `TableRows` does: blank lines and repeated headers passed
/// over, rows of the wrong width damaged. The one thing a slice cannot know is whether
/// a line break belongs inside a quoted field; so a row whose quote is still open at the
/// end of its line (or a line longer than the limit, or a read error) gives the slicing
/// up, and the caller reads the file in one pass instead — the answer is the same
/// either way. When no line opens a quote that it does not close, every line is a row
/// by itself and where the file is cut cannot change what is read.
enum TableSlices {
    /// Files smaller than this are read in one pass (threads would cost more than they save).
    static let minimumBytes = 16 << 20
    static let bufferBytes = 4 << 20

    struct Outcome<State> {
        var state: State
        /// Lines whose first byte lies in the slice (blank and header lines included).
        var lines = 0
        var failed = false
    }

    /// Reads `unit` in slices, one state a slice (in file order, line numbers the file's);
    /// nil when the file is not a large plain file or a slice gave up.
    /// - Parameter parts: slices to cut (tests); one a core by default.
    static func read<State: TableSliceState>(_ unit: InputUnit, schema: TableSchema, minimumBytes: Int = TableSlices.minimumBytes,
                                             parts: Int? = nil, make: (Int) -> State) -> [State]? {
        guard case .file(let path) = unit.origin, unit.compression == .none,
              let hint = unit.uncompressedSizeHint, hint >= Int64(minimumBytes), hint < Int64(Int.max / 2) else { return nil }
        let parts = parts ?? min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard parts > 1 else { return nil }
        let size = Int(hint)
        let maxLine = min(unit.limits.maxLineBytes, bufferBytes - 2)
        var states = (0..<parts).map(make)
        let outcomes = ResultBox<Outcome<State>>(count: parts)
        let shared = UnsafeSendable(states)
        states = []
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            var part = PartReader(path: path, size: size, lo: size * k / parts, hi: size * (k + 1) / parts,
                                  first: k == 0, schema: schema, maxLine: maxLine)
            var outcome = Outcome(state: shared.value[k])
            part.run(&outcome)
            outcomes.set(k, outcome)
        }
        let results = outcomes.take()
        guard results.count == parts, !results.contains(where: \.failed) else { return nil }
        var offset = 0
        for var r in results {
            r.state.shiftLines(by: offset)
            offset += r.lines
            states.append(r.state)
        }
        return states
    }

    /// One slice: lines starting in `lo..<hi`, read through a buffer of its own.
    struct PartReader {
        let path: String
        let size: Int, lo: Int, hi: Int
        let first: Bool
        let schema: TableSchema
        let maxLine: Int

        mutating func run<State: TableSliceState>(_ out: inout Outcome<State>) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { out.failed = true; return }
            defer { close(fd) }
            let capacity = TableSlices.bufferBytes
            let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            defer { buf.deallocate() }
            /// File offset of buf[0]; bytes valid in buf[0..<end]; the next line starts at buf[pos].
            var base = first ? 0 : lo - 1
            var end = 0, pos = 0
            var failed = false
            /// Keeps buf[pos..<end], reads more after it; false at the end of the file or on an error.
            func refill() -> Bool {
                if pos > 0 {
                    let n = end - pos
                    if n > 0 { memmove(buf, buf + pos, n) }
                    base += pos; end = n; pos = 0
                }
                guard end < capacity, base + end < size else { return false }
                while true {
                    let n = pread(fd, buf + end, min(capacity - end, size - base - end), off_t(base + end))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { failed = true; return false }
                    end += n
                    return true
                }
            }
            if !first {
                // The first line starting in the slice follows the first line break at lo - 1 or later.
                while true {
                    if pos < end, let p = memchr(buf + pos, 0x0A, end - pos) {
                        pos = buf.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1
                        break
                    }
                    pos = end
                    if base + end >= hi || !refill() { out.failed = failed; return }
                }
            }
            var row = CSVRow(delimiter: schema.delimiter)
            let width = schema.columns.count
            var seenHeader = !first
            while base + pos < hi, base + pos < size {
                // The line at pos: up to its break, or to the end of the file.
                var lineEnd: Int
                while true {
                    if pos < end, let p = memchr(buf + pos, 0x0A, end - pos) {
                        lineEnd = buf.distance(to: p.assumingMemoryBound(to: UInt8.self))
                        break
                    }
                    if base + end >= size { lineEnd = end; break }
                    if end - pos >= capacity || !refill() { out.failed = true; return }
                }
                let next = lineEnd + 1
                out.lines += 1
                let number = out.lines
                // As LineReader: a CR before the break dropped; then as TableRows: one more.
                if lineEnd > pos, buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                var line = UnsafeBufferPointer(start: buf + pos, count: lineEnd - pos)
                pos = min(next, end)
                if line.count > maxLine { out.failed = true; return }
                if line.isBlank() { continue }
                if !seenHeader || TableRows.isHeader(line, schema.header) { seenHeader = true; continue }
                if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line[0..<(line.count - 1)]) }
                switch row.split(line) {
                case .openQuote: out.failed = true; return
                case .bad(let reason): out.state.bad(number: number, reason: reason)
                case .row:
                    if row.count != width {
                        out.state.bad(number: number, reason: "row has \(row.count) columns, the header \(width)")
                    } else {
                        out.state.row(line, number: number, row: row)
                    }
                }
            }
            if !seenHeader { out.failed = true }
        }
    }
}

/// A value handed to worker threads that each use their own part of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
