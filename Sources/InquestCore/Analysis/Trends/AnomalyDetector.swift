#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds buckets that depart from a robust trailing baseline.
///
/// The expected value of a bucket is the median of the buckets before it
/// (`TrailingBaseline`); when the series spans two days or more and a day is a whole
/// number of buckets, of the same time of day on up to seven previous days instead, so a
/// daily cycle is not taken for anomalies. The spread is the median absolute deviation
/// of the same values (× 1.4826, a standard deviation for normal data), floored by the
/// noise the kind of series has anyway — Poisson for counts, binomial for ratios, a
/// share of the value that shrinks as 1/√n for a percentile of n requests — so that a quiet baseline (MAD 0) does not turn
/// every wobble into an anomaly. The score is (observed − expected) ÷ spread.
///
/// Consecutive flagged buckets (a one-bucket gap allowed) form one anomaly, reported at
/// its strongest bucket. Ratios and latencies are flagged upward only (fewer errors
/// or faster responses are not incidents); counts both ways.
public enum AnomalyDetector {
    public enum Kind: Sendable { case count, ratio, latency, gauge }

    public struct Options: Sendable {
        /// Least |score| that flags a bucket.
        public var threshold = 5.0
        /// Buckets of the trailing window without seasonality.
        public var window = 24
        /// Days compared with for seasonal series.
        public var seasonalDays = 7
        /// Least requests (or records) in a bucket for a ratio to be judged (twenty for a percentile).
        public var minimumSupport = 3
        public init() {}
    }

    /// One bucket's verdict.
    public struct Point: Sendable, Equatable {
        public var expected: Double
        public var score: Double
    }

    /// One run of anomalous buckets of a series, at its strongest bucket.
    public struct Run: Sendable, Equatable {
        public var first: Int
        public var last: Int
        public var peak: Int
        public var observed: Double
        public var expected: Double
        public var score: Double
    }

    /// Buckets per day when the series should be compared with previous days: the
    /// width divides a day into two or more buckets, and `count` spans at least two days.
    public static func period(bucketNanos: Int64, count: Int) -> Int? {
        guard bucketNanos > 0, TrendBucketing.day % bucketNanos == 0 else { return nil }
        let p = Int(TrendBucketing.day / bucketNanos)
        return p >= 2 && count >= 2 * p ? p : nil
    }

    /// Expected value and spread for every bucket (nil where the baseline has too little data).
    public static func baseline(_ values: [Double?], period: Int?, options: Options = Options()) -> [(median: Double, spread: Double)?] {
        var out = [(median: Double, spread: Double)?](repeating: nil, count: values.count)
        if let p = period {
            for phase in 0..<min(p, values.count) {
                let idx = Array(stride(from: phase, to: values.count, by: p))
                let sub = idx.map { values[$0] }
                let med = TrailingBaseline.median(sub, window: options.seasonalDays, minimum: 3)
                let mad = trailingMAD(sub, medians: med, window: options.seasonalDays)
                for (k, i) in idx.enumerated() { if let m = med[k], let d = mad[k] { out[i] = (m, 1.4826 * d) } }
            }
        } else {
            let med = TrailingBaseline.median(values, window: options.window, minimum: 3)
            let mad = trailingMAD(values, medians: med, window: options.window)
            for i in values.indices { if let m = med[i], let d = mad[i] { out[i] = (m, 1.4826 * d) } }
        }
        return out
    }

    /// The median absolute deviation of the window before each bucket from that window's median.
    static func trailingMAD(_ values: [Double?], medians: [Double?], window: Int) -> [Double?] {
        values.indices.map { i in
            guard let m = medians[i] else { return nil }
            let past = values[max(0, i - window)..<i].compactMap { $0 }.map { abs($0 - m) }.sorted()
            guard !past.isEmpty else { return nil }
            let h = past.count / 2
            return past.count % 2 == 1 ? past[h] : (past[h - 1] + past[h]) / 2
        }
    }

    /// Scores each bucket. `support` is the number of requests or records behind each
    /// value (for ratios and percentiles); `judged` excludes buckets (partly covered edges).
    public static func score(_ values: [Double?], kind: Kind, support: [Int]? = nil, period: Int?, judged: Range<Int>? = nil,
                             options: Options = Options()) -> [Point?] {
        let base = baseline(values, period: period, options: options)
        var out = [Point?](repeating: nil, count: values.count)
        let range = judged ?? values.indices
        for i in range where i >= 0 && i < values.count {
            guard let v = values[i], let b = base[i] else { continue }
            let n = support.map { $0[i] } ?? 0
            let e = b.median
            var spread = b.spread
            switch kind {
            case .count:
                spread = max(spread, (max(e, 1)).squareRoot(), 0.05 * e)
                // A practical difference, not only a significant one.
                guard abs(v - e) >= max(3, 0.3 * e) else { continue }
                // A drop is only meaningful where much was expected.
                if v < e && e < 10 { continue }
            case .ratio:
                guard n >= options.minimumSupport else { continue }
                let p = min(max(e, 0.005), 0.995)
                spread = max(spread, (p * (1 - p) / Double(n)).squareRoot(), 0.002)
                guard v - e >= 0.02 else { continue }
            case .gauge:
                // A level in its own unit (CPU %, bytes, seconds): either way, by at least a
                // quarter of the expected level, beyond the noise of the series.
                spread = max(spread, 0.05 * abs(e), 1e-9)
                guard abs(v - e) >= max(0.25 * abs(e), 1e-9) else { continue }
            case .latency:
                // A percentile of a handful of requests is close to their maximum: want more.
                guard n >= max(20, options.minimumSupport) else { continue }
                // The sampling error of a percentile of n values: about 1/√n of it, relative.
                spread = max(spread, e * max(0.15, 1 / Double(n).squareRoot()))
                guard v >= 1.3 * e else { continue }
            }
            guard spread > 0 else { continue }
            var z = (v - e) / spread
            // Small counts are skewed: no more surprise than the exact tail allows.
            switch kind {
            case .ratio:
                let k = Int((v * Double(n)).rounded())
                z = min(z, zScore(tail: binomialTail(k: k, n: n, p: min(max(e, 0.005), 0.995))))
            case .count where v > e && e < 400:
                z = min(z, zScore(tail: poissonTail(k: Int(v.rounded()), mean: max(e, 0.5))))
            default: break
            }
            out[i] = Point(expected: e, score: z)
        }
        return out
    }

    /// P(X ≥ k) for X ~ Binomial(n, p), summed in log space.
    static func binomialTail(k: Int, n: Int, p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n else { return 0 }
        let lp = log(p), lq = log(1 - p)
        var total = 0.0
        for j in k...n {
            let lc = lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1))
            let term = exp(lc + Double(j) * lp + Double(n - j) * lq)
            total += term
            if term < total * 1e-12 { break }
        }
        return min(1, total)
    }

    /// P(X ≥ k) for X ~ Poisson(mean).
    static func poissonTail(k: Int, mean: Double) -> Double {
        guard k > 0 else { return 1 }
        var total = 0.0
        var j = k
        while true {
            let term = exp(Double(j) * log(mean) - mean - lgamma(Double(j + 1)))
            total += term
            if term < total * 1e-12 || j > k + 10_000 { break }
            j += 1
        }
        return min(1, total)
    }

    /// The one-sided normal score of a tail probability (asymptotic; exact enough past 2).
    static func zScore(tail p: Double) -> Double {
        guard p > 0 else { return 40 }
        guard p < 0.5 else { return 0 }
        let l = -2 * log(p)
        return max(0, (l - log(l) - log(2 * Double.pi)).squareRoot())
    }

    /// Runs of buckets whose |score| reaches the threshold.
    public static func runs(_ values: [Double?], points: [Point?], options: Options = Options()) -> [Run] {
        var runs: [Run] = []
        var current: Run?
        for i in points.indices {
            guard let p = points[i], abs(p.score) >= options.threshold, let v = values[i] else { continue }
            if var c = current, i - c.last <= 2, (p.score > 0) == (c.score > 0) {
                c.last = i
                if abs(p.score) > abs(c.score) { c.peak = i; c.observed = v; c.expected = p.expected; c.score = p.score }
                current = c
            } else {
                if let c = current { runs.append(c) }
                current = Run(first: i, last: i, peak: i, observed: v, expected: p.expected, score: p.score)
            }
        }
        if let c = current { runs.append(c) }
        return runs
    }
}
