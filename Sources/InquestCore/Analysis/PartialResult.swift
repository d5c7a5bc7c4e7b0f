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

    public var kind: String {
        switch self { case .deps: return "deps"; case .patterns: return "patterns"; case .report: return "report" }
    }

    /// Combines deps or patterns partials (reports: `mergeReports`).
    public static func merge(_ parts: [PartialResult]) throws(PartialError) -> PartialResult? {
        guard var first = parts.first else { return nil }
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

    static func readHistogram(_ e: JSONNode, path: String) throws(PartialError) -> LatencyHistogram {
        guard let sum = e["latency_sum_ns"].flatMap({ Double($0.displayString) }), let max = e["latency_max_ns"]?.int64 else {
            throw PartialError(path: path, message: "line \(e.line): latency lacks latency_sum_ns or latency_max_ns")
        }
        var buckets: [Int32: Int] = [:]
        for pair in e["latency_buckets"]?.array ?? [] {
            guard let kv = pair.array, kv.count == 2, let k = kv[0].int64, let n = kv[1].int64,
                  k >= 0, k <= Int64(Int32.max), n > 0 else {
                throw PartialError(path: path, message: "line \(pair.line): a latency bucket is not [index, count]")
            }
            buckets[Int32(k), default: 0] += Int(n)
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

    static func readSignatures(_ root: JSONNode, path: String) throws(PartialError) -> [PatternMiner.SignatureState] {
        var result: [PatternMiner.SignatureState] = []
        for e in root["signatures"]?.array ?? [] {
            guard let signature = e["signature"]?.string, let tokens = e["tokens"]?.int64,
                  let count = e["count"]?.int64, let baseline = e["baseline"]?.int64,
                  count >= 0, baseline >= 0, baseline <= count, tokens >= 0,
                  let example = e["example"]?.string else {
                throw PartialError(path: path, message: "line \(e.line): a signature lacks signature, tokens, count, baseline or example")
            }
            func time(_ key: String) -> Timestamp? {
                guard let n = e[key + "_ns"]?.int64 else { return nil }
                return Timestamp(nanos: n, precision: UInt8(clamping: e[key + "_digits"]?.int64 ?? 9))
            }
            var values: [Int: [String: Int]] = [:]
            for (key, list) in e["values"]?.members ?? [] {
                guard let position = Int(key), position >= 0 else {
                    throw PartialError(path: path, message: "line \(list.line): a value position is not a number")
                }
                for pair in list.array ?? [] {
                    guard let kv = pair.array, kv.count == 2, let v = kv[0].string, let n = kv[1].int64, n > 0 else {
                        throw PartialError(path: path, message: "line \(pair.line): a value is not [text, count]")
                    }
                    values[position, default: [:]][v, default: 0] += Int(n)
                }
            }
            let level = Level(rawValue: UInt8(clamping: e["level"]?.int64 ?? 0)) ?? .unknown
            result.append(PatternMiner.SignatureState(
                signature: signature, tokenCount: Int(tokens), count: Int(count), baselineCount: Int(baseline),
                first: time("first"), last: time("last"), level: level, errors: Int(max(0, e["errors"]?.int64 ?? 0)),
                example: example, values: values))
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
                let latency = try readHistogram(e, path: path)
                d.add(caller, callee, dependency: e["dependency"]?.bool ?? false, calls: Int(calls), errors: Int(errors),
                      nanos: nil, latency: latency)
            }
            return .deps(d)
        case "patterns":
            let miner = PatternMiner()
            for sig in try readSignatures(root, path: path) { miner.merge(sig) }
            return .patterns(miner)
        case "report":
            return .report(try readReport(root, path: path))
        case let other:
            throw PartialError(path: path, message: "unknown partial result kind \(other.map { "'\($0)'" } ?? "(none)")")
        }
    }
}

extension PartialResult {
    static func readReport(_ root: JSONNode, path: String) throws(PartialError) -> TrendPartial {
        guard let width = root["bucket_ns"]?.int64, width > 0 else {
            throw PartialError(path: path, message: "a report partial lacks bucket_ns")
        }
        let fixed = root["fixed_width"]?.bool ?? false
        var a = TrendAggregate(bucketNanos: fixed ? width : nil)
        a.bucketNanos = width
        a.first = root["first_ns"]?.int64
        a.last = root["last_ns"]?.int64
        a.untimed = Int(max(0, root["untimed"]?.int64 ?? 0))
        a.services = (root["services"]?.array ?? []).compactMap(\.string)
        a.operations = (root["operations"]?.array ?? []).compactMap(\.string)
        let clusters = root["clusters"]?.array ?? []
        for row in root["logs"]?.array ?? [] {
            guard let v = row.array?.compactMap(\.int64), v.count == 5, v[0] >= 0, Int(v[0]) < a.services.count,
                  v[1] >= 0, v[1] <= 7, v[2] >= -1, v[2] < Int64(clusters.count), v[4] > 0 else {
                throw PartialError(path: path, message: "line \(row.line): a log cell is not [service, level, cluster, bucket, count]")
            }
            let key = TrendAggregate.LogCell(service: Int32(v[0]), level: UInt8(v[1]), pattern: Int32(v[2]), bucket: v[3])
            a.logCells[key, default: 0] += Int(v[4])
        }
        for e in root["requests"]?.array ?? [] {
            let cell = (e["cell"]?.string ?? "").split(separator: ",").compactMap { Int64($0) }
            guard cell.count == 4, cell[0] >= 0, Int(cell[0]) < a.services.count, cell[1] >= 0, Int(cell[1]) < a.operations.count,
                  let source = TrendAggregate.RequestSource(rawValue: UInt8(clamping: cell[2])),
                  let requests = e["requests"]?.int64, let errors = e["errors"]?.int64, requests >= 0, errors >= 0 else {
                throw PartialError(path: path, message: "line \(e.line): a request cell is malformed")
            }
            var tally = TrendAggregate.RequestTally()
            tally.requests = Int(requests)
            tally.errors = Int(errors)
            tally.latency = try readHistogram(e, path: path)
            let key = TrendAggregate.RequestCell(service: Int32(cell[0]), operation: Int32(cell[1]), source: source, bucket: cell[3])
            a.requestCells[key, default: TrendAggregate.RequestTally()].merge(tally)
        }
        let infos = clusters.map { c in
            (first: c["first_ns"]?.int64 ?? .max, last: c["last_ns"]?.int64 ?? .min, example: c["example"]?.string ?? "",
             baseline: Int(max(0, c["baseline"]?.int64 ?? 0)), counted: c["counted"]?.bool ?? false)
        }
        return TrendPartial(aggregate: a, clusters: infos, signatures: try readSignatures(root, path: path),
                            baseline: root["baseline"]?.bool ?? false, skipped: Int(max(0, root["skipped"]?.int64 ?? 0)),
                            inputs: Int(max(0, root["inputs"]?.int64 ?? 0)))
    }

    /// Merges report partials (in input order) into one aggregate, patterns mined once.
    public static func mergeReports(_ parts: [TrendPartial]) throws(PartialError) -> (aggregate: TrendAggregate, baseline: Bool, skipped: Int, inputs: Int) {
        guard let first = parts.first else { throw PartialError(path: "", message: "no report partials") }
        let fixed = first.aggregate.fixedWidth ? first.aggregate.bucketNanos : nil
        let agg = TrendAggregator(bucketNanos: fixed, patterns: true)
        do {
            for p in parts { try agg.absorb(p) }
        } catch {
            throw PartialError(path: "", message: error.description)
        }
        return (agg.finish(), parts.contains { $0.baseline }, parts.reduce(0) { $0 + $1.skipped }, parts.reduce(0) { $0 + $1.inputs })
    }
}

public struct PartialError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }
}
