/// Log template mining in the Drain family, in two stages.
///
/// Online: each message is masked (`MessageMasker`) and its signature — the masked
/// token sequence — looked up in a hash table of byte strings; a record costs one
/// pass over its bytes and no allocation unless its signature is new.
///
/// At the end (`finish`): signatures of the same length are merged where one token
/// position varies across many signatures that agree everywhere else (a column with
/// at least `distinctValues` different words is a variable; after words that name
/// something — `user`, `host`, `file`… — `namedDistinctValues` suffice). The first
/// token is merged away only when every value in its column is a dotted name
/// (`com.example.Job:`), and a merge must leave enough constant tokens. This finds
/// variables without digits (user names, states, dotted names) while two or three
/// alternatives stay separate templates (`opened` / `closed`).
///
/// Then a signature joins a more general one of the same length that agrees with it
/// wherever that one is constant (a position variable in either is variable in both).
/// A word with digits that every sampled value in the table spells one way
/// (`ssh2`, not `node7`/`node12`) is written as a word (`PatternMiner.constantWords`).
/// Each template is written from its variables' sampled values
/// (`MessageMasker+Writing.swift`, `PatternMiner.written`), the way Loghub-2.0 labels
/// spell templates.
///
/// Measured on the Loghub-2k sets with these defaults: see `Benchmarks/README.md`.
public final class PatternMiner {
    public struct Options: Sendable {
        /// Distinct words in one position that make it a variable.
        public var distinctValues = 5
        /// The same after a naming word (`user alice`, `host db1`).
        public var namedDistinctValues = 3
        /// Constant tokens that must remain after a merge, as a count and as a share.
        public var minimumConstants = 2
        public var minimumConstantShare = 0.3
        /// Longer signatures are not column-merged.
        public var maximumMergeTokens = 128
        /// Records whose variable values are sampled in full per signature; after that, one in `valueSampleEvery`.
        public var valueSampleFirst = 100
        public var valueSampleEvery = 16
        /// Records a word with digits must be seen in, always spelled the same way, to be
        /// written as a constant (`ssh2`) rather than `<*>` (`PatternMiner.constantWords`).
        public var constantEvidence = 3.0
        public init() {}
    }

    public let options: Options
    /// Everything `add` changes, in one struct: a class's stored properties are each
    /// checked for exclusive access at run time, a call on every access, where the
    /// properties of a struct changed in place are not.
    var store: Store
    var masker: MessageMasker { store.masker }
    var arena: [UInt8] { store.arena }
    var clusters: [Cluster] { store.clusters }

    struct Cluster {
        var start: Int
        var length: Int
        var hash: UInt64
        var tokenCount: Int
        var count = 0
        var baselineCount = 0
        var first: Timestamp?
        var last: Timestamp?
        var level = Level.unknown
        var errors = 0
        var example: String
        /// Sampled values per token position of the variable slots, counted in the records they stand for.
        var values: [Int: [String: Int]] = [:]
        /// The records the sampled values stand for (the first `valueSampleFirst` one each,
        /// then each sampled one for those since the one before): what a kept value's
        /// count is a share of. Never more than `count`.
        var sampled = 0

        /// Takes in the time range `f`…`l`.
        mutating func widen(_ f: Timestamp?, _ l: Timestamp?) { PatternMiner.widen(&first, &last, by: f, l) }

        /// Counts one record.
        mutating func record(at time: Timestamp?, level: Level, baseline: Bool) {
            count += 1
            if baseline { baselineCount += 1 }
            if level > self.level { self.level = level }
            if level >= .error && !baseline { errors += 1 }
            PatternMiner.widen(&first, &last, by: time, time)
        }
    }

    public init(options: Options = Options()) {
        self.options = options
        self.store = Store()
    }

    /// Number of distinct signatures so far.
    public var signatureCount: Int { clusters.count }

    /// Adds one message (its first line); returns its cluster number, which
    /// `PatternTable.patternIndex(forCluster:)` maps to a pattern after `finish()`.
    @discardableResult
    public func add(_ message: String, at time: Timestamp? = nil, level: Level = .unknown, baseline: Bool = false) -> Int {
        var message = message
        return message.withUTF8 { add(bytes: $0, at: time, level: level, baseline: baseline) }
    }

    /// Adds one message given as UTF-8 bytes.
    @discardableResult
    public func add(bytes: UnsafeBufferPointer<UInt8>, at time: Timestamp? = nil, level: Level = .unknown,
                    baseline: Bool = false) -> Int {
        store.add(bytes, at: time, level: level, baseline: baseline, options: options)
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The signatures seen, in a hash table of byte strings (open addressing over the
    /// arena), with the masker that makes them.
    struct Store {
        var masker = MessageMasker()
        var arena: [UInt8] = []
        var table: [Int32] = Array(repeating: -1, count: 1024)
        var clusters: [Cluster] = []

        mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, at time: Timestamp?, level: Level, baseline: Bool,
                          options: Options) -> Int {
            masker.mask(bytes)
            let h = PatternMiner.hash(masker.signature)
            let index = lookup(h)
            let c = index >= 0 ? index : insert(h, example: bytes)
            clusters[c].record(at: time, level: level, baseline: baseline)
            let n = clusters[c].count
            if !masker.slots.isEmpty, n <= options.valueSampleFirst || n % options.valueSampleEvery == 0 {
                // A record sampled after the first ones stands for the records skipped
                // since the one sampled before it.
                let weight = n <= options.valueSampleFirst ? 1 : n - max(options.valueSampleFirst, n - options.valueSampleEvery)
                clusters[c].sampled += weight
                sampleValues(c, bytes, weight: weight)
            }
            return c
        }

        private mutating func sampleValues(_ c: Int, _ bytes: UnsafeBufferPointer<UInt8>, weight: Int) {
            for slot in masker.slots {
                let v = String(decoding: UnsafeBufferPointer(rebasing: bytes[slot.start..<slot.end]), as: UTF8.self)
                // In place: copying the dictionary out and back would copy it on every sample.
                PatternMiner.sample(v, weight: weight, into: &clusters[c].values[slot.token, default: [:]])
            }
        }

        /// The cluster of the masker's signature (hashed to `h`), or -1.
        func lookup(_ h: UInt64) -> Int {
            let mask = table.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let i = Int(table[slot])
                if i < 0 { return -1 }
                if clusters[i].hash == h, clusters[i].length == masker.signature.count, equalsArena(clusters[i].start) { return i }
                slot = (slot + 1) & mask
            }
        }

        private func equalsArena(_ start: Int) -> Bool {
            arena.withUnsafeBufferPointer { a in
                masker.signature.withUnsafeBufferPointer { s in
                    guard let ab = a.baseAddress, let sb = s.baseAddress else { return s.isEmpty }
                    return memcmp(ab + start, sb, s.count) == 0
                }
            }
        }

        private mutating func insert(_ h: UInt64, example: UnsafeBufferPointer<UInt8>) -> Int {
            var line = example.count
            if let nl = example.firstIndex(of: 0x0A) { line = nl }
            let text = String(decoding: UnsafeBufferPointer(rebasing: example[0..<min(line, 2000)]), as: UTF8.self)
            return insert(hash: h, tokenCount: masker.tokenCount, example: text)
        }

        /// Adds the masker's signature as a new cluster.
        mutating func insert(hash h: UInt64, tokenCount: Int, example: String) -> Int {
            if (clusters.count + 1) * 2 > table.count { grow() }
            let i = clusters.count
            clusters.append(Cluster(start: arena.count, length: masker.signature.count, hash: h, tokenCount: tokenCount,
                                    example: example))
            arena.append(contentsOf: masker.signature)
            place(i, h)
            return i
        }

        private mutating func place(_ i: Int, _ h: UInt64) {
            let mask = table.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(i)
        }

        private mutating func grow() {
            table = Array(repeating: -1, count: table.count * 2)
            for (i, c) in clusters.enumerated() { place(i, c.hash) }
        }

        /// Adds a signature's counts (`PatternMiner.merge`).
        mutating func merge(_ s: SignatureState) -> Int {
            masker.signature = Array(s.signature.utf8)
            let h = PatternMiner.hash(masker.signature)
            var c = lookup(h)
            if c < 0 { c = insert(hash: h, tokenCount: s.tokenCount, example: s.example) }
            clusters[c].count += s.count
            clusters[c].baselineCount += s.baselineCount
            clusters[c].errors += s.errors
            clusters[c].sampled += s.sampled
            if s.level > clusters[c].level { clusters[c].level = s.level }
            clusters[c].widen(s.first, s.last)
            for (position, values) in s.values {
                var mine = clusters[c].values[position] ?? [:]
                for (v, n) in values { mine[v, default: 0] += n }
                clusters[c].values[position] = mine
            }
            return c
        }
    }

    /// Widens the time range `first`…`last` to take in `f`…`l` (either may be absent).
    @inline(__always)
    static func widen(_ first: inout Timestamp?, _ last: inout Timestamp?, by f: Timestamp?, _ l: Timestamp?) {
        if let f, first.map({ f < $0 }) ?? true { first = f }
        if let l, last.map({ l > $0 }) ?? true { last = l }
    }

    /// Counts a sampled value that stands for `weight` records.
    static func sample(_ v: String, weight: Int, into values: inout [String: Int]) {
        // One lookup for a value already kept (the common case), not two.
        if let i = values.index(forKey: v) {
            values.values[i] += weight
            return
        }
        if values.count < 16 {
            values[v] = weight
            return
        }
        // Misra–Gries, weighted: a new value wears every kept value down by its weight,
        // or by the least kept count if that is less; it takes a freed place, so that a
        // position of unique values (IDs) always keeps some examples to write its
        // template from.
        var least = weight
        for x in values.values where x < least { least = x }
        for (k, x) in values { if x <= least { values[k] = nil } else { values[k] = x - least } }
        if values.count < 16 { values[v] = weight }
    }

    // MARK: - Partial results

    /// One signature's state, as a partial result stores it.
    public struct SignatureState: Sendable {
        public var signature: String
        public var tokenCount: Int
        public var count: Int
        public var baselineCount: Int
        public var first: Timestamp?
        public var last: Timestamp?
        public var level: Level
        public var errors: Int
        public var example: String
        /// Sampled values by token position.
        public var values: [Int: [String: Int]]
        /// The records the sampled values stand for.
        public var sampled: Int

        /// `sampled` defaults to the records one run with the default options samples of
        /// `count` records: a partial result written before samples had weights.
        public init(signature: String, tokenCount: Int, count: Int, baselineCount: Int, first: Timestamp?, last: Timestamp?,
                    level: Level, errors: Int, example: String, values: [Int: [String: Int]], sampled: Int? = nil) {
            self.signature = signature; self.tokenCount = tokenCount; self.count = count; self.baselineCount = baselineCount
            self.first = first; self.last = last; self.level = level; self.errors = errors; self.example = example
            self.values = values
            self.sampled = values.isEmpty ? 0 : sampled ?? PatternMiner.sampledRecords(of: count, Options())
        }
    }

    /// How many records one run samples, of `count` records of one signature: a partial
    /// result written before samples had weights counts each sampled record once.
    static func sampledRecords(of count: Int, _ o: Options) -> Int {
        let first = min(count, o.valueSampleFirst)
        guard count > o.valueSampleFirst, o.valueSampleEvery > 0 else { return first }
        return first + count / o.valueSampleEvery - o.valueSampleFirst / o.valueSampleEvery
    }

    /// Every signature seen, in the order first seen (the mergeable state of the miner).
    public var signatures: [SignatureState] {
        clusters.map { c in
            SignatureState(signature: String(decoding: arena[c.start..<(c.start + c.length)], as: UTF8.self),
                           tokenCount: c.tokenCount, count: c.count, baselineCount: c.baselineCount, first: c.first,
                           last: c.last, level: c.level, errors: c.errors, example: c.example, values: c.values,
                           sampled: c.sampled)
        }
    }

    /// Adds a signature's counts (from a partial result over other inputs). Merging the
    /// partials of inputs in input order gives the miner one run over them all would
    /// have, but for the sampled variable values, which are approximate either way.
    @discardableResult
    public func merge(_ s: SignatureState) -> Int { store.merge(s) }

    /// The tokens of a signature as strings.
    func tokens(of c: Int) -> [String] {
        let arena = store.arena
        let cl = store.clusters[c]
        var result: [String] = []
        result.reserveCapacity(cl.tokenCount)
        var s = cl.start
        let end = cl.start + cl.length
        for k in cl.start..<end where arena[k] == 0x20 {
            result.append(String(decoding: arena[s..<k], as: UTF8.self))
            s = k + 1
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
