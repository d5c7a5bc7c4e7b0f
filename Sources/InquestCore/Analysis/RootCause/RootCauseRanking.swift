/// One ranking of root-cause candidates from every signal the inputs hold: spans (errors
/// that reached the entry, and latency shifts), logs (new or grown error patterns) and
/// metrics (series that departed), any subset of them.
///
/// 1. The incident window: `since`/`until` when given, else found (`IncidentWindow`).
///    The baseline is the given one, else the data outside the window (before and after).
/// 2. Each signal finds evidence (`SignalFinding`) in its own units: the share of requests
///    whose errors began at a component (`RootCause.analyze`), the share of a request's
///    time a component added (`LatencyShift`), excess error lines (`LogSignal`), metric
///    departures (`MetricSignal`).
/// 3. Within a signal, a component's score is its share of the signal's evidence; the
///    candidate's score is the weighted mean of its shares over the signals that found
///    anything (metrics weigh half: resource metrics move with load, and in sympathy; a
///    signal whose evidence is slight — spans explaining under 5 % of the requests, under
///    10 excess log lines — weighs in proportion).
public enum RootCauseRanking {
    public struct Inputs: Sendable {
        public var traces: [Trace] = []
        public var baselineTraces: [Trace]?
        public var logs = LogSignal.Read()
        public var baselineLogs: LogSignal.Read?
        public var metrics: [MetricSeries] = []
        public var since: Timestamp?
        public var until: Timestamp?
        public var hasSpans = false
        public var hasLogs = false
        public var hasMetrics = false
        public init() {}
    }

    static let weights: [SignalFinding.Signal: Double] = [.spans: 1, .logs: 1, .metrics: 0.5]
    /// The evidence at which a signal counts in full: spans explaining 5 % of the requests
    /// (or of their time), logs with 10 lines beyond the baseline's; metrics always.
    static let fullStrength: [SignalFinding.Signal: Double] = [.spans: 0.05, .logs: 10]

    public static func analyze(_ inputs: Inputs) -> RootCause.Result {
        // 1. The window.
        var window: IncidentWindow?
        if inputs.since != nil || inputs.until != nil {
            let times = inputs.traces.map(\.start.nanos) + inputs.logs.timeline.map(\.time)
            let lo = inputs.since ?? Timestamp(nanos: times.min() ?? 0)
            let hi = inputs.until ?? Timestamp(nanos: max(times.max() ?? 0, inputs.traces.map(\.end.nanos).max() ?? 0))
            window = IncidentWindow(start: lo, end: hi, source: "given", z: nil, description: "as given (--since/--until)")
        } else {
            window = IncidentWindow.detect(requests: inputs.traces, logs: inputs.logs.timeline, metrics: inputs.metrics)
        }
        let inWindow: (Int64) -> Bool = { t in window.map { t >= $0.start.nanos && t <= $0.end.nanos } ?? true }
        // Normal is what lies outside the window, before it and after it.
        let outside: (Int64) -> Bool = { t in window.map { $0.detected && (t < $0.start.nanos || t > $0.end.nanos) } ?? false }
        let incident = window == nil ? inputs.traces : inputs.traces.filter { inWindow($0.start.nanos) }
        let baseline = inputs.baselineTraces ?? inputs.traces.filter { outside($0.start.nanos) }

        // What each operation's answers look like in healthy requests (`CalleeAnswer`).
        let answers = CalleeAnswer.from(baseline.filter { !($0.root?.span.isError ?? true) })
        var findings: [SignalFinding] = []
        // 2a. Errors that reached the entry (and the old latency rule when there is no baseline).
        // (Its healthy baseline is the one `answers` was built from.)
        let errors = RootCause.analyze(incident, baseline: baseline.isEmpty ? nil : baseline, answers: answers)
        let requests = Double(max(1, incident.count))
        for c in errors.candidates where c.score > 0 && (c.kind != "latency" || baseline.isEmpty) {
            findings.append(SignalFinding(signal: .spans, service: c.service, operation: c.operation, dependency: c.dependency,
                                          kind: c.kind, weight: c.score * Double(errors.failed) / requests,
                                          evidence: c.evidence, exampleTrace: c.exampleTrace))
        }
        // 2b. Latency from distributions.
        if !baseline.isEmpty && !incident.isEmpty {
            findings += LatencyShift.analyze(incident: incident, baseline: baseline).findings
            // 2b'. Requests cut short (code faults without a span status).
            var loggedErrors = Set<String>()
            for l in inputs.logs.lines where l.level >= .error {
                if let t = l.traceID, let s = l.spanID, l.time.map(inWindow) ?? true { loggedErrors.insert(t + "/" + s) }
            }
            findings += StoppedShort.analyze(incident: incident, baseline: baseline, answers: answers, loggedErrors: loggedErrors)
        }
        // 2c. Logs.
        if !inputs.logs.lines.isEmpty {
            let current = inputs.logs.lines.filter { $0.time.map(inWindow) ?? true }
            let base: [LogSignal.Line]
            var baseNanos: Int64 = 0
            if let b = inputs.baselineLogs {
                base = b.lines
                if let f = b.first, let l = b.last { baseNanos = l - f }
            } else {
                base = inputs.logs.lines.filter { $0.time.map(outside) ?? false }
            }
            var windowNanos: Int64 = 0
            let f = inputs.logs.first ?? 0, l = inputs.logs.last ?? 0
            if let w = window {
                windowNanos = max(0, min(w.end.nanos, l) - max(w.start.nanos, f))
                if inputs.baselineLogs == nil && w.detected { baseNanos = max(0, l - f - windowNanos) }
            } else {
                windowNanos = l - f
            }
            // Where each failed trace's errors began, to credit the lines its callers logged;
            // which callee answered out of the ordinary under a logging span; and which
            // requests' errors stopped at a healthy caller.
            let places = LogSignal.Places(lines: current, traces: incident, answers: answers, origins: errors.errorOrigins)
            findings += LogSignal.analyze(current: current, baseline: base, windowNanos: max(1, windowNanos), baselineNanos: baseNanos,
                                          places: places)
        }
        // 2d. Metrics.
        if !inputs.metrics.isEmpty {
            var m = MetricSignal.analyze(inputs.metrics, window: window)
            if !inputs.traces.isEmpty || !inputs.logs.lines.isEmpty {
                // Beside spans or logs, candidates are their services: a metric entity that
                // names none of them (an edge, a file of aggregates) is no candidate; and
                // latency, which spans measure per call and attribute, is left to them.
                var known = Set(inputs.logs.lines.compactMap { $0.service?.lowercased() })
                for t in inputs.traces { for i in t.nodes.indices { known.insert(t.nodes[i].span.service.lowercased()) } }
                m = m.filter { known.contains($0.service.lowercased()) && !(inputs.traces.isEmpty == false && $0.kind == "latency") }
            }
            findings += m
        }

        // One order for the same findings on every run: they come from dictionaries, and
        // ties in weight (and the sums below) would otherwise follow the hash seed.
        findings.sort { a, b in
            (a.signal.rawValue, a.service, a.dependency ? 1 : 0, a.operation, a.kind) != (b.signal.rawValue, b.service, b.dependency ? 1 : 0, b.operation, b.kind)
                ? (a.signal.rawValue, a.service, a.dependency ? 1 : 0, a.operation, a.kind) < (b.signal.rawValue, b.service, b.dependency ? 1 : 0, b.operation, b.kind)
                : a.weight != b.weight ? a.weight > b.weight : a.evidence.lexicographicallyPrecedes(b.evidence)
        }
        // Services named differently by different inputs (`Frontend`, `frontend`): the spans' or logs' spelling.
        var spelling: [String: String] = [:]
        for f in findings where f.signal != .metrics { spelling[f.service.lowercased()] = spelling[f.service.lowercased()] ?? f.service }
        for t in inputs.traces.prefix(1000) { for n in t.nodes { spelling[n.span.service.lowercased()] = spelling[n.span.service.lowercased()] ?? n.span.service } }
        for i in findings.indices { findings[i].service = spelling[findings[i].service.lowercased()] ?? findings[i].service }

        // 3. Shares per signal, then one score.
        var totals: [SignalFinding.Signal: Double] = [:]
        for f in findings { totals[f.signal, default: 0] += f.weight }
        let present = totals.filter { $0.value > 0 }
        // A signal that explains little of the incident (a few requests cut short, a few
        // log lines) weighs less than one that explains much: its weight grows with its
        // evidence up to `fullStrength`.
        var weight: [SignalFinding.Signal: Double] = [:]
        for (sig, total) in present { weight[sig] = (weights[sig] ?? 1) * min(1, total / (fullStrength[sig] ?? total)) }
        let weightSum = SignalFinding.Signal.allCases.reduce(0) { $0 + (weight[$1] ?? 0) }
        struct Who: Hashable { var service: String; var dependency: Bool }
        var byWho: [Who: [SignalFinding]] = [:]
        for f in findings where f.weight > 0 { byWho[Who(service: f.service, dependency: f.dependency), default: []].append(f) }
        var candidates: [RootCause.Candidate] = []
        for (who, fs) in byWho {
            var score = 0.0
            var signals: [RootCause.SignalScore] = []
            var best: (SignalFinding, Double)?
            for sig in SignalFinding.Signal.allCases {
                let mine = fs.filter { $0.signal == sig }.enumerated()
                    .sorted { $0.element.weight != $1.element.weight ? $0.element.weight > $1.element.weight : $0.offset < $1.offset }
                    .map(\.element)
                guard !mine.isEmpty, let total = present[sig] else { continue }
                let share = mine.reduce(0) { $0 + $1.weight } / total
                let w = (weight[sig] ?? 1) / weightSum
                score += w * share
                if best == nil || w * mine[0].weight / total > best!.1 { best = (mine[0], w * mine[0].weight / total) }
                signals.append(RootCause.SignalScore(signal: sig.rawValue, score: (share * 1000).rounded() / 1000,
                                                     evidence: mine.prefix(3).flatMap(\.evidence)))
            }
            guard var top = best?.0 else { continue }
            // Errors name the kind when they carry a good part of the score: a component
            // that fails also slows (timeouts), and its failure is the story.
            let errorPart = fs.filter { $0.kind == "error" && $0.signal != .metrics }
                .reduce(0.0) { $0 + (weight[$1.signal] ?? 1) / weightSum * $1.weight / (present[$1.signal] ?? 1) }
            if top.kind != "error", errorPart >= 0.25 * score, let e = fs.filter({ $0.kind == "error" && $0.signal != .metrics }).max(by: { $0.weight < $1.weight }) {
                top = e
            }
            let spanTop = fs.filter { $0.signal == .spans }.max { $0.weight < $1.weight }
            let example = spanTop?.exampleTrace ?? fs.compactMap(\.exampleTrace).first ?? ""
            let explained = fs.filter { $0.signal == .spans && $0.kind == "error" }.isEmpty ? 0
                : errors.candidates.filter { $0.service == who.service && $0.dependency == who.dependency }.map(\.failedExplained).max() ?? 0
            candidates.append(RootCause.Candidate(
                service: who.service, operation: spanTop?.operation ?? top.operation, kind: top.kind, dependency: who.dependency,
                score: (score * 1000).rounded() / 1000, exampleTrace: example,
                evidence: signals.flatMap { s in s.evidence.map { "\(s.signal): \($0)" } }, failedExplained: explained, signals: signals))
        }
        candidates.sort { ($0.score, $0.failedExplained, $1.service, $1.dependency ? 1 : 0) > ($1.score, $1.failedExplained, $0.service, $0.dependency ? 1 : 0) }
        var result = RootCause.Result(traces: incident.count, failed: errors.failed, baseline: baseline.count,
                                      windowStart: window?.start ?? errors.windowStart, windowEnd: window?.end ?? errors.windowEnd,
                                      candidates: candidates)
        result.window = window
        result.inputs = [inputs.hasSpans ? "spans" : nil, inputs.hasLogs ? "logs" : nil, inputs.hasMetrics ? "metrics" : nil].compactMap { $0 }
        return result
    }
}
