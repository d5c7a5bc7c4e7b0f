import Foundation

extension LogStream {
    /// `forEach` over one large file whose every record is one line (JSON lines, logfmt,
    /// access logs), cut at line starts into slices parsed on every core. The records come
    /// out in the file's order, as from one reader: slice by slice, each numbered by its
    /// line in the whole file (the lines of the slices before are known by the time a
    /// slice's records are handed on). False, with nothing read, for any other format.
    func forEachSliced(_ slices: [Range<Int64>], _ body: (LogRecord) -> Bool) -> Bool {
        let unit = units[0]
        let first: LogReader
        do {
            first = try LogReader(unit: unit.slice(slices[0]), format: forcedFormat, needs: needs, time: time)
        } catch {
            return false
        }
        guard !first.format.isSpans, first.oneLineRecords else { return false }
        let format = first.format
        // Parsed records wait for the consumer in batches: a later slice runs ahead by up
        // to 64 batches (16,384 records, a few MB) while the slices before it are handed
        // on; when the filter passes few records, that is the whole slice.
        let channels = slices.indices.map { BoundedQueue<[LogRecord]>(depth: $0 == 0 ? 4 : 64) }
        let results = ResultBox<(stats: InputStats, lines: Int, last: Int64)>(count: slices.count)
        // The first slice's reader, already open, handed to its thread.
        let opened = ResultBox<LogReader>(count: 1)
        opened.set(0, first)
        for k in slices.indices {
            let channel = channels[k]
            let thread = Thread { [self] in
                let reader: LogReader
                if k == 0, let r = opened.get(0) {
                    reader = r
                } else {
                    do throws(InputError) {
                        reader = try LogReader(unit: unit.slice(slices[k]), format: format, needs: needs, time: time, continuing: true)
                    } catch {
                        results.set(k, (.unreadable(unit, error.message), 0, .min))
                        channel.finish()
                        return
                    }
                }
                let last = produce(reader, into: channel)
                results.set(k, (reader.stats, reader.linesRead, last))
                channel.finish()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        var stop = false
        var linesBefore = 0
        // The time of the last record with one in the slices before (`sortKey`: a record
        // without a time takes the time of the record before it).
        var carried = Int64.min
        for k in slices.indices {
            while !stop, let batch = channels[k].take() {
                for var r in batch {
                    r.location.line += linesBefore
                    if r.sortKey == .min { r.sortKey = carried }
                    if !body(r) { stop = true; break }
                }
            }
            if stop { channels.forEach { $0.cancel() } }
            channels[k].waitFinished()
            let done = results.get(k)
            linesBefore += done?.lines ?? 0
            if let t = done?.last, t != .min { carried = t }
        }
        for c in channels { c.waitFinished() }
        record(Self.joined(first.stats, slices.indices.map { k in results.get(k).map { ($0.stats, $0.lines) } ?? (InputStats(path: unit.path), 0) }), at: 0)
        return true
    }
}
