import Foundation
/// Latency judged from distributions: each (service, operation)'s exclusive time in the
/// incident against the baseline, and who the time it added belongs to.
///
/// The method:
/// 1. Per (service, operation) — and, for a span that calls another service, per callee —
///    the self time (duration not covered by children) of every span, before and during.
///    A span that calls another service holds in its self time the network and the
///    callee's queue as well as the caller's own work; one whose calls failed, the waits
///    between retries (its callee is then the one that failed).
/// 2. The shift of a key is the mean difference of the two samples' 5 %…95 % quantiles
///    (`Robust.shift`); it counts when it is large against the baseline's spread
///    by ranks (the rank-sum z, or the excess of values above the baseline's 75th or 90th
///    percentile, at least 4) and is at least 10 % of the baseline median. Its
///    contribution is the time it adds to an average request (shift × calls per request),
///    and one under 1 % of the entry's median time is left out as immaterial (unless
///    none is larger).
/// 3. A call's added time (to an instrumented callee or an uninstrumented peer) goes to
///    the side whose other calls grew too: to the callee when the calls into it from
///    other callers grew (a slow host or network of the callee), to the caller when its
///    other calls or its own local work grew (a starved or delayed caller is slow to send
///    and to read), in proportion; a callee with no other caller takes the rest.
/// 4. A service's weight is the time it adds per request; the entry's own slowdown is
///    said beside it so that a reader sees how much is explained.
enum LatencyShift {
    struct Key: Hashable {
        var service: String
        var operation: String
        /// The service this span calls (its self time includes the call's transport).
        var callee: String?
        var dependency: Bool
        /// For an uninstrumented peer, the service whose client spans name it.
        var caller: String? = nil
        /// The callee is an uninstrumented peer (the span's failed calls to it).
        var calleeDependency = false
    }

    struct Sample {
        var before: [Double] = []
        var after: [Double] = []
        var example: String = ""
        var exampleSelf: Double = -1
    }

    static func collect(_ traces: [Trace], into samples: inout [Key: Sample], after: Bool, entries: inout [String: [Double]]) {
        for t in traces {
            if let r = t.rootIndex {
                let s = t.nodes[r].span
                entries[s.service + " " + s.operation, default: []].append(Double(t.durationNanos))
            }
            for i in t.nodes.indices {
                let n = t.nodes[i]
                let s = n.span
                var callee: String?
                var longest: Int64 = -1
                for c in n.children where t.nodes[c].span.service != s.service && t.nodes[c].span.durationNanos > longest {
                    callee = t.nodes[c].span.service
                    longest = t.nodes[c].span.durationNanos
                }
                // A span whose calls failed spent its own time on them (a backoff between
                // retries, a fallback after a timeout): that time is the failing callee's.
                var calleeDependency = false
                if let f = n.children.filter({ t.nodes[$0].span.isError }).max(by: { t.nodes[$0].span.end < t.nodes[$1].span.end }) {
                    let fs = t.nodes[f].span
                    if fs.service != s.service {
                        callee = fs.service
                    } else if let g = t.nodes[f].children.first(where: { t.nodes[$0].span.service != s.service }) {
                        callee = t.nodes[g].span.service
                    } else if fs.kind == .client, let peer = FailureSummary.peerName(fs), peer != s.service {
                        callee = peer
                        calleeDependency = true
                    }
                }
                var key = Key(service: s.service, operation: s.operation, callee: callee, dependency: false, calleeDependency: calleeDependency)
                if callee == nil, s.kind == .client, let peer = FailureSummary.peerName(s), peer != s.service {
                    key = Key(service: peer, operation: s.operation, callee: nil, dependency: true, caller: s.service)
                }
                let v = Double(n.selfNanos)
                if after {
                    samples[key, default: Sample()].after.append(v)
                    if v > samples[key]!.exampleSelf { samples[key]!.exampleSelf = v; samples[key]!.example = t.traceID }
                } else {
                    samples[key, default: Sample()].before.append(v)
                }
            }
        }
    }

    struct Shifted {
        var key: Key
        var shift: Double
        var rel: Double
        var z: Double
        var significant: Bool
        var perRequest: Double
        var medianBefore: Double
        var medianAfter: Double
        var p90Before: Double
        var p90After: Double
        var nBefore: Int
        var nAfter: Int
        var example: String
    }

    struct Result {
        var findings: [SignalFinding]
        /// The entry spans' shift (time added to a request), and their baseline median.
        var entryShift: Double
        var entryMedian: Double
        var compared: Int
    }

    static func analyze(incident: [Trace], baseline: [Trace], minSamples: Int = 5) -> Result {
        var samples: [Key: Sample] = [:]
        var entriesBefore: [String: [Double]] = [:], entriesAfter: [String: [Double]] = [:]
        collect(baseline, into: &samples, after: false, entries: &entriesBefore)
        collect(incident, into: &samples, after: true, entries: &entriesAfter)
        let requests = Double(max(1, incident.count))
        // The entry's slowdown: per entry operation, weighted by its requests now.
        var entryShift = 0.0, entryMedian = 0.0, weight = 0.0
        for (op, a) in entriesAfter {
            guard let b = entriesBefore[op], b.count >= minSamples, a.count >= minSamples else { continue }
            let sb = b.sorted(), sa = a.sorted()
            entryShift += Robust.shift(before: sb, after: sa) * Double(a.count)
            entryMedian += Robust.median(sb) * Double(a.count)
            weight += Double(a.count)
        }
        if weight > 0 { entryShift /= weight; entryMedian /= weight }

        var shifted: [Shifted] = []
        for (key, s) in samples {
            guard s.before.count >= minSamples, s.after.count >= minSamples else { continue }
            let b = s.before.sorted(), a = s.after.sorted()
            let shift = Robust.shift(before: b, after: a)
            let mb = Robust.median(b)
            // Judged by ranks, not by the shift against the spread: a tail of retries or
            // timeouts that is a few points larger in one sample moves its top quantile a lot.
            let z = max(Robust.rankSumZ(before: b, after: a), Robust.tailZ(before: b, after: a))
            let rel = shift / max(mb, 1_000)
            shifted.append(Shifted(key: key, shift: shift, rel: rel, z: z, significant: z >= 4 && rel >= 0.1 && shift > 0,
                                   perRequest: max(0, shift) * Double(a.count) / requests, medianBefore: mb,
                                   medianAfter: Robust.median(a), p90Before: Robust.quantile(b, 0.9), p90After: Robust.quantile(a, 0.9),
                                   nBefore: b.count, nAfter: a.count, example: s.example))
        }
        // How much each service's own work grew, and how much each call (caller → callee
        // or uninstrumented peer) grew.
        var local: [String: Double] = [:]
        struct Edge { var caller: String; var target: String; var rel: Double }
        var edges: [Edge] = []
        for s in shifted {
            let rel = s.significant ? s.rel : 0
            if let c = s.key.callee {
                edges.append(Edge(caller: s.key.service, target: c, rel: rel))
            } else if s.key.dependency, let a = s.key.caller {
                edges.append(Edge(caller: a, target: s.key.service, rel: rel))
            } else if s.significant {
                local[s.key.service] = max(local[s.key.service] ?? 0, s.rel)
            }
        }
        /// Who a grown call's time belongs to, as the share put on the callee: the side
        /// whose other calls grew too. Calls into the callee from other callers speak for
        /// the callee (its host or network is slow); the caller's other calls, and its own
        /// work, speak for the caller (it sends late, or reads late). A callee with no other
        /// caller takes what the caller's side does not explain.
        func calleeShare(caller a: String, target x: String, rel r: Double) -> Double {
            let others = edges.filter { $0.target == x && $0.caller != a }.map(\.rel).sorted()
            let mine = edges.filter { $0.caller == a && $0.target != x }.map(\.rel).sorted()
            let toCaller = max(local[a] ?? 0, mine.isEmpty ? 0 : Robust.median(mine))
            let toCallee = others.isEmpty ? r : Robust.median(others)
            return toCallee + toCaller > 0 ? toCallee / (toCallee + toCaller) : 0.5
        }
        var findings: [SignalFinding] = []
        // A shift that adds under 1 % of a request's time explains no incident beside one
        // that adds more; when none adds that much (one operation of many slowed), the
        // shifts there are are what departed.
        let material = shifted.filter { $0.significant && $0.perRequest > 0.01 * max(entryMedian, 1_000) }
        for s in material.isEmpty ? shifted.filter(\.significant) : material {
            let k = s.key
            var shares: [(String, Double)] = [(k.service, 1)]
            if let c = k.callee {
                let f = calleeShare(caller: k.service, target: c, rel: s.rel)
                shares = [(c, f), (k.service, 1 - f)]
            } else if k.dependency, let a = k.caller {
                let f = calleeShare(caller: a, target: k.service, rel: s.rel)
                shares = [(k.service, f), (a, 1 - f)]
            }
            var evidence = ["self time of \(k.operation)\(k.callee.map { " (calls to \($0))" } ?? "") grew: median \(humanDuration(nanos: s.medianBefore)) → \(humanDuration(nanos: s.medianAfter)), p90 \(humanDuration(nanos: s.p90Before)) → \(humanDuration(nanos: s.p90After)) (\(s.nBefore) spans before, \(s.nAfter) during)",
                            "adds \(humanDuration(nanos: s.perRequest)) to an average request" + (entryShift > 0 ? String(format: " (the entry grew by %@)", humanDuration(nanos: entryShift)) : "")]
            if k.dependency { evidence.append("\(k.service) is not instrumented: seen only in its callers' client spans") }
            let callee = k.callee ?? (k.dependency ? k.service : nil)
            for (svc, f) in shares where f > 0.05 {
                var e = evidence
                if callee != nil {
                    e.append(svc == callee
                             ? String(format: "%.0f %% of it put on the callee: the calls into %@ grew", 100 * f, svc)
                             : String(format: "%.0f %% of it put on the caller: its other calls or its own work grew too", 100 * f))
                }
                if k.dependency && svc != k.service { e.removeAll { $0.hasSuffix("seen only in its callers' client spans") } }
                findings.append(SignalFinding(signal: .spans, service: svc, operation: k.operation,
                                              dependency: svc == k.service ? k.dependency : (svc == k.callee && k.calleeDependency), kind: "latency",
                                              weight: s.perRequest * f / max(entryMedian, 1_000), evidence: e, exampleTrace: s.example))
            }
        }
        return Result(findings: findings, entryShift: entryShift, entryMedian: entryMedian, compared: shifted.count)
    }
}
