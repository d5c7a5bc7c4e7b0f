/// One log record, normalised across formats.
///
/// Built only for records that pass a command's filters: readers first scan a line
/// into byte ranges (`RawRecord`) and materialise a `LogRecord` on demand.
public struct LogRecord: Sendable {
    public var timestamp: Timestamp?
    public var level: Level
    public var service: String?
    public var message: String
    public var traceID: String?
    public var spanID: String?
    /// Other fields in input order (JSON members, logfmt pairs, access-log parts).
    public var fields: [Field]
    /// Where the record came from: input path and first line.
    public var location: SourceLocation
    /// Merge order: the record's time, or for a record without one, the time of the
    /// record before it in the same input.
    public var sortKey: Int64 = .min
    /// Set by a reader when the record cannot pass its filter, decided before the record
    /// was built: no line holds the bytes the filter needs (`LineGate`), or its trace or
    /// service field is plainly none asked for (`ParseContext.traceMayMatch`).
    var failsGate = false

    public struct Field: Sendable, Equatable {
        /// What a value was in a typed source (Jaeger tag types, OTLP `AnyValue`), so that
        /// `convert` can write it typed again; `.string` where the source had no types.
        public enum ValueType: UInt8, Sendable { case string, bool, int, double }

        public var key: String
        public var value: String
        /// A hint for writers: two fields are equal when key and value are, whatever their types.
        public var type: ValueType
        public init(_ key: String, _ value: String, type: ValueType = .string) { self.key = key; self.value = value; self.type = type }
        public static func == (a: Field, b: Field) -> Bool { a.key == b.key && a.value == b.value }
    }

    /// Empties what a line format fills, keeping the fields' storage: one record is
    /// reused for every line of an input (`location` and `sortKey` are set by the reader).
    @inline(__always)
    mutating func clearForNextLine() {
        timestamp = nil
        level = .unknown
        // Tested first: assigning nil releases the old value, a runtime call, even when
        // it is nil (a count by level never sets these).
        if service != nil { service = nil }
        if !message.isEmpty { message = "" }
        if traceID != nil { traceID = nil }
        if spanID != nil { spanID = nil }
        if !fields.isEmpty { fields.removeAll(keepingCapacity: true) }
        failsGate = false
    }

    public init(timestamp: Timestamp? = nil, level: Level = .unknown, service: String? = nil,
                message: String = "", traceID: String? = nil, spanID: String? = nil,
                fields: [Field] = [], location: SourceLocation = SourceLocation(path: "", line: 0)) {
        self.timestamp = timestamp
        self.level = level
        self.service = service
        self.message = message
        self.traceID = traceID
        self.spanID = spanID
        self.fields = fields
        self.location = location
    }

    /// The keys `value(forKey:)` reads from the record's own parts, not its fields.
    static let builtInKeys: Set<String> = ["level", "service", "message", "msg", "trace_id", "trace", "span_id", "span"]

    /// The value of a field by name, looking at the normalised fields first.
    public func value(forKey key: String) -> String? {
        switch key {
        case "level": return level.name
        case "service": return service
        case "message", "msg": return message
        case "trace_id", "trace": return traceID
        case "span_id", "span": return spanID
        default: return fields.first(where: { $0.key == key })?.value
        }
    }
}

/// A place in an input: `path:line`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public init(path: String, line: Int) { self.path = path; self.line = line }
    public var description: String { "\(path):\(line)" }
}

/// A record that could not be read, or a problem with an input as a whole.
public struct Issue: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the record, or 0 for the input as a whole.
    public var line: Int
    public var reason: String
    public init(line: Int, reason: String) { self.line = line; self.reason = reason }
    public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
}
