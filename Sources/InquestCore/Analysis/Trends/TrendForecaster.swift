#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A short forecast of a series with a 95 % prediction interval, and its trend in words.
///
/// With a daily cycle (`AnomalyDetector.period`), seasonal naive with drift: the next
/// day's bucket at 14:00 is the median of the last seven days at 14:00, moved by the
/// trend; the interval comes from how far buckets strayed from that same prediction in
/// the past. Without one, Holt's linear exponential smoothing (α 0.5, β 0.2), the
/// interval from its one-step errors widened with the horizon as the model implies.
///
/// The trend is the Theil–Sen slope (the median of pairwise slopes, robust to spikes):
/// of daily means when the series spans three days or more, else of the buckets; it is
/// put relative to the series' mean level, per day (per hour for ranges under a day).
public enum TrendForecaster {
    public struct Point: Sendable, Equatable {
        public var bucket: Int
        public var value: Double
        public var low: Double
        public var high: Double
    }

    public struct Forecast: Sendable {
        /// Forecast buckets, numbered after the series' last (`count`, `count + 1`…).
        public var points: [Point]
        public var method: String
    }

    public struct Direction: Sendable, Equatable {
        /// Relative change per `unit` (0.12 = 12 %), nil when the level is zero or unknown.
        public var change: Double?
        public var unit: String
        public var words: String
    }

    /// Forecasts `values` (nil buckets skipped); `bounds` clamps the values (counts ≥ 0, ratios 0…1).
    public static func forecast(_ values: [Double?], period: Int?, bounds: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude) -> Forecast? {
        let known = values.compactMap { $0 }
        guard known.count >= 4 else { return nil }
        func clamp(_ v: Double) -> Double { min(max(v, bounds.lowerBound), bounds.upperBound) }
        if let p = period, values.count >= 2 * p {
            let horizon = min(p, 48)
            let slope = theilSen(daily(values, period: p)) / Double(p)  // per bucket
            // Past errors of the same predictor: each bucket against the median of its previous days.
            let base = AnomalyDetector.baseline(values, period: p, options: { var o = AnomalyDetector.Options(); o.seasonalDays = 7; return o }())
            var residuals: [Double] = []
            for i in values.indices { if let v = values[i], let b = base[i] { residuals.append(v - b.median) } }
            let sigma = max(1.4826 * mad(residuals), 0.5 * rms(residuals))
            var points: [Point] = []
            let n = values.count
            for h in 0..<horizon {
                let target = n + h
                var same: [Double] = []
                var j = target - p
                while j >= 0 && same.count < 7 { if let v = values[j] { same.append(v) }; j -= p }
                guard !same.isEmpty else { continue }
                let k = Double(same.count)
                let y = median(same) + slope * Double(p) * (k + 1) / 2
                let w = 1.96 * sigma * (1 + 1 / k).squareRoot()
                points.append(Point(bucket: target, value: clamp(y), low: clamp(y - w), high: clamp(y + w)))
            }
            return Forecast(points: points, method: "seasonal naive with drift")
        }
        // Holt's linear method.
        let alpha = 0.5, beta = 0.2
        var level = known[0]
        var trend = known.count > 1 ? known[1] - known[0] : 0
        var errors: [Double] = []
        var started = false
        var lastIndex = 0
        for (i, v) in values.enumerated() {
            guard let v else { continue }
            if !started { started = true; lastIndex = i; continue }
            let steps = Double(i - lastIndex)
            let predicted = level + steps * trend
            errors.append(v - predicted)
            let newLevel = alpha * v + (1 - alpha) * predicted
            trend = beta * (newLevel - level) / max(1, steps) + (1 - beta) * trend
            level = newLevel
            lastIndex = i
        }
        let sigma = max(1.4826 * mad(errors), rms(errors) * 0.5)
        let horizon = min(24, max(3, values.count / 10))
        var points: [Point] = []
        var spread = 0.0
        let ahead = values.count - 1 - lastIndex
        for h in 1...horizon {
            if h > 1 { let j = Double(h - 1); spread += alpha * alpha * (1 + j * beta) * (1 + j * beta) }
            let y = level + Double(h + ahead) * trend
            let w = 1.96 * sigma * (1 + spread).squareRoot()
            points.append(Point(bucket: values.count - 1 + h, value: clamp(y), low: clamp(y - w), high: clamp(y + w)))
        }
        return Forecast(points: points, method: "Holt's linear")
    }

    /// The trend of a series in words: "rising 12 %/day", "falling 3 %/h", "flat".
    public static func direction(_ values: [Double?], bucketNanos: Int64, period: Int?) -> Direction {
        let spanNanos = Double(values.count) * Double(bucketNanos)
        let perDay = spanNanos >= Double(TrendBucketing.day)
        let unitNanos = perDay ? Double(TrendBucketing.day) : 3600e9
        let unit = perDay ? "day" : "h"
        let known = values.compactMap { $0 }
        guard known.count >= 4 else { return Direction(change: nil, unit: unit, words: "too little data") }
        let level = known.reduce(0, +) / Double(known.count)
        guard level > 0 else { return Direction(change: nil, unit: unit, words: "flat") }
        // Slope per step of the points fitted, and how far they stray from the line.
        let pts: [Double?]
        let stepNanos: Double
        if let p = period, values.count >= 3 * p {
            pts = daily(values, period: p)
            stepNanos = Double(TrendBucketing.day)
        } else {
            pts = values
            stepNanos = Double(bucketNanos)
        }
        let slope = theilSen(pts)
        var residuals: [Double] = []
        for (i, v) in pts.enumerated() { if let v { residuals.append(v - slope * Double(i)) } }
        let noise = 1.4826 * mad(residuals)
        let change = slope * unitNanos / stepNanos / level
        let total = abs(slope) * Double(max(1, pts.count - 1))
        // Flat: a change over the range under 10 % of the level, or within the noise.
        if total < 0.1 * level || total < noise || abs(change) < 0.005 { return Direction(change: change, unit: unit, words: "flat") }
        let pct = abs(change) * 100
        let shown = pct >= 10 ? String(Int(pct.rounded())) : String(Double(Int(pct * 10 + 0.5)) / 10)
        return Direction(change: change, unit: unit, words: "\(change > 0 ? "rising" : "falling") \(shown) %/\(unit)")
    }

    /// Mean of each whole day of buckets (nil for a day without data).
    static func daily(_ values: [Double?], period: Int) -> [Double?] {
        stride(from: 0, to: values.count - period + 1, by: period).map { s in
            let day = values[s..<(s + period)].compactMap { $0 }
            return day.isEmpty ? nil : day.reduce(0, +) / Double(day.count)
        }
    }

    /// Theil–Sen slope per step of `values` (pairs of known values; thinned to 400 points).
    static func theilSen(_ values: [Double?]) -> Double {
        var pts: [(Double, Double)] = []
        for (i, v) in values.enumerated() { if let v { pts.append((Double(i), v)) } }
        if pts.count > 400 {
            let step = Double(pts.count) / 400
            pts = (0..<400).map { pts[Int(Double($0) * step)] }
        }
        guard pts.count >= 2 else { return 0 }
        var slopes: [Double] = []
        slopes.reserveCapacity(pts.count * (pts.count - 1) / 2)
        for a in 0..<pts.count {
            for b in (a + 1)..<pts.count { slopes.append((pts[b].1 - pts[a].1) / (pts[b].0 - pts[a].0)) }
        }
        return median(slopes)
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        let h = s.count / 2
        return s.count % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2
    }

    static func mad(_ xs: [Double]) -> Double {
        let m = median(xs)
        return median(xs.map { abs($0 - m) })
    }

    static func rms(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        return (xs.reduce(0) { $0 + $1 * $1 } / Double(xs.count)).squareRoot()
    }
}
