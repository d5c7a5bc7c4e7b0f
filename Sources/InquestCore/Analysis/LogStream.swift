import Foundation

/// Reads many log inputs as one stream: filtered, and merged in time order by a
/// k-way merge over the inputs (each input is already in time order, as log files
/// are), never by loading and sorting.
///
/// Each input is parsed on its own thread into small batches, so several inputs keep
/// both cores busy while memory stays bounded (a few hundred records an input).
/// Records without a timestamp keep their place after the record before them.
public final class LogStream: @unchecked Sendable {
    public let units: [InputUnit]
    public let filter: LogFilter
    public let needs: RecordNeeds
    public let forcedFormat: DetectedFormat?
    public let time: TimestampParser
    /// Records handed from a parsing thread to the merge at a time.
    static let batchSize = 256
    let lock = NSLock()
    private var _stats: [InputStats?]

    public init(units: [InputUnit], filter: LogFilter, needs: RecordNeeds, format: DetectedFormat? = nil,
                time: TimestampParser = TimestampParser()) {
        self.units = units
        self.filter = filter
        self.needs = needs.union(filter.needs)
        self.forcedFormat = format
        self.time = time
        self._stats = Array(repeating: nil, count: units.count)
    }

    /// Per-input statistics, once the stream has been read (in input order).
    public var stats: [InputStats] {
        lock.lock(); defer { lock.unlock() }
        return _stats.enumerated().map { i, s in s ?? InputStats(path: units[i].path) }
    }

    func record(_ s: InputStats, at i: Int) {
        lock.lock(); _stats[i] = s; lock.unlock()
    }

    func openReader(_ i: Int) -> LogReader? {
        do {
            let r = try LogReader(unit: units[i], format: forcedFormat, needs: needs, time: time)
            if r.format.isSpans {
                var s = r.stats
                s.kind = "spans"
                record(s, at: i)
                return nil
            }
            return r
        } catch {
            record(.unreadable(units[i], error.message), at: i)
            return nil
        }
    }

    /// Counts the records that pass the filter, reading inputs in parallel. A large plain
    /// file, when there are fewer inputs than cores, is cut at line starts into slices
    /// read on every core; their statistics are joined with lines numbered as in the file.
    public func count() -> Int {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // One job a unit, or a unit's slices.
        var jobs: [(unit: Int, slices: [Range<Int64>])] = []
        for i in units.indices {
            var slices: [Range<Int64>] = []
            if units.count < cores, let r = sliceable(units[i]) { slices = r }
            jobs.append((i, slices))
        }
        let total = Atomic()
        for (i, slices) in jobs where slices.count > 1 {
            total.add(countSlices(i, slices))
        }
        let whole = jobs.filter { $0.slices.count <= 1 }.map(\.unit)
        DispatchQueue.concurrentPerform(iterations: whole.count) { k in
            let i = whole[k]
            guard let reader = openReader(i) else { return }
            total.add(reader.count(matching: filter))
            record(reader.stats, at: i)
        }
        return total.value
    }

    /// The slices of a large plain file, or nil to read it whole.
    func sliceable(_ unit: InputUnit) -> [Range<Int64>]? {
        guard case .file(let path) = unit.origin, path != "-", unit.compression == .none, unit.byteRange == nil,
              let size = unit.uncompressedSizeHint, size >= unit.limits.sliceBytes else { return nil }
        let parts = max(2, min(8, ProcessInfo.processInfo.activeProcessorCount))
        guard let starts = LineCuts.starts(path: path, size: size, parts: parts) else { return nil }
        return starts.indices.map { k in starts[k]..<(k + 1 < starts.count ? starts[k + 1] : size) }
    }

    /// Counts a file read in slices on every core. The first slice is read as the file
    /// would be (its format detected); the others with that format, continuing its records.
    /// A format whose records or times carry state from line to line (tables, container
    /// logs, times without a year under a time bound) is read whole instead.
    func countSlices(_ i: Int, _ slices: [Range<Int64>]) -> Int {
        let unit = units[i]
        let first: LogReader
        do {
            first = try LogReader(unit: unit.slice(slices[0]), format: forcedFormat, needs: needs, time: time)
        } catch {
            record(.unreadable(unit, error.message), at: i)
            return 0
        }
        guard !first.format.isSpans, LogStream.sliceable(first.format, filter: filter) else {
            // Read whole: the first reader read only the head so far; start again.
            guard let reader = openReader(i) else { return 0 }
            let n = reader.count(matching: filter)
            record(reader.stats, at: i)
            return n
        }
        let format = first.format
        let counts = ResultBox<(Int, InputStats, Int)>(count: slices.count)
        let readers = ResultBox<LogReader>(count: slices.count)
        readers.set(0, first)
        DispatchQueue.concurrentPerform(iterations: slices.count) { k in
            let reader: LogReader
            if k == 0, let r = readers.values.first {
                reader = r
            } else {
                do throws(InputError) {
                    reader = try LogReader(unit: unit.slice(slices[k]), format: format, needs: needs, time: time, continuing: true)
                } catch {
                    counts.set(k, (0, .unreadable(unit, error.message), 0))
                    return
                }
            }
            let n = reader.count(matching: filter)
            counts.set(k, (n, reader.stats, reader.linesRead))
        }
        let parts = counts.slots.compactMap { $0 }
        record(Self.joined(first.stats, parts.map { ($0.1, $0.2) }), at: i)
        return parts.reduce(0) { $0 + $1.0 }
    }

    /// The statistics of a file read in slices, from each slice's and its number of lines:
    /// counts add up; problems keep their order, numbered by line in the whole file.
    static func joined(_ first: InputStats, _ parts: [(stats: InputStats, lines: Int)]) -> InputStats {
        var stats = first
        stats.records = 0; stats.parsed = 0; stats.skipped = 0; stats.repaired = 0
        stats.errors = []; stats.errorsOmitted = 0
        var linesBefore = 0
        for (s, lines) in parts {
            stats.records += s.records
            stats.parsed += s.parsed
            stats.skipped += s.skipped
            stats.repaired += s.repaired
            stats.unreadable = stats.unreadable || s.unreadable
            for issue in s.errors {
                stats.note(Issue(line: issue.line == 0 ? 0 : issue.line + linesBefore, reason: issue.reason))
            }
            stats.errorsOmitted += s.errorsOmitted
            if stats.yearNote == nil { stats.yearNote = s.yearNote }
            linesBefore += lines
        }
        return stats
    }

    /// Whether a format's lines can be counted slice by slice with the same answer: each
    /// record is one line, or the filter reads only a record's first line (the lines that
    /// continue a record of the slice before are then only passed over); and, under a
    /// time bound, a time does not depend on the lines before (a year carried over from
    /// December to January).
    static func sliceable(_ format: DetectedFormat, filter: LogFilter) -> Bool {
        guard case .logLines(let f) = format else { return false }
        switch f {
        case is JSONLinesFormat, is LogfmtFormat, is AccessLogFormat: return true
        case is PlainTextFormat, is SyslogFormat, is TextLinesFormat:
            return LogReader.countsByFirstLine(filter) && filter.since == nil && filter.until == nil
        default: return false
        }
    }

    /// Reads `reader` to its end (or until the consumer stops), handing the records that
    /// pass the filter to `channel` in batches, each with its `sortKey`; returns the time
    /// of the last record that had one (`Int64.min` for none).
    func produce(_ reader: LogReader, into channel: BoundedQueue<[LogRecord]>) -> Int64 {
        reader.gate(by: filter)
        var batch: [LogRecord] = []
        batch.reserveCapacity(Self.batchSize)
        var last = Int64.min
        var seen = 0
        while let r = reader.next() {
            seen += 1
            // A consumer that stopped (--limit) is noticed even while nothing matches.
            if seen & 4095 == 0 && channel.isCancelled { break }
            if let t = r.timestamp { last = t.nanos }
            guard filter.matches(r) else { continue }
            var rec = r
            rec.sortKey = last
            batch.append(rec)
            if batch.count == Self.batchSize {
                if !channel.put(batch) { break }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = channel.put(batch) }
        return last
    }

    /// Calls `body` with each record that passes the filter, in time order, until it returns false.
    public func forEach(_ body: (LogRecord) -> Bool) {
        // One large file of one-line records: read in slices on every core.
        if units.count == 1, let slices = sliceable(units[0]), slices.count > 1, forEachSliced(slices, body) { return }
        // All inputs are open at once: share a budget of about 64 MiB of buffers.
        let block = max(64 << 10, min(1 << 20, (64 << 20) / max(1, units.count * 5)))
        for u in units { u.limits.blockSize = block }
        let channels = units.indices.map { _ in BoundedQueue<[LogRecord]>(depth: 2) }
        for i in units.indices {
            let channel = channels[i]
            let thread = Thread { [self] in
                guard let reader = openReader(i) else { channel.finish(); return }
                _ = produce(reader, into: channel)
                record(reader.stats, at: i)
                channel.finish()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        // k-way merge over the heads of each input.
        var heads: [[LogRecord]] = Array(repeating: [], count: units.count)
        var positions = Array(repeating: 0, count: units.count)
        var heap = MergeHeap()
        for i in units.indices {
            if let b = channels[i].take() { heads[i] = b; heap.push(key: b[0].sortKey, input: i) }
        }
        var stop = false
        while let (_, i) = heap.pop() {
            let r = heads[i][positions[i]]
            if !stop && !body(r) { stop = true; channels.forEach { $0.cancel() } }
            if stop { continue }
            positions[i] += 1
            if positions[i] == heads[i].count {
                positions[i] = 0
                heads[i] = channels[i].take() ?? []
            }
            if positions[i] < heads[i].count { heap.push(key: heads[i][positions[i]].sortKey, input: i) }
        }
        // Wait for producers to record their statistics.
        for c in channels { c.waitFinished() }
    }
}

/// A binary min-heap of (time key, input index); ties go to the lower input index.
struct MergeHeap {
    var items: [(key: Int64, input: Int)] = []

    @inline(__always) static func less(_ a: (key: Int64, input: Int), _ b: (key: Int64, input: Int)) -> Bool {
        a.key < b.key || (a.key == b.key && a.input < b.input)
    }

    mutating func push(key: Int64, input: Int) {
        items.append((key, input))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard Self.less(items[i], items[p]) else { break }
            items.swapAt(i, p); i = p
        }
    }

    mutating func pop() -> (Int64, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && Self.less(items[l], items[m]) { m = l }
                if r < items.count && Self.less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
        return (top.key, top.input)
    }
}

/// A counter shared between threads.
final class Atomic: @unchecked Sendable {
    let lock = NSLock()
    var v = 0
    func add(_ n: Int) { lock.lock(); v += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return v }
}
