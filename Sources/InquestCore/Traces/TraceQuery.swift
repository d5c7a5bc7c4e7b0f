/// One row of `inquest traces`.
public struct TraceSummary: Sendable {
    public var traceID: String
    public var rootService: String
    public var rootOperation: String
    public var start: Timestamp
    public var durationNanos: Int64
    public var spans: Int
    public var services: Int
    public var errors: Int
    /// The entry span failed (an error the user saw).
    public var rootError: Bool

    public init(_ t: Trace) {
        traceID = t.traceID
        let root = t.root
        rootService = root?.span.service ?? "?"
        rootOperation = root?.span.operation ?? "?"
        start = t.start
        durationNanos = t.durationNanos
        spans = t.nodes.count
        services = t.services.count
        errors = t.errorCount
        rootError = root?.span.isError ?? false
    }
}

/// Filters and order of `inquest traces`.
public struct TraceQuery: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case duration, start, spans, errors }

    public var services: [String] = []
    public var operations: [String] = []
    public var minDurationNanos: Int64?
    public var maxDurationNanos: Int64?
    public var errorsOnly = false
    public var tags: [(key: String, value: String)] = []
    public var since: Timestamp?
    public var until: Timestamp?
    public var sort: Sort = .start
    public var limit: Int?

    public init() {}

    /// A test on a trace's spans before assembly, for the filters that only ask whether
    /// some span has a property (errors, service, operation, tag); nil when there are none.
    /// A trace it rejects would fail `matches` too.
    public var spanSetFilter: (@Sendable (UnsafeBufferPointer<Span>, [Int]) -> Bool)? {
        guard errorsOnly || !services.isEmpty || !operations.isEmpty || !tags.isEmpty else { return nil }
        let q = self
        return { spans, group in q.spanSetPasses { test in group.contains { test(spans[$0]) } } }
    }

    /// The filters that ask whether some span of the trace has a property; `any` tells
    /// whether some span passes a test.
    func spanSetPasses(_ any: ((Span) -> Bool) -> Bool) -> Bool {
        if errorsOnly && !any({ $0.status == .error }) { return false }
        if !services.isEmpty && !any({ services.contains($0.service) }) { return false }
        if !operations.isEmpty && !any({ operations.contains($0.operation) }) { return false }
        for tag in tags {
            let hit = any { s in
                s.attributes.contains { $0.key == tag.key && $0.value == tag.value }
                    || (tag.key == "error" && tag.value == "true" && s.status == .error)
                    || (tag.key == "span.kind" && s.kind.rawValue == tag.value)
            }
            if !hit { return false }
        }
        return true
    }

    /// True when the trace passes every filter. Service, operation and tag match any span.
    public func matches(_ t: Trace) -> Bool {
        let d = t.durationNanos
        if let m = minDurationNanos, d < m { return false }
        if let m = maxDurationNanos, d > m { return false }
        if let since, t.start < since { return false }
        if let until, t.start > until { return false }
        if !spanSetPasses({ test in t.nodes.contains { test($0.span) } }) { return false }
        return true
    }

    /// The matching traces as rows, sorted and limited.
    public func run(_ traces: [Trace]) -> [TraceSummary] {
        var rows = traces.filter(matches).map(TraceSummary.init)
        switch sort {
        case .start: rows.sort { $0.start < $1.start || ($0.start == $1.start && $0.traceID < $1.traceID) }
        case .duration: rows.sort { $0.durationNanos > $1.durationNanos || ($0.durationNanos == $1.durationNanos && $0.traceID < $1.traceID) }
        case .spans: rows.sort { $0.spans > $1.spans || ($0.spans == $1.spans && $0.traceID < $1.traceID) }
        case .errors: rows.sort { $0.errors > $1.errors || ($0.errors == $1.errors && $0.start < $1.start) }
        }
        if let limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        return rows
    }
}

extension Array where Element == Trace {
    /// The trace whose ID is `id` or starts with it; an error names the ambiguity.
    public func find(id: String) -> Result<Trace, TraceLookupError> {
        let needle = normalizeID(id)
        if let exact = first(where: { $0.traceID == needle }) { return .success(exact) }
        let hits = filter { $0.traceID.hasPrefix(needle) || normalizeID($0.traceID).hasPrefix(id.lowercased()) }
        if hits.count == 1 { return .success(hits[0]) }
        if hits.isEmpty { return .failure(.notFound(id)) }
        return .failure(.ambiguous(id, hits.prefix(5).map(\.traceID)))
    }
}

public enum TraceLookupError: Error, CustomStringConvertible, Sendable {
    case notFound(String)
    case ambiguous(String, [String])
    public var description: String {
        switch self {
        case .notFound(let id): return "no trace with an ID starting with '\(id)'"
        case .ambiguous(let id, let ids): return "'\(id)' matches several traces: \(ids.joined(separator: ", "))…; give more of the ID"
        }
    }
}

extension TraceQuery {
    /// How many traces pass the filters, before `limit`.
    public static func countMatching(_ q: TraceQuery, _ traces: [Trace]) -> Int {
        traces.reduce(0) { $0 + (q.matches($1) ? 1 : 0) }
    }
}
