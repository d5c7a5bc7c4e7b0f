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

    public static let version = 1

    public var kind: String {
        switch self { case .deps: return "deps"; case .patterns: return "patterns" }
    }

    /// Combines partials of one kind.
    public static func merge(_ parts: [PartialResult]) throws(PartialError) -> PartialResult? {
        guard var first = parts.first else { return nil }
        for p in parts.dropFirst() {
            switch (first, p) {
            case (.deps(var a), .deps(let b)):
                a.merge(b)
                first = .deps(a)
            case (.patterns(let a), .patterns(let b)):
                for s in b.signatures { a.merge(s) }
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
                j.field("latency_sum_ns", e.latency.sumNanos)
                j.field("latency_max_ns", e.latency.maxNanos)
                // Log buckets as [index, count] pairs, in index order.
                j.beginArray("latency_buckets")
                for k in e.latency.buckets.keys.sorted() {
                    j.beginArray()
                    j.value(Int(k))
                    j.value(e.latency.buckets[k] ?? 0)
                    j.endArray()
                }
                j.endArray()
                j.endObject()
            }
            j.endArray()
        case .patterns(let miner):
            j.beginArray("signatures")
            for sig in miner.signatures {
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
        j.endObject()
        out.write(j.text + "\n")
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
                      let sum = e["latency_sum_ns"].flatMap({ Double($0.displayString) }),
                      let max = e["latency_max_ns"]?.int64 else {
                    throw PartialError(path: path, message: "line \(e.line): an edge lacks caller, callee, calls, errors or latency")
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
                d.add(caller, callee, dependency: e["dependency"]?.bool ?? false, calls: Int(calls), errors: Int(errors),
                      nanos: nil, latency: latency)
            }
            return .deps(d)
        case "patterns":
            let miner = PatternMiner()
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
                miner.merge(PatternMiner.SignatureState(
                    signature: signature, tokenCount: Int(tokens), count: Int(count), baselineCount: Int(baseline),
                    first: time("first"), last: time("last"), level: level, errors: Int(max(0, e["errors"]?.int64 ?? 0)),
                    example: example, values: values))
            }
            return .patterns(miner)
        case let other:
            throw PartialError(path: path, message: "unknown partial result kind \(other.map { "'\($0)'" } ?? "(none)")")
        }
    }
}

public struct PartialError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { "\(path): \(message)" }
}
