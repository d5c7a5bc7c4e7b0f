/// One span placed in its trace's tree.
public struct TraceNode: Sendable {
    /// What assembly did to the span, shown to the user.
    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Its parent is not in the input: hung under the trace's synthetic root.
        public static let orphan = Flags(rawValue: 1)
        /// Another span had the same ID; this one was given a new one.
        public static let duplicateID = Flags(rawValue: 2)
        /// The server half of a Zipkin span ID shared with its client, split off.
        public static let splitShared = Flags(rawValue: 4)
        /// Its parent link closed a cycle and was cut.
        public static let cycleBroken = Flags(rawValue: 8)
        /// Moved in time to fit its parent (clock skew between hosts).
        public static let skewAdjusted = Flags(rawValue: 16)
    }

    public var span: Span
    /// Index of the parent node in `Trace.nodes`; nil for roots.
    public var parent: Int?
    public var children: [Int] = []
    public var depth = 0
    public var flags: Flags = []
    /// Time shift applied for clock skew (included in `span.start`).
    public var skewNanos: Int64 = 0
    /// Duration not covered by children.
    public var selfNanos: Int64 = 0
    /// On the critical path: the chain of work that determined the trace's end.
    public var critical = false
}

/// A trace assembled from spans of any formats and files.
public struct Trace: Sendable {
    public var traceID: String
    /// Nodes in depth-first order (children by start time).
    public var nodes: [TraceNode]
    /// Top-level nodes: the real root, and orphans hung under the synthetic root.
    public var roots: [Int]
    /// What assembly adjusted, in sentences.
    public var notes: [String] = []
    /// Exact duplicates merged (the same span read twice).
    public var mergedDuplicates = 0
    /// Spans not assembled because the trace passed `maxSpansPerTrace`.
    public var leftOutSpans = 0

    // Loops over indices: iterating `nodes` by value would copy every span.
    public var start: Timestamp {
        var m: Timestamp?
        for i in nodes.indices where m == nil || nodes[i].span.start < m! { m = nodes[i].span.start }
        return m ?? Timestamp(nanos: 0)
    }
    public var end: Timestamp {
        var m: Timestamp?
        for i in nodes.indices where m == nil || nodes[i].span.end > m! { m = nodes[i].span.end }
        return m ?? Timestamp(nanos: 0)
    }
    public var durationNanos: Int64 { end.nanos - start.nanos }

    /// The entry span: the first root without a missing parent, else the earliest root.
    public var root: TraceNode? { rootIndex.map { nodes[$0] } }

    /// Index of `root` in `nodes`. A span cut loose from a cycle named a parent, so it is
    /// the entry span only when no root named none (it may start before the real root).
    public var rootIndex: Int? {
        if let i = roots.first(where: { !nodes[$0].flags.contains(.orphan) && !nodes[$0].flags.contains(.cycleBroken) }) { return i }
        if let i = roots.first(where: { !nodes[$0].flags.contains(.orphan) }) { return i }
        return roots.min { nodes[$0].span.start < nodes[$1].span.start }
    }

    public var services: [String] {
        var seen = Set<String>()
        var out: [String] = []
        for i in nodes.indices where seen.insert(nodes[i].span.service).inserted { out.append(nodes[i].span.service) }
        return out
    }

    public var errorCount: Int {
        var n = 0
        for i in nodes.indices where nodes[i].span.status == .error { n += 1 }
        return n
    }
    public var hasOrphans: Bool { nodes.contains { $0.flags.contains(.orphan) } }
}
