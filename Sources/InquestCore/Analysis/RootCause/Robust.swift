import Foundation

/// Robust statistics for comparing an incident with its baseline: order statistics,
/// the median absolute deviation, a quantile-averaged shift, and Pettitt's change
/// point. None of them assumes a distribution; all of them shrug off a few outliers.
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

    /// A change point in a sequence (in time order), by Pettitt's rank test.
    struct ChangePoint {
        /// Values before this index are the first segment.
        var index: Int
        /// Approximate two-sided p-value.
        var p: Double
        /// Mean rank after minus mean rank before, over n: positive when values rose.
        var direction: Double
    }

    /// Pettitt's test: the split where the ranks before and after differ most. Ties share
    /// their mean rank, so 0/1 series (errors) work. Segments shorter than `minSegment`
    /// are not considered.
    /// - Complexity: O(n log n).
    static func pettitt(_ x: [Double], minSegment: Int = 5, rising: Bool = true) -> ChangePoint? {
        let n = x.count
        guard n >= 2 * minSegment, n >= 4 else { return nil }
        let order = x.indices.sorted { x[$0] < x[$1] }
        var rank = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && x[order[j + 1]] == x[order[i]] { j += 1 }
            let r = Double(i + j + 2) / 2
            for k in i...j { rank[order[k]] = r }
            i = j + 1
        }
        var sum = 0.0, best = 0.0, bestK = -1
        let np1 = Double(n + 1)
        for k in 1..<n {
            sum += rank[k - 1]
            guard k >= minSegment, n - k >= minSegment else { continue }
            // U_k = 2 Σ r − k(n+1): negative when the first k are low (values rose after).
            let u = 2 * sum - Double(k) * np1
            let v = rising ? -u : u
            if v > best { best = v; bestK = k }
        }
        guard bestK > 0 else { return nil }
        let nn = Double(n)
        let p = min(1, 2 * exp(-6 * best * best / (nn * nn * nn + nn * nn)))
        var before = 0.0
        for k in 0..<bestK { before += rank[k] }
        let after = (nn * (nn + 1) / 2 - before) / Double(n - bestK)
        return ChangePoint(index: bestK, p: p, direction: (after - before / Double(bestK)) / nn)
    }
}
