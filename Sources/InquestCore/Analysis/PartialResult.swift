/// A partial result: the mergeable state of an aggregate over some inputs, written by
/// `--partial FILE` and combined by `inquest merge`, so that an archive too large for
/// one machine can be split into tasks on an engine such as Spark.
///
/// One JSON document, versioned: `{"inquest_partial": 1, "kind": "deps", …}`.
/// Today: `deps` (inputs must each hold whole traces, as a trace's spans are one task's)
/// and `patterns` (the miner's signatures with their counts: the column merge runs
/// once, after merging, so the templates are those of one run over all inputs).
public enum PartialResult {
    case deps(DependencyGraph.Partial)
    case patterns(PatternMiner)
    case report(TrendPartial)

    public static let version = 1
    /// Most partial results one merge combines: with every file's counts below
    /// `CountBudget.limit`, no sum can overflow.
    public static let maxParts = 1 << 14

    /// Refuses more than `maxParts` partials in one merge.
    static func checkCount(_ n: Int) throws(PartialError) {
        guard n <= maxParts else { throw PartialError(path: "", message: "\(n) partial results; merge at most \(maxParts) at a time") }
    }

    public var kind: String {
        switch self { case .deps: return "deps"; case .patterns: return "patterns"; case .report: return "report" }
    }

    /// Combines deps or patterns partials (reports: `mergeReports`).
    public static func merge(_ parts: [PartialResult]) throws(PartialError) -> PartialResult? {
        guard var first = parts.first else { return nil }
        try checkCount(parts.count)
        for p in parts.dropFirst() {
            switch (first, p) {
            case (.deps(var a), .deps(let b)):
                a.merge(b)
                first = .deps(a)
            case (.patterns(let a), .patterns(let b)):
                for s in b.signatures { a.merge(s) }
            case (.report, .report):
                throw PartialError(path: "", message: "report partials merge through mergeReports (they need an aggregator)")
            default:
                throw PartialError(path: "", message: "partial results of different kinds (\(first.kind), \(p.kind)) cannot be merged")
            }
        }
        return first
    }

    public func write(to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.field("inquest_partial", Self.version)
        j.field("kind", kind)
        switch self {
        case .deps(let d):
            j.field("services", strings: d.services.sorted())
            j.beginArray("edges")
            for e in d.edges {
                j.beginObject()
                j.field("caller", e.caller)
                j.field("callee", e.callee)
                j.field("dependency", e.dependency)
                j.field("calls", e.calls)
                j.field("errors", e.errors)
                Self.writeHistogram(e.latency, &j)
                j.endObject()
            }
            j.endArray()
        case .patterns(let miner):
            Self.writeSignatures(miner.signatures, &j)
        case .report(let r):
            let a = r.aggregate
            j.field("baseline", r.baseline)
            j.field("skipped", r.skipped)
            j.field("inputs", r.inputs)
            j.field("bucket_ns", a.bucketNanos)
            j.field("fixed_width", a.fixedWidth)
            if let f = a.first { j.field("first_ns", f) }
            if let l = a.last { j.field("last_ns", l) }
            j.field("untimed", a.untimed)
            j.field("services", strings: a.services)
            j.field("operations", strings: a.operations)
            // Metric series with every point; values as text so NaN and ±Inf travel exactly.
            j.beginArray("metrics")
            for m in r.metrics {
                j.beginObject()
                MetricRenderer.identity(m, into: &j)
                j.beginArray("points")
                for p in m.points {
                    j.beginArray(); j.value(Int(p.time)); j.value(String(p.value)); j.endArray()
                }
                j.endArray()
                j.endObject()
            }
            j.endArray()
            // Cells as arrays, sorted so that equal states write equal files.
            j.beginArray("logs")
            for (k, v) in a.logCells.sorted(by: { ($0.key.service, $0.key.level, $0.key.pattern, $0.key.bucket) < ($1.key.service, $1.key.level, $1.key.pattern, $1.key.bucket) }) {
                j.beginArray()
                j.value(Int(k.service)); j.value(Int(k.level)); j.value(Int(k.pattern)); j.value(Int(k.bucket)); j.value(v)
                j.endArray()
            }
            j.endArray()
            j.beginArray("requests")
            for (k, v) in a.requestCells.sorted(by: { ($0.key.service, $0.key.operation, $0.key.source.rawValue, $0.key.bucket) < ($1.key.service, $1.key.operation, $1.key.source.rawValue, $1.key.bucket) }) {
                j.beginObject()
                j.field("cell", "\(k.service),\(k.operation),\(k.source.rawValue),\(k.bucket)")
                j.field("requests", v.requests)
                j.field("errors", v.errors)
                Self.writeHistogram(v.latency, &j)
                j.endObject()
            }
            j.endArray()
            j.beginArray("clusters")
            for c in r.clusters {
                j.beginObject()
                j.field("first_ns", c.first); j.field("last_ns", c.last); j.field("baseline", c.baseline)
                j.field("counted", c.counted); j.field("example", c.example)
                j.endObject()
            }
            j.endArray()
            Self.writeSignatures(r.signatures, &j)
        }
        j.endObject()
        out.write(j.text + "\n")
    }

    static func writeHistogram(_ h: LatencyHistogram, _ j: inout JSONOut) {
        j.field("latency_sum_ns", h.sumNanos)
        j.field("latency_max_ns", h.maxNanos)
        // Log buckets as [index, count] pairs, in index order.
        j.beginArray("latency_buckets")
        for k in h.buckets.keys.sorted() {
            j.beginArray()
            j.value(Int(k))
            j.value(h.buckets[k] ?? 0)
            j.endArray()
        }
        j.endArray()
    }

    static func readHistogram(_ e: JSONNode, path: String, budget: inout CountBudget) throws(PartialError) -> LatencyHistogram {
        guard let sum = e["latency_sum_ns"].flatMap({ Double($0.displayString) }), let max = e["latency_max_ns"]?.int64 else {
            throw PartialError(path: path, message: "line \(e.line): latency lacks latency_sum_ns or latency_max_ns")
        }
        var buckets: [Int32: Int] = [:]
        for pair in e["latency_buckets"]?.array ?? [] {
            guard let kv = pair.array, kv.count == 2, let k = kv[0].int64, let n = kv[1].int64,
                  k >= 0, k <= Int64(LatencyHistogram.maxIndex), n > 0 else {
                throw PartialError(path: path, message: "line \(pair.line): a latency bucket is not [index, count] with an index up to \(LatencyHistogram.maxIndex)")
            }
            buckets[Int32(k), default: 0] += try budget.take(n, line: pair.line)
        }
        guard let latency = LatencyHistogram(buckets: buckets, sumNanos: sum, maxNanos: max) else {
            throw PartialError(path: path, message: "line \(e.line): the latency histogram does not add up")
        }
        return latency
    }

    static func writeSignatures(_ signatures: [PatternMiner.SignatureState], _ j: inout JSONOut) {
        j.beginArray("signatures")
        for sig in signatures {
            j.beginObject()
            j.field("signature", sig.signature)
            j.field("tokens", sig.tokenCount)
            j.field("count", sig.count)
            j.field("baseline", sig.baselineCount)
            if let f = sig.first { j.field("first_ns", f.nanos); j.field("first_digits", Int(f.precision)) }
            if let l = sig.last { j.field("last_ns", l.nanos); j.field("last_digits", Int(l.precision)) }
            j.field("level", Int(sig.level.rawValue))
            j.field("errors", sig.errors)
            j.field("example", sig.example)
            if !sig.values.isEmpty { j.field("sampled", sig.sampled) }
            j.beginObject("values")
            for position in sig.values.keys.sorted() {
                j.beginArray(String(position))
                for (v, n) in (sig.values[position] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    j.beginArray()
                    j.value(v)
                    j.value(n)
                    j.endArray()
                }
                j.endArray()
            }
            j.endObject()
            j.endObject()
        }
        j.endArray()
    }

    static func readSignatures(_ root: JSONNode, path: String, budget: inout CountBudget) throws(PartialError) -> [PatternMiner.SignatureState] {
        var result: [PatternMiner.SignatureState] = []
        for e in root["signatures"]?.array ?? [] {
            guard let signature = e["signature"]?.string, let tokens = e["tokens"]?.int64,
                  let count = e["count"]?.int64, let baseline = e["baseline"]?.int64,
                  count >= 0, baseline >= 0, baseline <= count, tokens >= 0,
                  let example = e["example"]?.string else {
                throw PartialError(path: path, message: "line \(e.line): a signature lacks signature, tokens, count, baseline or example")
            }
            // A signature's tokens each end in a space; the miner relies on the two agreeing.
            guard tokens == Int64(signature.utf8.reduce(0) { $0 + ($1 == 0x20 ? 1 : 0) }) else {
                throw PartialError(path: path, message: "line \(e.line): a signature's tokens (\(tokens)) do not match its text")
            }
            let counted = try budget.take(count, line: e.line)
            // Errors are counted among the records outside the baseline.
            let errors = max(0, e["errors"]?.int64 ?? 0)
            guard errors <= count - baseline else {
                throw PartialError(path: path, message: "line \(e.line): a signature has more errors than records")
            }
            func time(_ key: String) -> Timestamp? {
                guard let n = e[key + "_ns"]?.int64 else { return nil }
                return Timestamp(nanos: n, precision: UInt8(clamping: min(9, max(0, e[key + "_digits"]?.int64 ?? 9))))
            }
            var values: [Int: [String: Int]] = [:]
            for (key, list) in e["values"]?.members ?? [] {
                guard let position = Int(key), position >= 0, position < tokens else {
                    throw PartialError(path: path, message: "line \(list.line): a value position is not a token's number")
                }
                for pair in list.array ?? [] {
                    guard let kv = pair.array, kv.count == 2, let v = kv[0].string, let n = kv[1].int64, n > 0 else {
                        throw PartialError(path: path, message: "line \(pair.line): a value is not [text, count]")
                    }
                    values[position, default: [:]][v, default: 0] += try budget.take(n, line: pair.line)
                }
            }
            let level = Level(rawValue: UInt8(clamping: e["level"]?.int64 ?? 0)) ?? .unknown
            result.append(PatternMiner.SignatureState(
                signature: signature, tokenCount: Int(tokens), count: counted, baselineCount: Int(baseline),
                first: time("first"), last: time("last"), level: level, errors: Int(errors),
                example: example, values: values,
                // No more records than counted (sums of several partials cannot overflow).
                sampled: e["sampled"]?.int64.map { Int(clamping: min(max(0, $0), count)) }))
        }
        return result
    }

    /// Reads a partial result file's bytes.
    public static func read(_ bytes: [UInt8], path: String) throws(PartialError) -> PartialResult {
        let tape = JSONTape(bytes: bytes, maxDepth: 16)
        if let e = tape.error { throw PartialError(path: path, message: "not a partial result: \(e.description)") }
        guard let root = tape.root, root.isObject else { throw PartialError(path: path, message: "not a partial result: not a JSON object") }
        guard let v = root["inquest_partial"]?.int64 else {
            throw PartialError(path: path, message: "not a partial result (no \"inquest_partial\" version)")
        }
        guard v == Int64(version) else {
            throw PartialError(path: path, message: "partial result version \(v); this inquest reads version \(version)")
        }
        var budget = CountBudget(path: path)
        switch root["kind"]?.string {
        case "deps":
            var d = DependencyGraph.Partial()
            for s in root["services"]?.array ?? [] {
                guard let name = s.string else { throw PartialError(path: path, message: "line \(s.line): a service is not a string") }
                d.services.insert(name)
            }
            for e in root["edges"]?.array ?? [] {
                guard let caller = e["caller"]?.string, let callee = e["callee"]?.string,
                      let calls = e["calls"]?.int64, let errors = e["errors"]?.int64, calls >= 0, errors >= 0, errors <= calls,
                      e["latency_sum_ns"] != nil else {
                    throw PartialError(path: path, message: "line \(e.line): an edge lacks caller, callee, calls, errors or latency")
                }
                let latency = try readHistogram(e, path: path, budget: &budget)
                d.add(caller, callee, dependency: e["dependency"]?.bool ?? false, calls: try budget.take(calls, line: e.line), errors: Int(errors),
                      nanos: nil, latency: latency)
            }
            return .deps(d)
        case "patterns":
            let miner = PatternMiner()
            for sig in try readSignatures(root, path: path, budget: &budget) { miner.merge(sig) }
            return .patterns(miner)
        case "report":
            return .report(try readReport(root, path: path, budget: &budget))
        case let other:
            throw PartialError(path: path, message: "unknown partial result kind \(other.map { "'\($0)'" } ?? "(none)")")
        }
    }
}

extension PartialResult {
    static func readReport(_ root: JSONNode, path: String, budget: inout CountBudget) throws(PartialError) -> TrendPartial {
        // A width `--bucket` accepts (whole seconds, lined up with days, at most
        // maxWidth), or for an automatic width one of the ladder's.
        let fixed = root["fixed_width"]?.bool ?? false
        guard let width = root["bucket_ns"]?.int64, TrendBucketing.isWidth(width), fixed || TrendBucketing.isAutomatic(width) else {
            throw PartialError(path: path, message: "a report partial lacks bucket_ns, a whole number of seconds that divides a day or is whole days (for an automatic width, one of the ladder's)")
        }
        var a = TrendAggregate(bucketNanos: fixed ? width : nil)
        a.bucketNanos = width
        a.first = root["first_ns"]?.int64
        a.last = root["last_ns"]?.int64
        // Every cell's bucket lies in the range first...last.
        var buckets: ClosedRange<Int64>? = nil
        switch (a.first, a.last) {
        case (nil, nil): break
        case let (f?, l?) where f <= l:
            buckets = TrendBucketing.index(f, width: width)...TrendBucketing.index(l, width: width)
        default:
            throw PartialError(path: path, message: "a report partial's first_ns and last_ns are not a range")
        }
        func inRange(_ bucket: Int64) -> Bool { buckets?.contains(bucket) ?? false }
        a.untimed = try budget.take(max(0, root["untimed"]?.int64 ?? 0), line: root.line)
        a.services = (root["services"]?.array ?? []).compactMap(\.string)
        a.operations = (root["operations"]?.array ?? []).compactMap(\.string)
        let clusters = root["clusters"]?.array ?? []
        for row in root["logs"]?.array ?? [] {
            guard let v = row.array?.compactMap(\.int64), v.count == 5, v[0] >= 0, Int(v[0]) < a.services.count,
                  v[1] >= 0, v[1] <= 7, v[2] >= -1, v[2] < Int64(clusters.count), inRange(v[3]), v[4] > 0 else {
                throw PartialError(path: path, message: "line \(row.line): a log cell is not [service, level, cluster, bucket, count] with its bucket in first_ns...last_ns")
            }
            let key = TrendAggregate.LogCell(service: Int32(v[0]), level: UInt8(v[1]), pattern: Int32(v[2]), bucket: v[3])
            a.logCells[key, default: 0] += try budget.take(v[4], line: row.line)
        }
        for e in root["requests"]?.array ?? [] {
            let cell = (e["cell"]?.string ?? "").split(separator: ",").compactMap { Int64($0) }
            guard cell.count == 4, cell[0] >= 0, Int(cell[0]) < a.services.count, cell[1] >= 0, Int(cell[1]) < a.operations.count,
                  let source = TrendAggregate.RequestSource(rawValue: UInt8(clamping: cell[2])), inRange(cell[3]),
                  let requests = e["requests"]?.int64, let errors = e["errors"]?.int64, requests >= 0, errors >= 0, errors <= requests else {
                throw PartialError(path: path, message: "line \(e.line): a request cell is malformed")
            }
            var tally = TrendAggregate.RequestTally()
            tally.requests = try budget.take(requests, line: e.line)
            tally.errors = Int(errors)
            tally.latency = try readHistogram(e, path: path, budget: &budget)
            let key = TrendAggregate.RequestCell(service: Int32(cell[0]), operation: Int32(cell[1]), source: source, bucket: cell[3])
            a.requestCells[key, default: TrendAggregate.RequestTally()].merge(tally)
        }
        var infos: [(first: Int64, last: Int64, example: String, baseline: Int, counted: Bool)] = []
        for c in clusters {
            infos.append((first: c["first_ns"]?.int64 ?? .max, last: c["last_ns"]?.int64 ?? .min, example: c["example"]?.string ?? "",
                          baseline: try budget.take(max(0, c["baseline"]?.int64 ?? 0), line: c.line), counted: c["counted"]?.bool ?? false))
        }
        var partial = TrendPartial(aggregate: a, clusters: infos, signatures: try readSignatures(root, path: path, budget: &budget),
                                   baseline: root["baseline"]?.bool ?? false,
                                   skipped: try budget.take(max(0, root["skipped"]?.int64 ?? 0), line: root.line),
                                   inputs: try budget.take(max(0, root["inputs"]?.int64 ?? 0), line: root.line))
        partial.metrics = try readMetrics(root, path: path, budget: &budget)
        return partial
    }

    /// `metrics: [{"name", "labels": {k: v}, "unit", "points": [[ns, "value"], …]}]`.
    static func readMetrics(_ root: JSONNode, path: String, budget: inout CountBudget) throws(PartialError) -> [MetricSeries] {
        var out: [MetricSeries] = []
        for m in root["metrics"]?.array ?? [] {
            guard let name = m["name"]?.string, !name.isEmpty else {
                throw PartialError(path: path, message: "line \(m.line): a metric series without a name")
            }
            var labels: [(key: String, value: String)] = []
            for (k, v) in m["labels"]?.members ?? [] {
                guard let s = v.string else { throw PartialError(path: path, message: "line \(v.line): a label value that is not a string") }
                labels.append((k, s))
            }
            let points = m["points"]?.array ?? []
            _ = try budget.take(Int64(points.count), line: m.line)
            var series = MetricSeries(name: name, labels: labels, unit: m["unit"]?.string)
            series.points.reserveCapacity(points.count)
            for p in points {
                guard let pair = p.array, pair.count == 2, let t = pair[0].int64, let text = pair[1].string,
                      let v = text.utf8.withContiguousStorageIfAvailable({ TableValues.double($0) }) ?? nil else {
                    throw PartialError(path: path, message: "line \(p.line): a metric point is not [time_ns, \"value\"]")
                }
                series.points.append(MetricSeries.Point(time: t, value: v))
            }
            out.append(series)
        }
        return out
    }

    /// Merges report partials (in input order) into one aggregate, patterns mined once.
    public static func mergeReports(_ parts: [TrendPartial]) throws(PartialError) -> (aggregate: TrendAggregate, baseline: Bool, skipped: Int, inputs: Int, metrics: [MetricSeries]) {
        guard let first = parts.first else { throw PartialError(path: "", message: "no report partials") }
        try checkCount(parts.count)
        let fixed = first.aggregate.fixedWidth ? first.aggregate.bucketNanos : nil
        let agg = TrendAggregator(bucketNanos: fixed, patterns: true)
        do {
            for p in parts { try agg.absorb(p) }
        } catch {
            throw PartialError(path: "", message: error.description)
        }
        // Series of the same name and labels from several partials are joined, points in time order.
        var metrics = MetricCollector()
        metrics.series = parts.flatMap(\.metrics)
        return (agg.finish(), parts.contains { $0.baseline }, parts.reduce(0) { $0 + $1.skipped }, parts.reduce(0) { $0 + $1.inputs },
                metrics.finish())
    }
}

/// Every count a partial result holds, added up as it is read: a file whose counts
/// pass `limit` (2^48, far beyond any archive) is refused, so that summing up to
/// `PartialResult.maxParts` files cannot overflow.
struct CountBudget {
    static let limit: Int64 = 1 << 48
    let path: String
    var used: Int64 = 0

    mutating func take(_ n: Int64, line: Int) throws(PartialError) -> Int {
        guard n >= 0, n <= Self.limit - used else {
            throw PartialError(path: path, message: "line \(line): its counts add up to more than 2^48; not a partial result inquest wrote")
        }
        used += n
        return Int(n)
    }
}

public struct PartialError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }
}
