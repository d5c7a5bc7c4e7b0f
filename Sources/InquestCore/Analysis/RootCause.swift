/// Ranks the components most likely to have caused the failed requests in a set of
/// traces, with evidence a person can check.
///
/// The method, in short:
/// 1. Failed traces: the entry span failed, or it took far longer (`latencyFactor`×)
///    than the median of healthy traces of the same entry operation. The rest is the
///    baseline (or `baseline` traces when given).
/// 2. In each failed trace, blame where the problem began, not who passed it on:
///    - errors: on the chains of error spans that reach the entry span, the error spans
///      none of whose children failed (raised there); an error that a healthy caller
///      swallowed (a fallback, a retry that worked) did not fail the request. A client
///      span that failed with no instrumented callee names its peer as an
///      uninstrumented dependency; a client span whose callee's own span is slow but
///      without error (a timeout) blames the callee.
///    - latency: the span on the critical path whose self time grew most over the
///      baseline median self time of the same service and operation.
/// 3. A candidate's score is the share of failed traces it explains, less the share of
///    baseline traces where it raised errors too (noise that is always there, such as
///    404s, and errors swallowed by fallbacks, explain nothing).
public enum RootCause {
    public struct Options: Sendable {
        public var latencyFactor = 3.0
        public init() {}
    }

    public struct Candidate: Sendable {
        public var service: String
        public var operation: String
        public var kind: String
        public var dependency: Bool
        public var score: Double
        public var exampleTrace: String
        public var evidence: [String]
        public var failedExplained: Int
        /// What each kind of input contributed (filled by `RootCauseRanking`).
        public var signals: [SignalScore] = []
    }

    /// One signal's share in a candidate's score, with its evidence.
    public struct SignalScore: Sendable {
        public var signal: String
        public var score: Double
        public var evidence: [String]
    }

    public struct Result: Sendable {
        public var traces: Int
        public var failed: Int
        public var baseline: Int
        public var windowStart: Timestamp?
        public var windowEnd: Timestamp?
        public var candidates: [Candidate]
        /// When the incident was, and how that was decided (`RootCauseRanking`).
        public var window: IncidentWindow?
        /// The kinds of input that were read: `spans`, `logs`, `metrics`.
        public var inputs: [String] = []
        /// Per trace whose entry failed, where its errors began (for the log signal to credit).
        var errorOrigins: [String: [(service: String, dependency: Bool)]] = [:]
    }

    struct Key: Hashable { var service: String; var operation: String; var kind: String; var dependency: Bool }

    /// Where one failed trace's problem began (possibly several places).
    /// - Parameter reached: for a failed trace, only errors on a chain of error spans from
    ///   the entry count (an error its caller swallowed did not fail the request); in
    ///   baseline traces every error counts, as the noise to discount.
    /// - Parameter answers: when given, an error raised by a span whose callee answered far
    ///   out of the ordinary (slow past a deadline, or cut short) is the callee's (`CalleeAnswer`).
    static func origins(_ t: Trace, kind: String, selfBaseline: [String: Int64], reached: Bool = false,
                        answers: CalleeAnswer? = nil, passedOn: ((Key, _ caller: String, CalleeAnswer.Anomaly) -> Void)? = nil) -> [Key] {
        var out: [Key] = []
        if kind == "error" {
            let sizes = answers.map { _ in CalleeAnswer.subtreeSizes(t) } ?? []
            var onChain = [Bool](repeating: !reached, count: t.nodes.count)
            if reached {
                // From every root that failed (the entry, and orphans whose caller is
                // unknown), down through failing children only.
                var stack = t.roots.filter { t.nodes[$0].span.isError }
                while let i = stack.popLast() {
                    guard !onChain[i] else { continue }
                    onChain[i] = true
                    stack += t.nodes[i].children.filter { t.nodes[$0].span.isError }
                }
            }
            for i in t.nodes.indices where t.nodes[i].span.isError && onChain[i] {
                let n = t.nodes[i]
                let failingChildren = n.children.filter { t.nodes[$0].span.isError }
                if !failingChildren.isEmpty { continue }
                let s = n.span
                if let a = answers, let (c, anomaly) = a.culprit(t, under: i, sizes: sizes) {
                    let cs = t.nodes[c].span
                    let k = Key(service: cs.service, operation: cs.operation, kind: anomaly == .slow ? "latency" : "error", dependency: false)
                    passedOn?(k, s.service, anomaly)
                    out.append(k)
                    continue
                }
                let otherService = n.children.filter { t.nodes[$0].span.service != s.service }
                if s.kind == .client && otherService.isEmpty, let peer = FailureSummary.peerName(s), peer != s.service {
                    out.append(Key(service: peer, operation: s.operation, kind: "error", dependency: true))
                } else if s.kind == .client, let callee = otherService.max(by: { t.nodes[$0].span.durationNanos < t.nodes[$1].span.durationNanos }) {
                    // A timeout: the caller gave up on a callee that was slow, not failing.
                    let c = t.nodes[callee].span
                    out.append(Key(service: c.service, operation: c.operation, kind: "latency", dependency: false))
                } else {
                    out.append(Key(service: s.service, operation: s.operation, kind: "error", dependency: false))
                }
            }
        } else {
            var best: (Key, Int64)?
            for n in t.nodes where n.critical {
                let s = n.span
                let base = selfBaseline[s.service + "\u{0}" + s.operation] ?? 0
                let growth = n.selfNanos - base
                var key = Key(service: s.service, operation: s.operation, kind: "latency", dependency: false)
                if s.kind == .client, !n.children.contains(where: { t.nodes[$0].span.service != s.service }),
                   let peer = FailureSummary.peerName(s), peer != s.service {
                    key = Key(service: peer, operation: s.operation, kind: "latency", dependency: true)
                }
                if best == nil || growth > best!.1 { best = (key, growth) }
            }
            if let b = best { out.append(b.0) }
        }
        var seen = Set<Key>()
        return out.filter { seen.insert($0).inserted }
    }

    static func median(_ v: [Int64]) -> Int64? {
        guard !v.isEmpty else { return nil }
        let s = v.sorted()
        return s[s.count / 2]
    }

    public static func analyze(_ traces: [Trace], baseline given: [Trace]? = nil, options: Options = Options()) -> Result {
        analyze(traces, baseline: given, options: options, answers: nil)
    }

    /// - Parameter known: what each operation's answers look like in the healthy
    ///   baseline (`CalleeAnswer`), when the caller has built it already; else built here.
    static func analyze(_ traces: [Trace], baseline given: [Trace]?, options: Options = Options(), answers known: CalleeAnswer?) -> Result {
        // Healthy duration per entry operation, from traces whose entry did not fail.
        var healthy: [String: [Int64]] = [:]
        for t in given ?? traces {
            guard let r = t.root, !r.span.isError else { continue }
            healthy[r.span.service + " " + r.span.operation, default: []].append(t.durationNanos)
        }
        let healthyMedian = healthy.compactMapValues(median)
        var failed: [(Trace, String)] = []
        var base: [Trace] = []
        for t in traces {
            guard let r = t.root else { continue }
            if r.span.isError { failed.append((t, "error")); continue }
            if let m = healthyMedian[r.span.service + " " + r.span.operation], m > 0,
               Double(t.durationNanos) > options.latencyFactor * Double(m) {
                failed.append((t, "latency"))
            } else if given == nil {
                base.append(t)
            }
        }
        if let given { base = given.filter { !($0.root?.span.isError ?? true) } }
        // Baseline self time per service and operation.
        var selfTimes: [String: [Int64]] = [:]
        for t in base { for n in t.nodes { selfTimes[n.span.service + "\u{0}" + n.span.operation, default: []].append(n.selfNanos) } }
        let selfBaseline = selfTimes.compactMapValues(median)
        let answers = known ?? CalleeAnswer.from(base)
        // Where errors are raised in healthy traffic too.
        var baselineErrors: [Key: Int] = [:]
        for t in base {
            for k in Set(origins(t, kind: "error", selfBaseline: selfBaseline, answers: answers)) { baselineErrors[k, default: 0] += 1 }
        }
        var explained: [Key: [Trace]] = [:]
        // Errors raised by a caller on this candidate's answer: how many, by whom, how it answered.
        var raisedBy: [Key: [String: (n: Int, anomaly: CalleeAnswer.Anomaly)]] = [:]
        var errorOrigins: [String: [(service: String, dependency: Bool)]] = [:]
        for (t, kind) in failed {
            let ks = origins(t, kind: kind, selfBaseline: selfBaseline, reached: true, answers: answers) { k, caller, a in
                raisedBy[k, default: [:]][caller, default: (0, a)].n += 1
            }
            for k in ks { explained[k, default: []].append(t) }
            if kind == "error" { errorOrigins[t.traceID] = ks.filter { $0.kind == "error" }.map { ($0.service, $0.dependency) } }
        }
        let nFailed = max(1, failed.count), nBase = max(1, base.count)
        var candidates: [Candidate] = []
        for (k, ts) in explained {
            let share = Double(ts.count) / Double(nFailed)
            let noise = Double(baselineErrors[k] ?? 0) / Double(nBase)
            let score = max(0, share - noise)
            var evidence = ["\(ts.count) of \(failed.count) failed traces have \(k.kind == "error" ? "an error first raised" : "the time lost") here"]
            if k.dependency { evidence.append("\(k.service) is not instrumented: seen only in its callers' client spans") }
            for (caller, v) in (raisedBy[k] ?? [:]).sorted(by: { ($0.value.n, $1.key) > ($1.value.n, $0.key) }).prefix(2) {
                evidence.append("in \(v.n) of them raised by its caller \(caller) on an answer \(v.anomaly == .slow ? "slower than any baseline call" : "cut short (faster or smaller than any baseline call)")")
            }
            let b = baselineErrors[k] ?? 0
            evidence.append(b == 0 ? "never raises errors in the \(base.count) baseline traces"
                                   : "also raises errors in \(b) of \(base.count) baseline traces (noise discounted)")
            if let ex = ts.first, let f = FailureSummary.of(ex), !f.reason.isEmpty { evidence.append("e.g. \(f.sentence)") }
            candidates.append(Candidate(service: k.service, operation: k.operation, kind: k.kind, dependency: k.dependency,
                                        score: (score * 1000).rounded() / 1000, exampleTrace: ts.first?.traceID ?? "",
                                        evidence: evidence, failedExplained: ts.count, signals: []))
        }
        candidates.sort { ($0.score, $0.failedExplained, $1.service) > ($1.score, $1.failedExplained, $0.service) }
        let starts = failed.map(\.0.start)
        var result = Result(traces: traces.count, failed: failed.count, baseline: base.count,
                            windowStart: starts.min(), windowEnd: failed.map(\.0.end).max(), candidates: candidates)
        result.errorOrigins = errorOrigins
        return result
    }
}

extension RootCause {
    /// One trace taken as failed whatever its entry span says (`rca --trace`): errors
    /// where it has them, else latency against the baseline.
    public static func analyzeAsFailed(_ t: Trace, baseline: [Trace]) -> Result {
        var options = Options()
        options.latencyFactor = 0
        return analyze([t], baseline: baseline, options: options)
    }
}
