/// Requests that stopped short: a code fault without a span status still shows in the
/// shape of traces, when a span makes fewer of its usual calls.
///
/// For each (service, operation), the sequences of calls its spans make (children's
/// operations in start order) are counted in the baseline. A sequence in the incident that
/// the baseline usually continues (most baseline spans that made these calls made more
/// after them) and that is now more frequent than the baseline explains (more than twice,
/// and beyond 3·√expected) is a request cut short. Blame goes to what answered last: the
/// service called by the last call made (a wrong or failed answer ended the request) —
/// or, below it, the deepest callee whose own answer departed from the baseline
/// (`CalleeAnswer`), or the deepest span under it that logged an error in that request —
/// or, when no call was made at all, the span's own service. The weight is the excess
/// share of requests, as for errors. Spans that failed, or whose calls failed, are left
/// to the error rule. A request cut short at one span is cut short at its callers too;
/// only its deepest cut counts.
enum StoppedShort {
    static let maxCalls = 40

    struct Shape {
        var sequence: String
        var last: String?
        var depth: Int
    }

    static func shapes(_ t: Trace, answers: CalleeAnswer? = nil, loggedErrors: Set<String> = [], _ visit: (String, Shape) -> Void) {
        let sizes = answers == nil && loggedErrors.isEmpty ? [] : CalleeAnswer.subtreeSizes(t)
        for i in t.nodes.indices {
            let n = t.nodes[i]
            // A span that failed, or whose call failed, stopped for that error: the error
            // rule explains it.
            if n.span.isError || n.children.contains(where: { t.nodes[$0].span.isError }) { continue }
            var seq = ""
            var last: String?
            var lastNode: Int?
            for c in n.children.prefix(maxCalls) {
                lastNode = c
                let cs = t.nodes[c].span
                seq += cs.operation + "\u{1}"
                // The service that answered: a call's callee, else the child's own service.
                var answered = cs.service
                for g in t.nodes[c].children where t.nodes[g].span.service != cs.service { answered = t.nodes[g].span.service; break }
                last = answered
            }
            // Deeper still: the callee under it whose own answer departed (made fewer calls
            // than ever, or came far too fast or slow), as a failure passed up the chain does.
            if let a = answers, let (d, _) = a.culprit(t, under: i, sizes: sizes) { last = t.nodes[d].span.service; lastNode = d }
            // And below that, the deepest span that logged an error in this request: without
            // a span status, the logs say where the failure passed up from.
            if let c = lastNode, !loggedErrors.isEmpty {
                var deepest: Int?
                for d in c..<min(t.nodes.count, c + sizes[c]) where loggedErrors.contains(t.traceID + "/" + t.nodes[d].span.spanID) {
                    if deepest.map({ t.nodes[d].depth > t.nodes[$0].depth }) ?? true { deepest = d }
                }
                if let d = deepest { last = t.nodes[d].span.service }
            }
            visit(n.span.service + "\u{0}" + n.span.operation, Shape(sequence: seq, last: last, depth: n.depth))
        }
    }

    /// - Parameter loggedErrors: `traceID/spanID` of the incident's spans that logged an error.
    static func analyze(incident: [Trace], baseline: [Trace], answers: CalleeAnswer? = nil,
                        loggedErrors: Set<String> = []) -> [SignalFinding] {
        // Baseline: per operation, how often each exact sequence, and each sequence as a strict prefix.
        var total: [String: Int] = [:]
        var exact: [String: [String: Int]] = [:]
        var continued: [String: [String: Int]] = [:]
        for t in baseline {
            shapes(t) { key, shape in
                total[key, default: 0] += 1
                exact[key, default: [:]][shape.sequence, default: 0] += 1
                // Every strict prefix (at call boundaries) is continued by this span.
                var prefix = ""
                var parts = shape.sequence.split(separator: "\u{1}", omittingEmptySubsequences: true)
                if !parts.isEmpty { parts.removeLast() }
                continued[key, default: [:]]["", default: 0] += shape.sequence.isEmpty ? 0 : 1
                for p in parts {
                    prefix += p + "\u{1}"
                    continued[key, default: [:]][prefix, default: 0] += 1
                }
            }
        }
        struct Cut: Hashable { var key: String; var sequence: String; var blamed: String }
        var observed: [Cut: (count: Int, example: String)] = [:]
        var incidentTotal: [String: Int] = [:]
        for t in incident {
            // A request cut short at one span is cut short at its callers too: only the
            // deepest cut of a request speaks of its cause.
            var cuts: [(Cut, Int)] = []
            shapes(t, answers: answers, loggedErrors: loggedErrors) { key, shape in
                incidentTotal[key, default: 0] += 1
                guard let n = total[key], n >= 10 else { return }
                // Of the baseline spans that made these calls, most made more.
                let cont = continued[key]?[shape.sequence] ?? 0
                let ended = exact[key]?[shape.sequence] ?? 0
                guard cont >= 3, cont > ended else { return }
                let who = shape.last ?? String(key.prefix { $0 != "\u{0}" })
                cuts.append((Cut(key: key, sequence: shape.sequence, blamed: who), shape.depth))
            }
            guard let deepest = cuts.map(\.1).max() else { continue }
            for (c, d) in cuts where d == deepest { observed[c, default: (0, t.traceID)].count += 1 }
        }
        let requests = Double(max(1, incident.count))
        var findings: [SignalFinding] = []
        for (c, o) in observed {
            guard let n = total[c.key], let m = incidentTotal[c.key] else { continue }
            let expected = Double(exact[c.key]?[c.sequence] ?? 0) / Double(n) * Double(m)
            let excess = Double(o.count) - expected
            guard Double(o.count) > 2 * expected, excess > 3 * (expected + 1).squareRoot() else { continue }
            let parts = c.key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            let op = parts.count > 1 ? parts[1] : c.key
            let calls = c.sequence.split(separator: "\u{1}").map(String.init)
            let evidence = [
                "\(o.count) spans of \(op) (\(parts[0])) stopped after \(calls.isEmpty ? "no call" : "\(calls.count) call\(calls.count == 1 ? "" : "s"), the last \(calls.last ?? "")") (\(String(format: "%.1f", expected)) expected from the baseline, where \(continued[c.key]?[c.sequence] ?? 0) of \((continued[c.key]?[c.sequence] ?? 0) + (exact[c.key]?[c.sequence] ?? 0)) spans that got this far went on)",
                calls.isEmpty ? "no call made: the failure is \(c.blamed)'s own" : "\(c.blamed) answered last before the request was cut short",
            ]
            findings.append(SignalFinding(signal: .spans, service: c.blamed, operation: calls.last ?? op, kind: "error",
                                          weight: excess / requests, evidence: evidence, exampleTrace: o.example))
        }
        return findings
    }
}
