/// Whether a call's answer was out of the ordinary: the evidence that an error a caller
/// raised (or logged) was about what its callee answered.
///
/// A caller that fails on a wrong value, or on a callee that never answered in time,
/// raises the error itself; the fault is in the callee. So an error is passed on to the
/// callee when, in the same request, the callee's span was far outside what the baseline
/// shows for its operation (at least `minSamples` spans):
/// - **slow**: longer than twice the baseline's 99th percentile (a caller's deadline);
/// - **cut short**: fewer spans under it than under any baseline span of its operation,
///   or shorter than half the baseline's 1st percentile (it answered at once).
/// The walk goes down while the anomalous callee has an anomalous callee of its own, so
/// the deepest one is named.
struct CalleeAnswer {
    struct Range { var lo: Int64; var hi: Int64; var minBelow: Int }
    static let minSamples = 20

    private var ranges: [String: Range] = [:]

    var isEmpty: Bool { ranges.isEmpty }

    init(baseline: [Trace]) {
        var durations: [String: [Int64]] = [:]
        var below: [String: Int] = [:]
        for t in baseline {
            let sizes = Self.subtreeSizes(t)
            for i in t.nodes.indices {
                let s = t.nodes[i].span
                let k = s.service + "\u{0}" + s.operation
                durations[k, default: []].append(s.durationNanos)
                below[k] = min(below[k] ?? Int.max, sizes[i] - 1)
            }
        }
        for (k, d) in durations where d.count >= Self.minSamples {
            let s = d.sorted()
            let q = { (p: Double) in s[min(s.count - 1, max(0, Int((Double(s.count - 1) * p).rounded())))] }
            ranges[k] = Range(lo: q(0.01), hi: q(0.99), minBelow: below[k] ?? 0)
        }
    }

    /// From healthy requests, when there are enough of them to say what is ordinary.
    static func from(_ healthy: [Trace]) -> CalleeAnswer? {
        healthy.count >= minSamples ? CalleeAnswer(baseline: healthy) : nil
    }

    /// Spans in each node's subtree, itself included (nodes are in depth-first order).
    static func subtreeSizes(_ t: Trace) -> [Int] {
        var sizes = [Int](repeating: 1, count: t.nodes.count)
        for i in t.nodes.indices.reversed() { if let p = t.nodes[i].parent, p < i { sizes[p] += sizes[i] } }
        return sizes
    }

    enum Anomaly: String { case slow = "slow", cutShort = "cut short" }

    /// How span `i` of `t` departed from its operation's baseline, if it did.
    func anomaly(_ t: Trace, _ i: Int, sizes: [Int]) -> Anomaly? {
        let s = t.nodes[i].span
        guard !s.isError, let r = ranges[s.service + "\u{0}" + s.operation] else { return nil }
        if s.durationNanos > 2 * r.hi { return .slow }
        if r.minBelow > 0 && sizes[i] - 1 < r.minBelow { return .cutShort }
        if s.durationNanos * 2 < r.lo { return .cutShort }
        return nil
    }

    /// The deepest callee under node `i` whose answer departed, walking down through
    /// departed callees; nil when no child of `i` departed.
    func culprit(_ t: Trace, under i: Int, sizes: [Int]) -> (node: Int, anomaly: Anomaly)? {
        guard !ranges.isEmpty else { return nil }
        var found: (Int, Anomaly)?
        var at = i
        var steps = 0
        while steps < 64 {
            steps += 1
            // The callee that ended last among those that departed answered last.
            var pick: (Int, Anomaly)?
            for c in t.nodes[at].children {
                guard let a = anomaly(t, c, sizes: sizes) else { continue }
                if pick == nil || t.nodes[c].span.end > t.nodes[pick!.0].span.end { pick = (c, a) }
            }
            guard let p = pick else { break }
            found = p
            at = p.0
        }
        return found
    }
}
