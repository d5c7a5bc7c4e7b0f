/// What reading one input gave: counts, and the first problems with their lines.
/// For every input, `records == parsed + skipped`.
public struct InputStats: Sendable {
    public var path: String
    public var kind: String = "logs"
    public var format: String = ""
    /// What the format learned from the input: for plain text, the time's shape and
    /// place (`yyMMdd HHmmss at column 0`).
    public var formatDetail: String?
    /// Where the year of times without one came from, when the input had such times.
    public var yearNote: String?
    public var compression: Compression = .none
    /// For tables: the column chosen for each role (`trace=TraceID span=SpanID …`).
    public var columns: String?
    /// For metric dumps: series and entities read.
    public var series = 0
    public var entities = 0
    public var records = 0
    public var parsed = 0
    public var skipped = 0
    /// Records read with invalid UTF-8 repaired to U+FFFD (parsed, not skipped).
    public var repaired = 0
    /// The first problems (skipped records and stream damage), with lines.
    public var errors: [Issue] = []
    public var errorsOmitted = 0
    /// True when the input could not be opened or read at all.
    public var unreadable = false
    public static let maxErrors = 20

    public init(path: String) { self.path = path }

    /// The statistics of an input that could not be read at all.
    public static func unreadable(_ unit: InputUnit, _ reason: String) -> InputStats {
        var s = InputStats(path: unit.path)
        s.compression = unit.compression
        s.unreadable = true
        s.note(Issue(line: 0, reason: reason))
        return s
    }

    public mutating func skip(line: Int, reason: String) {
        records += 1
        skipped += 1
        note(Issue(line: line, reason: reason))
    }

    public mutating func note(_ issue: Issue) {
        // Damage to the whole input (line 0: a corrupt gzip member, a cut archive) explains
        // the skipped lines before it; keep it even when they filled the list.
        let limit = issue.line == 0 ? 2 * Self.maxErrors : Self.maxErrors
        if errors.count < limit { errors.append(issue) } else { errorsOmitted += 1 }
    }
}
