/// Reads all spans of one span-dump input (Jaeger, Zipkin v1/v2, OTLP traces).
///
/// A dump is one JSON document, or one document a line; either way spans are held
/// in memory because traces must be grouped. Damaged spans are counted as skipped
/// with their line; a cut-off document yields the spans before the cut.
public enum SpanReader {
    /// Drops spans whose times are outside what arithmetic on them can bear (see
    /// `Timestamp.spanLimit`), counting each as skipped with its line.
    static func validateTimes(_ spans: inout [Span], bad issues: inout [Issue]) {
        let limit = Timestamp.spanLimit
        func bad(_ s: Span) -> Bool { s.start.nanos > limit || s.start.nanos < -limit || s.durationNanos < 0 || s.durationNanos > limit }
        guard spans.contains(where: bad) else { return }
        var kept: [Span] = []
        kept.reserveCapacity(spans.count)
        for i in spans.indices {
            let s = spans[i]
            if bad(s) {
                issues.append(Issue(line: s.location.line, reason: "span time or duration out of range (years 1824 to 2115)"))
            } else {
                kept.append(s)
            }
        }
        spans = kept
    }

    public struct Result {
        public var spans: [Span]
        public var stats: InputStats
    }

    /// The result of a reader's spans, damaged spans and stream issues.
    static func finish(_ spans: [Span], bad: [Issue], issues: [Issue], stats: InputStats) -> Result {
        var spans = spans, bad = bad, stats = stats
        validateTimes(&spans, bad: &bad)
        for i in issues { stats.note(i) }
        for b in bad { stats.note(b) }
        stats.parsed = spans.count
        stats.skipped = bad.count
        stats.records = stats.parsed + stats.skipped
        return Result(spans: spans, stats: stats)
    }

    public static func read(unit: InputUnit, format forced: DetectedFormat? = nil, detail: SpanDetail = .full) throws(InputError) -> Result {
        var stats = InputStats(path: unit.path)
        stats.compression = unit.compression
        stats.kind = "spans"
        let source = try unit.open()
        defer { source.close() }
        let (head, headGaps) = try source.readHead(upTo: 64 * 1024)
        let detected = forced ?? FormatRegistry.detect(head: head, columns: unit.limits.tableColumns)
        stats.format = detected.name
        guard case .spans(let format) = detected else {
            stats.kind = detected.kind
            return Result(spans: [], stats: stats)
        }
        if format == .spanTable {
            var lines = LineReader(source: ReplaySource(prefix: head, rest: source, gaps: headGaps), chunkSize: unit.limits.blockSize,
                                   maxLineBytes: unit.limits.maxLineBytes)
            guard let schema = TableSchema.required(.spans, head: head, unit: unit, stats: &stats) else {
                return Result(spans: [], stats: stats)
            }
            var spans: [Span] = []
            var bad: [Issue] = []
            var issues: [Issue] = []
            SpanTableFormat.read(&lines, schema: schema, path: unit.path, detail: detail, into: &spans, bad: &bad, issues: &issues)
            return finish(spans, bad: bad, issues: issues, stats: stats)
        }
        if format == .jaeger {
            // Read straight from the bytes (no tree): the whole input into memory, sized once
            // for a plain file. (Mapping the file instead measured slower: page faults one by one.)
            var issues = headGaps.map(\.issue)
            var spans: [Span] = []
            var bad: [Issue] = []
            var bytes = head
            // Read straight into the document's buffer, grown by doubling (sized once for a plain file).
            var filled = bytes.count
            let expected = unit.uncompressedSizeHint.map { Int(min($0, Int64(unit.limits.maxDocumentBytes))) + 1 } ?? (4 << 20)
            if expected > bytes.count {
                // Uninitialised capacity: read(2) fills it, no need to zero 100 MB first.
                let head = bytes
                bytes = [UInt8](unsafeUninitializedCapacity: expected) { buf, count in
                    _ = buf.initialize(from: head)
                    count = expected
                }
            }
            // A large plain file: the rest is read on every core at once (pread of slices),
            // so the copy out of the page cache is not a single-core step before parsing.
            var reading = true
            if case .file(let path) = unit.origin, unit.compression == .none, let size = unit.uncompressedSizeHint,
               size > 16 << 20, Int(size) < bytes.count,
               bytes.withUnsafeMutableBytes({ ParallelRead.fill(path: path, into: $0, from: filled, to: Int(size)) }) {
                filled = Int(size)
                reading = false
            }
            while reading {
                if filled == bytes.count {
                    if bytes.count >= unit.limits.maxDocumentBytes {
                        issues.append(Issue(line: 0, reason: "document larger than \(unit.limits.maxDocumentBytes) bytes; the rest is not read"))
                        break
                    }
                    bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, unit.limits.maxDocumentBytes - bytes.count)))
                }
                let n = try source.read(into: &bytes, offset: filled, count: bytes.count - filled)
                if let g = source.takeBreak() { issues.append(g) }
                if n == 0 { break }
                filled += n
            }
            bytes.removeLast(bytes.count - filled)
            bytes.withUnsafeBytes { raw in
                JaegerFormat.read(raw, path: unit.path, detail: detail, lines: LineIndex(raw), into: &spans, bad: &bad, issues: &issues)
            }
            return finish(spans, bad: bad, issues: issues, stats: stats)
        }
        var lines = LineReader(source: ReplaySource(prefix: head, rest: source, gaps: headGaps), maxLineBytes: max(unit.limits.maxLineBytes, 1 << 30))
        let docs = JSONDocuments.read(&lines, maxDepth: unit.limits.maxJSONDepth)
        var spans: [Span] = []
        var bad: [Issue] = []
        for (value, _) in docs.documents {
            switch format {
            case .jaeger: break  // read above
            case .zipkinV2: ZipkinFormat.spans(from: value, path: unit.path, v1: false, into: &spans, bad: &bad)
            case .zipkinV1: ZipkinFormat.spans(from: value, path: unit.path, v1: true, into: &spans, bad: &bad)
            case .otlpTraces: OTLPTracesFormat.spans(from: value, path: unit.path, into: &spans, bad: &bad)
            case .spanTable: break  // read above
            }
        }
        validateTimes(&spans, bad: &bad)
        for i in docs.issues { stats.note(i) }
        for b in bad { stats.note(b) }
        stats.parsed = spans.count
        stats.skipped = bad.count + docs.brokenLines
        stats.records = stats.parsed + stats.skipped
        return Result(spans: spans, stats: stats)
    }
}
