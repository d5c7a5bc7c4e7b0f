/// Logs as a root-cause signal: per service, the warning-or-worse patterns that are new
/// or grew against the baseline.
///
/// Lines are mined into templates per service (`PatternMiner`). A pattern counts when it
/// is absent from the baseline (at least two lines), or when its rate grew more than
/// twofold and beyond Poisson noise (excess > 3·√expected). Its weight is its excess lines.
/// A line with a trace ID is placed on its span, whose service it belongs to when the
/// line names none. A line on a failed trace whose errors began elsewhere (the origin of
/// the chain of errors that reached the entry) is credited to that origin — the logging
/// service passed the error on; a line logged on a span whose callee answered far out of
/// the ordinary (`CalleeAnswer`) is credited to that callee; on other traces where
/// several services log such lines, the deepest one is credited. Lines of a request that
/// succeeded all the same (its entry did not fail and logged no error, while some span
/// of it did fail: a healthy caller absorbed the error) are not counted.
public enum LogSignal {
    /// A warning-or-worse log line, kept for mining once the window is known.
    public struct Line: Sendable {
        public var time: Int64?
        public var service: String?
        public var message: String
        public var level: Level
        public var traceID: String?
        public var spanID: String?
        public var location: SourceLocation
    }

    /// What the log inputs hold for `rca`.
    public struct Read: Sendable {
        public var lines: [Line] = []
        /// Every record with a time: when, and whether it was a warning or worse.
        public var timeline: [(time: Int64, bad: Bool)] = []
        public var stats: [InputStats] = []
        public var records = 0
        public var first: Int64?
        public var last: Int64?
        public init() {}
    }

    public static func read(_ units: [InputUnit], format: DetectedFormat? = nil) -> Read {
        var out = Read()
        for unit in units {
            let reader: LogReader
            do {
                reader = try LogReader(unit: unit, format: format, needs: .all)
            } catch {
                out.stats.append(.unreadable(unit, error.message))
                continue
            }
            guard reader.stats.kind == "logs" else { continue }
            while let r = reader.next() {
                out.records += 1
                let bad = r.level >= .warn
                if let t = r.timestamp?.nanos {
                    out.timeline.append((t, bad))
                    out.first = min(out.first ?? t, t)
                    out.last = max(out.last ?? t, t)
                }
                if bad {
                    out.lines.append(Line(time: r.timestamp?.nanos, service: r.service, message: r.message, level: r.level,
                                          traceID: r.traceID.map(normalizeID), spanID: r.spanID.map(normalizeID), location: r.location))
                }
            }
            out.stats.append(reader.stats)
        }
        return out
    }

    struct SpanPlace { var service: String; var operation: String; var depth: Int }

    /// Where the incident's lines sit in its traces, and what the traces say about them.
    struct Places {
        /// `traceID/spanID` → the span a line was logged on.
        var spans: [String: SpanPlace] = [:]
        var traceIDs = Set<String>()
        /// Per failed trace, where its errors began (`RootCause.origins`): a line logged on
        /// such a trace by a service that only passed the error on speaks of the origin.
        var origins: [String: [(service: String, dependency: Bool)]] = [:]
        /// `traceID/spanID` → the service whose answer, under that span, was far out of the
        /// ordinary (`CalleeAnswer`): what a line logged there is about.
        var culprits: [String: String] = [:]
        /// Requests whose errors stopped at a healthy caller: the entry span did not fail,
        /// some span did, and the entry's service logged no error on it.
        var contained = Set<String>()

        init() {}

        /// - Parameter origins: per failed trace, where its errors began (`RootCause.Result.errorOrigins`).
        init(lines: [Line], traces: [Trace], answers: CalleeAnswer?, origins: [String: [(service: String, dependency: Bool)]]) {
            let wanted = Set(lines.compactMap(\.traceID))
            guard !wanted.isEmpty else { return }
            var rootErrorLogged = Set<String>()
            var byTrace: [String: Int] = [:]
            for (i, t) in traces.enumerated() where wanted.contains(t.traceID) { byTrace[t.traceID] = i }
            for l in lines where l.level >= .error {
                guard let id = l.traceID, let ti = byTrace[id], let r = traces[ti].root else { continue }
                if l.spanID == r.span.spanID || (l.service.map { $0.lowercased() == r.span.service.lowercased() } ?? false) {
                    rootErrorLogged.insert(id)
                }
            }
            for t in traces where wanted.contains(t.traceID) {
                traceIDs.insert(t.traceID)
                let sizes = answers == nil ? [] : CalleeAnswer.subtreeSizes(t)
                for i in t.nodes.indices {
                    let n = t.nodes[i]
                    let key = t.traceID + "/" + n.span.spanID
                    spans[key] = SpanPlace(service: n.span.service, operation: n.span.operation, depth: n.depth)
                    if let a = answers, let (c, _) = a.culprit(t, under: i, sizes: sizes) { culprits[key] = t.nodes[c].span.service }
                }
                guard let r = t.root else { continue }
                if r.span.isError {
                    self.origins[t.traceID] = origins[t.traceID]
                } else if !rootErrorLogged.contains(t.traceID), t.nodes.contains(where: { $0.span.isError }) {
                    contained.insert(t.traceID)
                }
            }
        }

        func place(_ l: Line) -> SpanPlace? {
            guard let t = l.traceID, let s = l.spanID else { return nil }
            return spans[t + "/" + s]
        }

        func culprit(_ l: Line) -> String? {
            guard let t = l.traceID, let s = l.spanID else { return nil }
            return culprits[t + "/" + s]
        }
    }

    /// - Parameters:
    ///   - current: lines of the incident (inside the window).
    ///   - baseline: lines of the baseline, over `baselineNanos` of time.
    ///   - windowNanos: the incident's length.
    ///   - places: where the lines sit in the incident's traces.
    static func analyze(current: [Line], baseline: [Line], windowNanos: Int64, baselineNanos: Int64,
                        places: Places = Places()) -> [SignalFinding] {
        guard !current.isEmpty else { return [] }
        func place(_ l: Line) -> SpanPlace? { places.place(l) }
        func service(_ l: Line) -> String { l.service ?? place(l)?.service ?? "unknown" }

        var miners: [String: PatternMiner] = [:]
        var clusters: [(service: String, cluster: Int)] = []
        for (side, list) in [(true, baseline), (false, current)] {
            for l in list {
                let s = service(l)
                let m = miners[s] ?? PatternMiner()
                miners[s] = m
                let c = m.add(l.message, at: l.time.map { Timestamp(nanos: $0) }, level: l.level, baseline: side)
                if !side { clusters.append((s, c)) }
            }
        }
        let tables = miners.mapValues { $0.finish() }
        let scale = baselineNanos > 0 ? Double(windowNanos) / Double(baselineNanos) : 0
        // Which patterns stand out, per service.
        struct Key: Hashable { var service: String; var pattern: Int }
        var standing: [Key: Double] = [:]
        for (s, table) in tables {
            for (i, p) in table.patterns.enumerated() where p.count > 0 {
                let expected = Double(p.baselineCount) * scale
                let excess = Double(p.count) - expected
                let new = p.baselineCount == 0 && p.count >= 2
                let grew = p.baselineCount > 0 && Double(p.count) > 2 * expected && excess > 3 * expected.squareRoot()
                if new || grew { standing[Key(service: s, pattern: i)] = excess }
            }
        }
        guard !standing.isEmpty else { return [] }
        // Lines of standing patterns, placed; the deepest service of each trace.
        var deepest: [String: (depth: Int, service: String)] = [:]
        var linesOf: [Key: [Int]] = [:]
        for (i, c) in clusters.enumerated() {
            guard let table = tables[c.service] else { continue }
            let k = Key(service: c.service, pattern: table.patternIndex(forCluster: c.cluster))
            guard standing[k] != nil else { continue }
            linesOf[k, default: []].append(i)
            if let t = current[i].traceID, let p = place(current[i]) {
                if deepest[t].map({ p.depth > $0.depth }) ?? true { deepest[t] = (p.depth, places.culprit(current[i]) ?? c.service) }
            }
        }
        var findings: [SignalFinding] = []
        struct Target: Hashable { var service: String; var dependency: Bool }
        for (k, excess) in standing {
            guard let table = tables[k.service], let idx = linesOf[k] else { continue }
            let p = table.patterns[k.pattern]
            var inTraces = 0, passedOn = 0, contained = 0
            var example: String?
            var operations: [String: Int] = [:]
            // Where each line's credit goes: the logging service, or the origin of the errors of its trace.
            var credit: [Target: Double] = [:]
            for i in idx {
                guard let t = current[i].traceID, places.traceIDs.contains(t) else {
                    credit[Target(service: k.service, dependency: false), default: 0] += 1
                    continue
                }
                inTraces += 1
                if example == nil { example = t }
                if let pl = place(current[i]) { operations[pl.operation, default: 0] += 1 }
                // An error that a healthy caller absorbed failed no request: no credit.
                if places.contained.contains(t) { contained += 1; continue }
                if let o = places.origins[t], !o.isEmpty, !o.contains(where: { $0.service == k.service && !$0.dependency }) {
                    passedOn += 1
                    for x in o { credit[Target(service: x.service, dependency: x.dependency), default: 0] += 1 / Double(o.count) }
                } else if let c = places.culprit(current[i]), c != k.service {
                    passedOn += 1
                    credit[Target(service: c, dependency: false), default: 0] += 1
                } else if let d = deepest[t], d.service != k.service {
                    passedOn += 1
                    credit[Target(service: d.service, dependency: false), default: 0] += 1
                } else {
                    credit[Target(service: k.service, dependency: false), default: 0] += 1
                }
            }
            let op = operations.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? p.template
            var evidence = [p.baselineCount == 0
                ? "\(p.count) new \(p.level >= .error ? "error" : "warning") lines of \(k.service): \(p.template)"
                : String(format: "%d lines of %@ (%.1f expected from the baseline's %d): %@", p.count, k.service, Double(p.baselineCount) * scale, p.baselineCount, p.template)]
            evidence.append("e.g. \(current[idx[0]].location): \(String(p.example.prefix(160)))")
            if inTraces > 0 {
                evidence.append("\(inTraces) of them in traces" + (passedOn > 0 ? ", \(passedOn) in traces whose errors began elsewhere (credited there)" : "")
                                + (contained > 0 ? ", \(contained) in requests that succeeded all the same (not counted)" : ""))
            }
            let total = Double(idx.count)
            for (target, c) in credit where c > 0 {
                var e = evidence
                if target.service != k.service { e[0] = "passed on, logged by a caller: " + e[0] }
                findings.append(SignalFinding(signal: .logs, service: target.service, operation: target.service == k.service ? op : p.template,
                                              dependency: target.dependency, kind: "error",
                                              weight: max(0, excess) * c / total, evidence: e, exampleTrace: example))
            }
        }
        return findings.filter { $0.weight > 0 }
    }
}
