/// The span formats `convert` writes.
public enum SpanOutputFormat: String, Sendable, CaseIterable {
    case jaeger, zipkin, otlp
}

/// What the span writers share: which tags stand for model fields, IDs padded to their
/// width, typed JSON values, and the preparation of a span list for writing.
///
/// The readers keep status, kind and scope tags (`error`, `otel.status_code`,
/// `span.kind`, `otel.scope.name`…) among a span's attributes as they found them, and also
/// set the model's fields from them. Writers leave those tags out of the attributes and
/// write each field the target format's own way, so a round trip neither loses nor
/// doubles them.
public enum SpanWriting {
    /// Tags that carry a model field (kind, status, scope) rather than an attribute.
    public static let representationalKeys: Set<String> = [
        "span.kind", "error", "otel.status_code", "otel.status_description",
        "otel.scope.name", "otel.scope.version", "otel.library.name", "otel.library.version",
    ]

    /// A span's own attributes: without the tags that carry model fields.
    public static func plainAttributes(_ s: Span) -> [LogRecord.Field] {
        s.attributes.filter { !representationalKeys.contains($0.key) }
    }

    /// Spans ready to write: exact duplicates (the same span read from two files, or two
    /// formats of one export) dropped, first occurrence kept, input order otherwise kept.
    public static func deduplicated(_ spans: [Span]) -> (spans: [Span], duplicates: Int) {
        struct Key: Hashable {
            var trace: String, span: String, service: String, start: Int64, duration: Int64, kind: Span.Kind, operation: String
        }
        var seen = Set<Key>()
        seen.reserveCapacity(spans.count)
        var out: [Span] = []
        out.reserveCapacity(spans.count)
        var dropped = 0
        for s in spans {
            let k = Key(trace: s.traceID, span: s.spanID, service: s.service, start: s.start.nanos, duration: s.durationNanos,
                        kind: s.kind, operation: s.operation)
            if seen.insert(k).inserted { out.append(s) } else { dropped += 1 }
        }
        return (out, dropped)
    }

    /// Indices of `spans` grouped by trace ID, traces in order of first appearance.
    public static func byTrace(_ spans: [Span]) -> [[Int]] {
        var index: [String: Int] = [:]
        var groups: [[Int]] = []
        for i in spans.indices {
            if let g = index[spans[i].traceID] { groups[g].append(i) } else {
                index[spans[i].traceID] = groups.count
                groups.append([i])
            }
        }
        return groups
    }

    static func isHex(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// A hex ID left-padded with zeros to `width` digits (16 for span IDs; 16 or 32 for
    /// trace IDs, as the ID needs), lower-case. Non-hex IDs are written as they are.
    public static func paddedID(_ id: String, width: Int) -> String {
        guard isHex(id) else { return id }
        let lower = id.lowercased()
        let w = lower.utf8.count <= width ? width : (lower.utf8.count <= 32 ? 32 : lower.utf8.count)
        return lower.utf8.count >= w ? lower : String(repeating: "0", count: w - lower.utf8.count) + lower
    }

    /// A trace ID for Jaeger and Zipkin: 16 hex digits when it fits in 64 bits, else 32.
    public static func traceID64or128(_ id: String) -> String { paddedID(id, width: 16) }

    /// A hex ID for formats that allow nothing else (OTLP, Zipkin): a hex ID padded as
    /// `paddedID` does; any other ID (test exporters write `span-1`) replaced by a hash of it
    /// of `width` digits, the same wherever the ID appears, so parents and links still match.
    public static func hexID(_ id: String, width: Int) -> String {
        if isHex(id) && id.utf8.count <= 32 { return paddedID(id, width: width) }
        var h1: UInt64 = 0xcbf29ce484222325, h2: UInt64 = 0x84222325cbf29ce4
        for c in id.utf8 {
            h1 = (h1 ^ UInt64(c)) &* 0x100000001b3
            h2 = (h2 ^ UInt64(c)) &* 0x100000001b3
        }
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.utf8.count) + s
        }
        return width <= 16 ? hex(h1) : hex(h1) + hex(h2)
    }

    /// How many spans have a trace or span ID that `hexID` must replace.
    public static func nonHexIDs(_ spans: [Span]) -> Int {
        spans.reduce(0) { $0 + ((isHex($1.traceID) && $1.traceID.utf8.count <= 32 && isHex($1.spanID) && $1.spanID.utf8.count <= 32) ? 0 : 1) }
    }

    /// Microseconds, rounded down, for Jaeger and Zipkin.
    static func micros(_ nanos: Int64) -> Int64 { nanos.floorDiv(1000) }

    /// The `duration` in whole microseconds, from the microsecond start to the microsecond end,
    /// so that start + duration is the span's end rounded down.
    static func durationMicros(_ s: Span) -> Int64 {
        micros(s.start.nanos &+ s.durationNanos) - micros(s.start.nanos)
    }

    /// True for text that is a JSON number (so it can be written unquoted).
    static func isJSONNumber(_ s: String) -> Bool {
        var it = s.utf8.makeIterator()
        var c = it.next()
        if c == 0x2D { c = it.next() }
        guard let first = c, first >= 0x30 && first <= 0x39 else { return false }
        c = it.next()
        if first != 0x30 { while let d = c, d >= 0x30 && d <= 0x39 { c = it.next() } }
        if c == 0x2E {
            c = it.next()
            guard let d = c, d >= 0x30 && d <= 0x39 else { return false }
            while let d = c, d >= 0x30 && d <= 0x39 { c = it.next() }
        }
        if c == 0x65 || c == 0x45 {
            c = it.next()
            if c == 0x2B || c == 0x2D { c = it.next() }
            guard let d = c, d >= 0x30 && d <= 0x39 else { return false }
            while let d = c, d >= 0x30 && d <= 0x39 { c = it.next() }
        }
        return c == nil
    }

    /// The type a value can be written as: its recorded type when the text fits it, else string.
    static func effectiveType(_ f: LogRecord.Field) -> LogRecord.Field.ValueType {
        switch f.type {
        case .string: return .string
        case .bool: return f.value == "true" || f.value == "false" ? .bool : .string
        case .int: return Int64(f.value) != nil && isJSONNumber(f.value) ? .int : .string
        case .double: return isJSONNumber(f.value) ? .double : .string
        }
    }

    static func quote(_ s: String, into out: inout String) { JSONWriter.quote(s, into: &out) }
}
