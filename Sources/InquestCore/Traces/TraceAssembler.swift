import Foundation

/// Groups spans into traces and trees, repairing what real dumps contain.
///
/// - Spans out of order and split across files: grouped by trace ID, ordered by time.
/// - Exact duplicates (a file read twice) are merged and counted; other spans that
///   share an ID are kept, the later one renamed and flagged.
/// - Zipkin client and server halves sharing one span ID are split in two, the server
///   becoming the client's child, as Jaeger's span-ID deduper does.
/// - Missing parents: the span hangs under the trace's synthetic root, flagged.
/// - Cycles in parent links are cut at the earliest span of the cycle, flagged.
/// - Clock skew: a server child that does not fit in its client parent from another
///   service is moved (with its subtree) to the middle of the parent, as Jaeger's
///   clock-skew adjuster does, and the shift is reported.
/// - FOLLOWS_FROM references and OTLP links stay links (`Span.links`).
///
/// No span is dropped except exact duplicates, which are counted.
public enum TraceAssembler {
    public struct Options: Sendable {
        public var adjustClockSkew = true
        /// Self time and the critical path (not needed to list traces).
        public var analyzeTiming = true
        /// Most spans assembled into one trace; the rest (in input order) are left
        /// out, counted in `Trace.leftOutSpans` and said in its notes.
        public var maxSpansPerTrace = 1_000_000
        public init() {}
    }

    /// Assembles every trace in `spans`; traces come out ordered by start time.
    /// - Parameter include: when given, only traces whose spans pass it are assembled (a
    ///   listing filter that depends on the set of spans, checked before the costly part).
    public static func assemble(_ spans: consuming [Span], options: Options = Options(),
                                include: (@Sendable (_ spans: UnsafeBufferPointer<Span>, _ group: [Int]) -> Bool)? = nil) -> [Trace] {
        // Group span indices by trace (consecutive spans of one trace are the common case).
        var groupOf: [String: Int] = [:]
        var groups: [[Int]] = []
        var lastID: String?
        var last = -1
        for (i, s) in spans.enumerated() {
            if s.traceID == lastID { groups[last].append(i); continue }
            if let g = groupOf[s.traceID] { last = g } else {
                last = groups.count
                groupOf[s.traceID] = last
                groups.append([])
            }
            lastID = s.traceID
            groups[last].append(i)
        }
        // Traces are independent: assemble them on every core, moving spans out of the
        // input (each index belongs to exactly one group, so no two threads touch a slot).
        let parts = groups.count < 64 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 8)
        let box = ResultBox<[Trace]>(count: parts)
        let traceGroups = include.map { test in spans.withUnsafeBufferPointer { buf in groups.filter { test(buf, $0) } } } ?? groups
        var input = spans
        input.withUnsafeMutableBufferPointer { buffer in
            let slots = SharedSlots(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let lo = traceGroups.count * part / parts, hi = traceGroups.count * (part + 1) / parts
                var out: [Trace] = []
                out.reserveCapacity(hi - lo)
                for g in traceGroups[lo..<hi] {
                    let limit = max(1, options.maxSpansPerTrace)
                    var mine: [Span] = []
                    mine.reserveCapacity(min(g.count, limit))
                    for i in g.prefix(limit) { mine.append(slots.take(i)) }
                    let id = mine[0].traceID
                    var trace = assembleOne(traceID: id, spans: mine, options: options)
                    if g.count > limit {
                        trace.leftOutSpans = g.count - limit
                        trace.notes.append("\(g.count - limit) spans beyond the limit of \(limit) spans per trace were left out")
                    }
                    out.append(trace)
                }
                box.set(part, out)
            }
        }
        var traces = box.values.flatMap { $0 }
        traces.sort { $0.start < $1.start || ($0.start == $1.start && $0.traceID < $1.traceID) }
        return traces
    }

    /// What makes two spans the same span read twice.
    struct ContentKey: Hashable {
        var spanID: String, service: String, operation: String, parentID: String?
        var start: Int64, duration: Int64, kind: Span.Kind
        init(_ s: Span) {
            spanID = s.spanID; service = s.service; operation = s.operation; parentID = s.parentID
            start = s.start.nanos; duration = s.durationNanos; kind = s.kind
        }
    }


    public static func assembleOne(traceID: String, spans input: consuming [Span], options: Options = Options()) -> Trace {
        var notes: [String] = []
        var merged = 0
        // 1. Duplicate IDs. Spans are moved, never copied: a copy costs a reference-count
        //    update per string, and these counts are shared between cores.
        var byID: [String: [Int]] = [:]
        var spans = input
        var keep = [Bool](repeating: true, count: spans.count)
        var seenContent: Set<ContentKey>? = nil  // made only when an ID repeats
        for i in spans.indices {
            if byID[spans[i].spanID] != nil {
                if seenContent == nil {
                    seenContent = Set(spans.indices.prefix(i).filter { keep[$0] }.map { ContentKey(spans[$0]) })
                }
                if !seenContent!.insert(ContentKey(spans[i])).inserted {
                    merged += 1
                    keep[i] = false
                    continue
                }
            } else if seenContent != nil {
                seenContent!.insert(ContentKey(spans[i]))
            }
            byID[spans[i].spanID, default: []].append(i)
        }
        if merged > 0 {
            var w = 0
            var remap = [Int](repeating: -1, count: spans.count)
            for i in spans.indices where keep[i] {
                if w != i { spans.swapAt(w, i) }
                remap[i] = w
                w += 1
            }
            spans.removeLast(spans.count - w)
            for k in byID.keys { byID[k] = byID[k]!.map { remap[$0] } }
        }
        var flags = [TraceNode.Flags](repeating: [], count: spans.count)
        var childrenOf: [String: [Int]]? = nil
        // At most a few dozen notes: a hostile trace could otherwise carry one per span.
        var omittedNotes = 0
        func note(_ s: String) { if notes.count < 40 { notes.append(s) } else { omittedNotes += 1 } }
        if merged > 0 { notes.append("\(merged) span\(merged == 1 ? "" : "s") read twice merged") }
        for (id, idxs) in byID where idxs.count > 1 {
            let client = idxs.first { spans[$0].kind == .client }
            let server = idxs.first { spans[$0].kind == .server || (spans[$0].shared && spans[$0].kind != .client) }
            var rest = idxs
            if let c = client, let s = server, c != s {
                let newID = id + "-server"
                spans[s].spanID = newID
                spans[s].parentID = id
                flags[s].insert(.splitShared)
                rest.removeAll { $0 == c || $0 == s }
                // Children of the shared ID that run in the server's service belong to the server half.
                let serverService = spans[s].service
                if childrenOf == nil {
                    var map: [String: [Int]] = [:]
                    for i in spans.indices { if let p = spans[i].parentID { map[p, default: []].append(i) } }
                    childrenOf = map
                }
                for i in childrenOf?[id] ?? [] where i != s && i != c && spans[i].service == serverService {
                    spans[i].parentID = newID
                }
                note("client and server shared span ID \(id): split in two")
            } else {
                rest.removeFirst()
            }
            for (k, i) in rest.enumerated() {
                spans[i].spanID = id + "#\(k + 2)"
                flags[i].insert(.duplicateID)
                note("span ID \(id) used twice: the second renamed \(spans[i].spanID)")
            }
        }
        // 2. Parents.
        var index: [String: Int] = [:]
        index.reserveCapacity(spans.count)
        for (i, s) in spans.enumerated() { index[s.spanID] = i }
        var parent = [Int?](repeating: nil, count: spans.count)
        var orphans = 0
        for (i, s) in spans.enumerated() {
            guard let p = s.parentID else { continue }
            if let pi = index[p], pi != i {
                parent[i] = pi
            } else if index[p] == i {
                flags[i].insert(.cycleBroken)
                note("span \(s.spanID) named itself as parent: link cut")
            } else {
                flags[i].insert(.orphan)
                orphans += 1
            }
        }
        if orphans > 0 { notes.append("\(orphans) span\(orphans == 1 ? "" : "s") whose parent is missing hung under the trace root") }
        // 3. Cycles: walk up from each span; a walk that meets itself is a cycle.
        var state = [UInt8](repeating: 0, count: spans.count)  // 0 new, 1 on the current walk, 2 done
        for startIndex in spans.indices where state[startIndex] == 0 {
            var path: [Int] = []
            var i: Int? = startIndex
            while let cur = i, state[cur] == 0 {
                state[cur] = 1
                path.append(cur)
                i = parent[cur]
            }
            if let cur = i, state[cur] == 1 {
                // The cycle is path[from cur...]; cut at its earliest span.
                let cycle = path[(path.firstIndex(of: cur) ?? 0)...]
                let cut = cycle.min { spans[$0].start < spans[$1].start } ?? cur
                parent[cut] = nil
                flags[cut].insert(.cycleBroken)
                note("parent links formed a cycle of \(cycle.count) span\(cycle.count == 1 ? "" : "s"): cut above \(spans[cut].spanID)")
            }
            for p in path { state[p] = 2 }
        }
        // 4. Children, by start time.
        var children = [[Int]](repeating: [], count: spans.count)
        var roots: [Int] = []
        for i in spans.indices {
            if let p = parent[i] { children[p].append(i) } else { roots.append(i) }
        }
        let byStart: (Int, Int) -> Bool = { spans[$0].start < spans[$1].start || (spans[$0].start == spans[$1].start && $0 < $1) }
        for i in children.indices where children[i].count > 1 { children[i].sort(by: byStart) }
        roots.sort { (flags[$0].contains(.orphan) ? 1 : 0, spans[$0].start.nanos) < (flags[$1].contains(.orphan) ? 1 : 0, spans[$1].start.nanos) }
        // 5a. Spans without a timestamp (Zipkin halves that arrived alone) take their
        //     parent's start, or their earliest child's, so they do not sit in 1970.
        var untimed = 0
        var walk: [Int] = roots
        while let i = walk.popLast() {
            if spans[i].start.nanos == 0 {
                if let p = parent[i], spans[p].start.nanos != 0 {
                    spans[i].start = spans[p].start
                    untimed += 1
                } else if let c = children[i].map({ spans[$0].start }).filter({ $0.nanos != 0 }).min() {
                    spans[i].start = c
                    untimed += 1
                }
            }
            walk.append(contentsOf: children[i])
        }
        if untimed > 0 { notes.append("\(untimed) span\(untimed == 1 ? "" : "s") without a timestamp placed at \(untimed == 1 ? "its" : "their") parent's start") }
        // 5. Clock skew, top down.
        var skew = [Int64](repeating: 0, count: spans.count)
        if options.adjustClockSkew {
            var stack: [(Int, Int64)] = roots.map { ($0, 0) }
            var adjusted = 0
            while let (i, inherited) = stack.popLast() {
                if inherited != 0 { spans[i].start.nanos = saturating(spans[i].start.nanos, inherited); skew[i] = saturating(skew[i], inherited) }
                for c in children[i] {
                    var shift = inherited
                    let delta = skewDelta(parent: spans[i], child: spans[c], childShift: inherited)
                    if delta != 0 {
                        shift = saturating(shift, delta)
                        flags[c].insert(.skewAdjusted)
                        adjusted += 1
                        note("\(spans[c].service) \(spans[c].operation) moved \(Duration.format(nanos: delta)) to fit its parent in \(spans[i].service) (clock skew)")
                    }
                    stack.append((c, shift))
                }
            }
            _ = adjusted
            for i in children.indices where children[i].count > 1 { children[i].sort(by: byStart) }
        }
        if omittedNotes > 0 { notes.append("… and \(omittedNotes) more adjustments of the same kinds") }
        // 6. Depth-first order.
        var order: [Int] = []
        order.reserveCapacity(spans.count)
        var depth = [Int](repeating: 0, count: spans.count)
        var stack = roots.reversed().map { $0 }
        while let i = stack.popLast() {
            order.append(i)
            for c in children[i].reversed() { depth[c] = depth[i] + 1; stack.append(c) }
        }
        var position = [Int](repeating: 0, count: spans.count)
        for (k, i) in order.enumerated() { position[i] = k }
        var nodes: [TraceNode] = order.map { i in
            var n = TraceNode(span: Span.placeholder)
            swap(&n.span, &spans[i])
            n.parent = parent[i].map { position[$0] }
            n.children = children[i].map { position[$0] }
            n.depth = depth[i]
            n.flags = flags[i]
            n.skewNanos = skew[i]
            return n
        }
        // 7. Self time and critical path.
        if options.analyzeTiming { for k in nodes.indices { nodes[k].selfNanos = selfTime(nodes, k) } }
        var trace = Trace(traceID: traceID, nodes: nodes, roots: roots.map { position[$0] }, notes: notes, mergedDuplicates: merged)
        if options.analyzeTiming { CriticalPath.mark(&trace) }
        return trace
    }

    /// Jaeger's rule: a child from another service that does not fit in its parent is
    /// centred in it, when the child is not longer than the parent and not asynchronous.
    static func skewDelta(parent: Span, child: Span, childShift: Int64) -> Int64 {
        guard parent.service != child.service else { return 0 }
        guard child.kind == .server || child.kind == .unspecified, parent.kind == .client || parent.kind == .unspecified else { return 0 }
        guard child.start.nanos > 0, parent.start.nanos > 0 else { return 0 }
        let cs = saturating(child.start.nanos, childShift)
        let ce = saturating(cs, child.durationNanos)
        let ps = parent.start.nanos, pe = parent.end.nanos
        if cs >= ps && ce <= pe { return 0 }
        guard child.durationNanos <= parent.durationNanos else { return 0 }
        let latency = (parent.durationNanos - child.durationNanos) / 2
        return saturating(saturating(ps, latency), cs == .min ? .max : -cs)
    }

    /// Duration not covered by the union of the children's intervals (clipped to the span).
    static func selfTime(_ nodes: [TraceNode], _ k: Int) -> Int64 {
        let s = nodes[k].span
        let ps = s.start.nanos, pe = s.end.nanos
        var intervals = nodes[k].children.map { c -> (Int64, Int64) in
            let cs = nodes[c].span
            return (max(ps, cs.start.nanos), min(pe, cs.end.nanos))
        }.filter { $0.0 < $0.1 }
        intervals.sort { $0.0 < $1.0 }
        var covered: Int64 = 0
        var curS: Int64 = .min, curE: Int64 = .min
        for (a, b) in intervals {
            if a > curE {
                if curE > curS { covered += curE - curS }
                curS = a; curE = b
            } else if b > curE { curE = b }
        }
        if curE > curS { covered += curE - curS }
        return max(0, s.durationNanos - covered)
    }
}

/// `a + b`, held at the ends of Int64 instead of trapping.
@inline(__always) func saturating(_ a: Int64, _ b: Int64) -> Int64 {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? (b > 0 ? .max : .min) : s
}

/// Slots of a span buffer that worker threads empty, each its own indices.
struct SharedSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Span>
    /// Moves the span at `i` out, leaving a placeholder.
    func take(_ i: Int) -> Span {
        var s = Span.placeholder
        swap(&s, &buffer[i])
        return s
    }
}

/// The critical path of a trace, as Jaeger computes it: from the root's end, walk back
/// through the child that finished last before the cursor, then the one before it…
public enum CriticalPath {
    public static func mark(_ trace: inout Trace) {
        guard let rootIndex = trace.rootIndex else { return }
        walk(&trace, rootIndex, until: trace.nodes[rootIndex].span.end.nanos)
    }

    static func walk(_ trace: inout Trace, _ first: Int, until firstEnd: Int64) {
        // An explicit stack: the children chosen under a span depend only on its own cursor.
        var stack: [(Int, Int64)] = [(first, firstEnd)]
        while let (k, cursorEnd) = stack.popLast() {
            trace.nodes[k].critical = true
            let start = trace.nodes[k].span.start.nanos
            let limit = min(cursorEnd, trace.nodes[k].span.end.nanos)
            var cursor = limit
            let kids = trace.nodes[k].children.sorted { trace.nodes[$0].span.end > trace.nodes[$1].span.end }
            for c in kids {
                let s = trace.nodes[c].span
                guard s.start.nanos < cursor, s.end.nanos > start else { continue }
                // Children running past the cursor that began before the parent are asynchronous: skipped.
                if s.end.nanos > cursor && s.start.nanos < start { continue }
                // After the last-finishing child, only one that had finished when the path's
                // child began held it up; one still running then ran in parallel (Jaeger).
                if cursor < limit && s.end.nanos > cursor { continue }
                stack.append((c, cursor))
                cursor = s.start.nanos
                if cursor <= start { break }
            }
        }
    }
}
