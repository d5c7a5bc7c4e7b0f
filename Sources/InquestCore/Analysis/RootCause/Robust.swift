import Foundation

/// Robust statistics for comparing an incident with its baseline: order statistics,
/// the median absolute deviation, a quantile-averaged shift, and a rank-sum scan for
/// the stretch of a sequence that departed. None of them assumes a distribution; all of them shrug off a few outliers.
enum Robust {
    /// The `q`-quantile (0…1) of sorted values, by linear interpolation.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = q * Double(sorted.count - 1)
        let lo = Int(h.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    static func median(_ sorted: [Double]) -> Double { quantile(sorted, 0.5) }

    /// 1.4826 × the median absolute deviation: the standard deviation for normal data.
    static func scaledMAD(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let m = median(sorted)
        return 1.4826 * median(sorted.map { abs($0 - m) }.sorted())
    }

    /// The quantiles where two samples are compared: 5 % to 95 %, so that a change that
    /// touches one request in twenty still moves the top one.
    static let levels: [Double] = stride(from: 0.05, through: 0.951, by: 0.05).map { $0 }

    /// How far `after` lies above `before`: the mean of their differences at `levels`,
    /// a trimmed mean shift that a fault on 5–20 % of requests moves (where the median
    /// would not) and a few wild values do not.
    static func shift(before: [Double], after: [Double]) -> Double {
        guard !before.isEmpty, !after.isEmpty else { return 0 }
        var s = 0.0
        for q in levels { s += quantile(after, q) - quantile(before, q) }
        return s / Double(levels.count)
    }

    /// Wilcoxon rank-sum z of `after` against `before` (both sorted; positive: `after`
    /// higher), ties counted as halves, by one merge.
    static func rankSumZ(before: [Double], after: [Double]) -> Double {
        let nb = Double(before.count), na = Double(after.count)
        guard nb > 0, na > 0 else { return 0 }
        // U: pairs with after > before, plus half the ties.
        var u = 0.0
        var lo = 0, hi = 0
        for a in after {
            while lo < before.count && before[lo] < a { lo += 1 }
            if hi < lo { hi = lo }
            while hi < before.count && before[hi] <= a { hi += 1 }
            u += Double(lo) + Double(hi - lo) / 2
        }
        let mean = na * nb / 2
        let sd = (na * nb * (na + nb + 1) / 12).squareRoot()
        return sd > 0 ? (u - mean) / sd : 0
    }

    /// How far more of `after` than expected lies above `before`'s upper quantiles (75 %
    /// and 90 %): the larger binomial z. A fault on a few requests in ten moves the tail
    /// well before it moves the ranks as a whole.
    static func tailZ(before: [Double], after: [Double]) -> Double {
        // A binomial z means little on a handful of points.
        guard before.count >= 20, after.count >= 10 else { return 0 }
        let na = Double(after.count)
        var best = -Double.infinity
        for q in [0.75, 0.9] {
            let cut = quantile(before, q)
            // Share of `before` strictly above the cut (ties at the cut stay below).
            var k = 0
            for v in before.reversed() { if v > cut { k += 1 } else { break } }
            let p = min(max(Double(k) / Double(before.count), 0.01), 0.99)
            var m = 0
            for v in after.reversed() { if v > cut { m += 1 } else { break } }
            best = max(best, (Double(m) - p * na) / (na * p * (1 - p)).squareRoot())
        }
        return best
    }

    /// A departure in a sequence (in time order): a stretch whose values differ from
    /// those outside it.
    struct Segment {
        /// The stretch: `start..<end`.
        var start: Int
        var end: Int
        /// Rank-sum z of the stretch against the rest (positive: higher inside).
        var z: Double
    }

    /// The stretch of a sequence whose ranks differ most from the rest's, by the
    /// Wilcoxon rank-sum z of the stretch against the values outside it. A change that
    /// lasts to the end is the stretch from the change on; an incident that ended is a
    /// stretch in the middle. Ties share their mean rank, so 0/1 series (errors) work.
    /// Boundaries are tried on a grid of at most `grid` + 1 positions.
    /// - Parameter higher: look for a stretch of higher values (else lower).
    /// - Complexity: O(n log n + grid²).
    static func segment(_ x: [Double], minSegment: Int = 5, higher: Bool = true, grid: Int = 200) -> Segment? {
        let n = x.count
        guard n >= 2 * minSegment, n >= 4 else { return nil }
        let order = x.indices.sorted { x[$0] < x[$1] }
        var rank = [Double](repeating: 0, count: n)
        var i = 0
        var tieCorrection = 0.0
        while i < n {
            var j = i
            while j + 1 < n && x[order[j + 1]] == x[order[i]] { j += 1 }
            let r = Double(i + j + 2) / 2
            for k in i...j { rank[order[k]] = r }
            let t = Double(j - i + 1)
            tieCorrection += t * t * t - t
            i = j + 1
        }
        let nn = Double(n)
        // Variance of a rank sum of m values, corrected for ties.
        let tieFactor = 1 - tieCorrection / (nn * nn * nn - nn)
        guard tieFactor > 0 else { return nil }
        var prefix = [Double](repeating: 0, count: n + 1)
        for k in 0..<n { prefix[k + 1] = prefix[k] + rank[k] }
        let step = max(1, n / grid)
        var cuts = Array(stride(from: 0, to: n, by: step))
        if cuts.last != n { cuts.append(n) }
        var best: Segment?
        for a in cuts.indices {
            for b in (a + 1)..<cuts.count {
                let lo = cuts[a], hi = cuts[b]
                let m = Double(hi - lo)
                guard hi - lo >= minSegment, n - (hi - lo) >= minSegment else { continue }
                let w = prefix[hi] - prefix[lo]
                let mean = m * (nn + 1) / 2
                let sd = (m * (nn - m) * (nn + 1) / 12 * tieFactor).squareRoot()
                guard sd > 0 else { continue }
                let z = (w - mean) / sd
                if (higher ? z : -z) > (best.map { higher ? $0.z : -$0.z } ?? 0) { best = Segment(start: lo, end: hi, z: z) }
            }
        }
        return best
    }
}
