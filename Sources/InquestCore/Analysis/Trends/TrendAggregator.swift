/// Builds a `TrendAggregate` from records streamed through it, one at a time.
///
/// ```swift
/// let agg = TrendAggregator(bucketNanos: nil)       // nil: width chosen from the range
/// agg.addLog(service: "api", level: .error, nanos: t, message: "timeout after 3 s")
/// agg.addRequest(service: "api", operation: "GET /a", nanos: t, durationNanos: 42_000_000, failed: false, source: .spans)
/// let aggregate = agg.finish()
/// ```
///
/// The per-record path does no allocation once a service, operation and pattern have
/// been seen: names are looked up by hash, counts go into sparse cells keyed by small
/// integers. Log messages go to a template miner; cells keep the miner's cluster number
/// until `finish()` resolves clusters to patterns (several clusters may end as one).
public final class TrendAggregator {
    public private(set) var aggregate: TrendAggregate
    var serviceIndex: [String: Int32] = [:]
    var operationIndex: [String: Int32] = [:]
    var lastService = ""
    var lastServiceIndex: Int32 = -1
    let miner: TrendTemplateMiner?

    /// What was seen of each cluster number the miner handed out.
    struct Cluster {
        var first: Int64 = .max
        var last: Int64 = .min
        var example = ""
        var baseline = 0
        var counted = false
    }
    var clusters: [Cluster] = []

    /// - Parameters:
    ///   - bucketNanos: a fixed bucket width, or nil to choose one from the range.
    ///   - patterns: mine log messages into templates (the `pattern` label); off, records have no pattern.
    public init(bucketNanos: Int64?, patterns: Bool = true) {
        aggregate = TrendAggregate(bucketNanos: bucketNanos)
        miner = patterns ? TrendTemplateMiner() : nil
    }

    @inline(__always)
    func serviceID(_ name: String) -> Int32 {
        if lastServiceIndex >= 0 && name == lastService { return lastServiceIndex }
        let i: Int32
        if let found = serviceIndex[name] {
            i = found
        } else {
            i = Int32(aggregate.services.count)
            aggregate.services.append(name)
            serviceIndex[name] = i
        }
        lastService = name
        lastServiceIndex = i
        return i
    }

    @inline(__always)
    func operationID(_ name: String) -> Int32 {
        if let found = operationIndex[name] { return found }
        let i = Int32(aggregate.operations.count)
        aggregate.operations.append(name)
        operationIndex[name] = i
        return i
    }

    /// Widens the range to `t`, coarsening an automatic width when the range outgrows it.
    @inline(__always)
    func extend(_ t: Int64) {
        if let f = aggregate.first, let l = aggregate.last, t >= f, t <= l { return }
        aggregate.first = min(aggregate.first ?? t, t)
        aggregate.last = max(aggregate.last ?? t, t)
        aggregate.fitWidthToRange()
    }

    /// Counts one log record. A record without a time is only counted as untimed.
    public func addLog(service: String?, level: Level, nanos: Int64?, message: String?) {
        guard let t = nanos else { aggregate.untimed += 1; return }
        extend(t)
        let s = serviceID(service ?? "unknown")
        var p: Int32 = -1
        if let miner, let message {
            let c = miner.add(Self.firstLine(message))
            if c >= 0 {
                p = Int32(c)
                note(cluster: c, at: t, message: message)
            }
        }
        let key = TrendAggregate.LogCell(service: s, level: level.rawValue, pattern: p, bucket: t.floorDiv(aggregate.bucketNanos))
        aggregate.logCells[key, default: 0] += 1
    }

    /// Mines a baseline message (`--baseline`): it makes its pattern known, not new, and
    /// is not counted in any series.
    public func addBaseline(message: String) {
        guard let miner else { return }
        let c = miner.add(Self.firstLine(message))
        guard c >= 0 else { return }
        grow(c)
        clusters[c].baseline += 1
    }

    /// Counts one request: an entry span, or an access-log line.
    public func addRequest(service: String, operation: String, nanos t: Int64, durationNanos: Int64?, failed: Bool,
                           source: TrendAggregate.RequestSource) {
        extend(t)
        let key = TrendAggregate.RequestCell(service: serviceID(service), operation: operationID(operation), source: source,
                                             bucket: t.floorDiv(aggregate.bucketNanos))
        aggregate.requestCells[key, default: TrendAggregate.RequestTally()].add(durationNanos: durationNanos, failed: failed)
    }

    func grow(_ c: Int) {
        if c >= clusters.count { clusters.append(contentsOf: repeatElement(Cluster(), count: c - clusters.count + 1)) }
    }

    @inline(__always)
    func note(cluster c: Int, at t: Int64, message: String) {
        grow(c)
        if !clusters[c].counted {
            clusters[c].counted = true
            clusters[c].example = Self.firstLine(message)
        } else if t < clusters[c].first {
            clusters[c].example = Self.firstLine(message)
        }
        if t < clusters[c].first { clusters[c].first = t }
        if t > clusters[c].last { clusters[c].last = t }
    }

    /// The first line of a message (a stack trace's lines are not part of its template).
    static func firstLine(_ s: String) -> String {
        guard let nl = s.utf8.firstIndex(of: 10) else { return s }
        return String(s[..<nl])
    }

    /// The aggregate, with clusters resolved to patterns and names in canonical order.
    public func finish() -> TrendAggregate {
        var result = aggregate
        if let miner {
            let resolved = miner.patterns(clusters: clusters.count)
            var patternByID: [String: Int32] = [:]
            var map = [Int32](repeating: -1, count: clusters.count)
            var infos: [TrendAggregate.PatternInfo] = []
            for (c, info) in clusters.enumerated() where info.counted || info.baseline > 0 {
                guard c < resolved.count, let p = resolved[c] else { continue }
                let idx: Int32
                if let found = patternByID[p.id] {
                    idx = found
                } else {
                    idx = Int32(infos.count)
                    patternByID[p.id] = idx
                    infos.append(TrendAggregate.PatternInfo(id: p.id, template: p.template, example: "", first: .max, last: .min, baselineCount: 0))
                }
                map[c] = idx
                var i = infos[Int(idx)]
                if info.counted {
                    if info.first < i.first || i.example.isEmpty { i.example = info.example }
                    i.first = min(i.first, info.first)
                    i.last = max(i.last, info.last)
                }
                i.baselineCount += info.baseline
                infos[Int(idx)] = i
            }
            // Patterns seen only in the baseline are not part of this aggregate.
            var kept: [Int32] = Array(repeating: -1, count: infos.count)
            var keptInfos: [TrendAggregate.PatternInfo] = []
            for (i, p) in infos.enumerated() where p.first != .max {
                kept[i] = Int32(keptInfos.count)
                keptInfos.append(p)
            }
            var logs: [TrendAggregate.LogCell: Int] = [:]
            logs.reserveCapacity(result.logCells.count)
            for (k, v) in result.logCells {
                var n = k
                if k.pattern >= 0 {
                    let m = Int(k.pattern) < map.count ? map[Int(k.pattern)] : -1
                    n.pattern = m >= 0 ? kept[Int(m)] : -1
                }
                logs[n, default: 0] += v
            }
            result.logCells = logs
            result.patterns = keptInfos
        }
        result.canonicalize()
        return result
    }
}

// MARK: - Partial results

/// The state of a `TrendAggregator` before `finish()`: counts keyed by the miner's
/// cluster numbers, what was seen of each cluster, and the miner's signatures. Merged
/// with `absorb`, partials over parts of an archive give the aggregate one run over
/// all of it gives: patterns are mined once, after merging.
public struct TrendPartial: Sendable {
    public var aggregate: TrendAggregate
    public var clusters: [(first: Int64, last: Int64, example: String, baseline: Int, counted: Bool)]
    public var signatures: [PatternMiner.SignatureState]
    /// Whether a baseline was given (patterns are then new by absence from it).
    public var baseline: Bool
    /// Records skipped and inputs read, for the report's footer.
    public var skipped: Int
    public var inputs: Int
    /// Series of the metric dumps among the inputs (drawn beside the log and request series).
    public var metrics: [MetricSeries] = []
}

extension TrendAggregator {
    /// The aggregator's state before `finish()`, for a partial result.
    public func partial(baseline: Bool, skipped: Int, inputs: Int) -> TrendPartial {
        TrendPartial(aggregate: aggregate,
                     clusters: clusters.map { ($0.first, $0.last, $0.example, $0.baseline, $0.counted) },
                     signatures: miner?.miner.signatures ?? [], baseline: baseline, skipped: skipped, inputs: inputs)
    }

    /// Adds a partial over other inputs (given in input order).
    public func absorb(_ p: TrendPartial) throws(TrendAggregate.MergeError) {
        var other = p.aggregate
        // The miner's clusters: the partial's numbers mapped to this miner's.
        var map = [Int32](repeating: -1, count: p.signatures.count)
        if let miner {
            for (i, sig) in p.signatures.enumerated() { map[i] = Int32(miner.miner.merge(sig)) }
        }
        for (i, info) in p.clusters.enumerated() where i < map.count && map[i] >= 0 {
            let c = Int(map[i])
            grow(c)
            if info.counted {
                if !clusters[c].counted || info.first < clusters[c].first { clusters[c].example = info.example }
                clusters[c].counted = true
                clusters[c].first = min(clusters[c].first, info.first)
                clusters[c].last = max(clusters[c].last, info.last)
            }
            clusters[c].baseline += info.baseline
        }
        // Widths: a fixed width must divide the other's; an automatic one follows the range.
        if other.bucketNanos != aggregate.bucketNanos {
            let (fine, coarse) = (min(other.bucketNanos, aggregate.bucketNanos), max(other.bucketNanos, aggregate.bucketNanos))
            guard coarse % fine == 0 else {
                throw TrendAggregate.MergeError(description: "bucket widths \(TrendBucketing.name(fine)) and \(TrendBucketing.name(coarse)) do not divide one another")
            }
        }
        if let f = other.first { extend(f) }
        if let l = other.last { extend(l) }
        // Extending may have widened an automatic width: the two must still divide.
        let coarse = max(other.bucketNanos, aggregate.bucketNanos)
        guard coarse % other.bucketNanos == 0, coarse % aggregate.bucketNanos == 0 else {
            throw TrendAggregate.MergeError(description: "bucket widths \(TrendBucketing.name(other.bucketNanos)) and \(TrendBucketing.name(aggregate.bucketNanos)) do not divide one another (give both runs the same --bucket)")
        }
        if other.bucketNanos < coarse { other.coarsen(to: coarse) }
        if aggregate.bucketNanos < coarse { aggregate.coarsen(to: coarse) }
        for (k, v) in other.logCells {
            var n = k
            n.service = serviceID(other.services[Int(k.service)])
            n.pattern = k.pattern >= 0 && Int(k.pattern) < map.count ? map[Int(k.pattern)] : -1
            aggregate.logCells[n, default: 0] += v
        }
        for (k, v) in other.requestCells {
            var n = k
            n.service = serviceID(other.services[Int(k.service)])
            n.operation = operationID(other.operations[Int(k.operation)])
            aggregate.requestCells[n, default: TrendAggregate.RequestTally()].merge(v)
        }
        aggregate.untimed += other.untimed
    }
}

extension TrendAggregate.RequestTally {
    @inline(__always)
    mutating func add(durationNanos: Int64?, failed: Bool) {
        requests += 1
        if failed { errors += 1 }
        if let d = durationNanos { latency.record(d) }
    }
}
