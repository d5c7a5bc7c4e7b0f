/// A mergeable latency histogram with logarithmic buckets (about 2 % relative error),
/// for percentiles without keeping samples; two histograms add bucket by bucket.
public struct LatencyHistogram: Sendable, Equatable {
    /// Bucket index → count. Index 0 holds values below 1 µs.
    public private(set) var buckets: [Int32: Int] = [:]
    public private(set) var count = 0
    public private(set) var sumNanos: Double = 0
    public private(set) var maxNanos: Int64 = 0

    static let base = 1.02
    static let logBase = log(1.02)

    public init() {}

    /// A histogram from its parts (as a partial result file stores them); nil when they
    /// do not agree (a count that is not the sum of the buckets, negative values).
    public init?(buckets: [Int32: Int], sumNanos: Double, maxNanos: Int64) {
        var total = 0
        for (k, v) in buckets {
            guard k >= 0, k <= Self.maxIndex, v > 0 else { return nil }
            let (t, o) = total.addingReportingOverflow(v)
            guard !o else { return nil }
            total = t
        }
        guard sumNanos.isFinite, sumNanos >= 0, maxNanos >= 0 else { return nil }
        self.buckets = buckets
        self.count = total
        self.sumNanos = sumNanos
        self.maxNanos = maxNanos
    }

    /// The bucket of the longest duration there is (`Int64.max` nanoseconds).
    public static let maxIndex = index(.max)

    static func index(_ nanos: Int64) -> Int32 {
        guard nanos >= 1000 else { return 0 }
        return Int32(log(Double(nanos) / 1000) / logBase) + 1
    }

    /// The value a bucket stands for (its geometric middle).
    static func value(_ index: Int32) -> Int64 {
        guard index > 0 else { return 500 }
        let v = 1000 * pow(base, Double(index - 1) + 0.5)
        return v < 0x1p63 ? Int64(v) : .max
    }

    public mutating func record(_ nanos: Int64) {
        buckets[Self.index(max(0, nanos)), default: 0] += 1
        count += 1
        sumNanos += Double(nanos)
        maxNanos = max(maxNanos, nanos)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for (k, v) in other.buckets { buckets[k, default: 0] += v }
        count += other.count
        sumNanos += other.sumNanos
        maxNanos = max(maxNanos, other.maxNanos)
    }

    /// The `q` quantile (0…1), nil when empty.
    public func quantile(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for k in buckets.keys.sorted() {
            seen += buckets[k] ?? 0
            if seen >= rank { return min(Self.value(k), maxNanos) }
        }
        return maxNanos
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
