/// Bucket widths for `report`: parsing `--bucket`, and the automatic choice.
///
/// Buckets are aligned to the Unix epoch (a `1d` bucket starts at 00:00 UTC), so a
/// bucket index is `floor(time / width)` and two aggregates over disjoint inputs use
/// the same buckets. Every width of the automatic ladder divides the next, so an
/// aggregate can be coarsened exactly, by integer division of its bucket indexes.
public enum TrendBucketing {
    static let second: Int64 = 1_000_000_000
    public static let day: Int64 = 86_400 * second

    /// The automatic widths, finest first: 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d
    /// (then 2d, 4d… for very long ranges). Each divides the next.
    public static let ladder: [Int64] = [60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400].map { $0 * second }

    /// Most buckets an automatic width gives; the smallest width that fits is chosen,
    /// which gives 50–200 buckets for most ranges.
    public static let maxAutomaticBuckets = 200

    /// Most buckets a fixed `--bucket` may produce (guards against `--bucket 1m` over a year).
    public static let maxBuckets = 50_000

    /// The widest bucket (2^58 ns, about 9 years; the automatic width for the widest
    /// range of times, 1678 to 2262, is 2048 days), so that no width arithmetic overflows.
    public static let maxWidth: Int64 = 1 << 58

    /// Parses `--bucket`: a duration of at least one second that divides a day or is a
    /// whole number of days (so buckets line up with days); nil otherwise.
    public static func parse(_ text: String) -> Int64? {
        guard let n = Duration.parseNanos(text), isWidth(n) else { return nil }
        return n
    }

    /// Whether `n` nanoseconds is a width `--bucket` accepts: whole seconds, at most
    /// `maxWidth`, dividing a day or a whole number of days.
    public static func isWidth(_ n: Int64) -> Bool {
        n >= second && n <= maxWidth && n % second == 0 && (day % n == 0 || n % day == 0)
    }

    /// Bucket index of a time.
    @inline(__always)
    public static func index(_ nanos: Int64, width: Int64) -> Int64 { nanos.floorDiv(width) }

    /// Whether an automatic choice can give `width`: a width of the ladder, or a day
    /// doubled some times.
    public static func isAutomatic(_ width: Int64) -> Bool {
        if ladder.contains(width) { return true }
        guard width > day, width % day == 0 else { return false }
        let days = width / day
        return days & (days - 1) == 0
    }

    /// The width after `width` on the ladder (doubling past a day).
    public static func coarser(than width: Int64) -> Int64 {
        if let w = ladder.first(where: { $0 > width }) { return w }
        return width >= day ? width * 2 : day
    }

    /// The smallest automatic width, not finer than `atLeast`, that covers the times
    /// `first...last` in at most `maxAutomaticBuckets` buckets.
    public static func automatic(first: Int64, last: Int64, atLeast: Int64 = ladder[0]) -> Int64 {
        var w = max(atLeast, ladder[0])
        if !ladder.contains(w) && w < day { w = coarser(than: w) }
        while count(first: first, last: last, width: w) > Int64(maxAutomaticBuckets) { w = coarser(than: w) }
        return w
    }

    /// Buckets between the buckets of two times, both included.
    public static func count(first: Int64, last: Int64, width: Int64) -> Int64 {
        index(last, width: width) - index(first, width: width) + 1
    }

    /// `1m`, `15m`, `1h`, `6h`, `1d`, `90s`: the shortest way to write a width.
    public static func name(_ width: Int64) -> String {
        let s = width / second
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}
