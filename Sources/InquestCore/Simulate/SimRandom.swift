#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The simulator's pseudo-random numbers: SplitMix64 (Steele, Lea and Flood), so that
/// one seed gives the same incident on every machine and every run.
///
/// `SystemRandomNumberGenerator` is never used: simulated data must be reproducible
/// byte for byte. Integer draws are exact everywhere; the few floating-point draws
/// go through the C library's `log`, `exp`, `sqrt` and `cos`, which give the same
/// results run after run on one platform (and, with glibc, across Linux machines).
struct SimRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1), from the top 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in `range`, without modulo bias worth caring about at our sizes.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        if width == 0 { return Int(truncatingIfNeeded: next()) }
        return range.lowerBound + Int(next() % width)
    }

    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        if width == 0 { return Int64(truncatingIfNeeded: next()) }
        return range.lowerBound + Int64(next() % width)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element; nil for an empty array rather than a trap.
    mutating func pick<T>(_ items: [T]) -> T? {
        guard !items.isEmpty else { return nil }
        return items[int(0...(items.count - 1))]
    }

    /// Picks an index by weight.
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return max(0, weights.count - 1)
    }

    /// A standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }

    /// A log-normal draw with the given median and shape: latencies have this long tail.
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// `bits / 4` lowercase hex digits; the first digit is never 0 so IDs keep their width
    /// under normalisations that drop leading zeros.
    mutating func hex(bits: Int) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(bits / 4)
        var remaining = bits / 4
        while remaining > 0 {
            var v = next()
            for _ in 0..<min(16, remaining) {
                out.append(digits[Int(v & 15)])
                v >>= 4
            }
            remaining -= 16
        }
        if out.first == "0" { out.removeFirst(); out.insert("a", at: out.startIndex) }
        return out
    }
}
