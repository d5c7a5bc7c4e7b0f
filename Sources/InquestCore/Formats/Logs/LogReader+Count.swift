extension LogReader {
    /// Whether `count(matching:)` can decide each record from its first line alone: the
    /// filter reads no message or field (continuation lines only extend a message).
    static func countsByFirstLine(_ filter: LogFilter) -> Bool {
        filter.grep == nil && filter.conditions.isEmpty
    }

    /// The number of records that pass `filter`, with the same answer and the same
    /// statistics as calling `next()` to the end, but without copying a record out for
    /// each line: a record is tested where it is parsed, in one record reused for every line.
    /// Times are not parsed when the filter has no time bound (for the formats whose
    /// records do not depend on their time).
    public func count(matching filter: LogFilter) -> Int {
        gate(by: filter)
        guard Self.countsByFirstLine(filter) || oneLineRecords, documentRecords.isEmpty else {
            var n = 0
            while let r = next() { if filter.matches(r) { n += 1 } }
            return n
        }
        if filter.since == nil && filter.until == nil { context.needsTime = false }
        // The loop made for the common formats, their `parse` called directly (inlined)
        // instead of through the protocol.
        switch lineFormat {
        // Only the level wanted, on every line.
        case let f as JSONLinesFormat where f.flatScan && context.needs.isEmpty && !context.needsTime && !gated:
            return countLines(JSONLinesFormat.LevelOnly(base: f), filter)
        case let f as JSONLinesFormat: return countLines(f, filter)
        // Only the level wanted, on every line (no gate asks for more on some).
        case is LogfmtFormat where context.needs.isEmpty && !context.needsTime && !gated: return countLines(LogfmtFormat.LevelOnly(), filter)
        case let f as LogfmtFormat: return countLines(f, filter)
        default: return countLines(lineFormat, filter)
        }
    }

    func countLines<F: LineFormat>(_ format: F, _ filter: LogFilter) -> Int {
        let matchAll = filter.isEmpty
        // A filter by level alone is tested here on the record's level, not by a call that
        // is handed a copy of the whole record.
        var rest = filter
        rest.minLevel = nil
        let levelBound = rest.isEmpty ? filter.minLevel : nil
        // Locals, not the reader's properties: a class's property passed to a function is
        // copied first (the record's strings retained), once a line.
        var r = LogRecord()
        var ctx = context
        defer { context = ctx }
        var n = 0
        /// A record is open: continuation lines belong to it.
        var open = continuing
        while !finished {
            guard let event = nextEvent() else {
                context = ctx
                if let r = endOfInput(), matchAll || filter.matches(r) { n += 1 }
                ctx = context
                break
            }
            switch event {
            case .skipped(let number, let reason):
                stats.skip(line: number, reason: reason)
            case .line(let raw, let number):
                let line = raw.bindMemory(to: UInt8.self)
                r.clearForNextLine()
                if ctx.partial.isEmpty { partialStart = number }
                if gated, let gate { ctx.needs = gate.mayMatch(line) ? fullNeeds : gatedNeeds }
                switch format.parse(line, into: &r, context: &ctx) {
                case .record:
                    noteRecord(line, number)
                    open = true
                    if let levelBound {
                        if !r.failsGate && !(r.level < levelBound) { n += 1 }
                    } else if matchAll || filter.matches(r) { n += 1 }
                case .continuation:
                    if open {
                        if checkUTF8 && !isValidUTF8(line) { noteRepaired(number) }
                    } else if !line.isBlank() {
                        open = true
                        if filter.matches(headerRecord(line, number)) { n += 1 }
                    }
                case .ignored:
                    break
                case .skip(let reason):
                    if sawRecord || line.isBlank() {
                        stats.skip(line: number, reason: reason)
                        break
                    }
                    open = true
                    if checkUTF8 && !isValidUTF8(line) { noteRepaired(number) }
                    if filter.matches(headerRecord(line, number)) { n += 1 }
                }
            }
        }
        return n
    }
}
