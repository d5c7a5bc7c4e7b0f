/// A time bound given on the command line: absolute, or a duration back from the
/// newest record in the input (`--since 2h`).
public enum TimeBound: Sendable, Equatable {
    case at(Timestamp)
    case beforeNewest(seconds: Int64)

    /// Parses RFC 3339, a date (`2026-11-25`), or a duration (`90s`, `15m`, `2h`, `1d`, `1h30m`).
    public static func parse(_ text: String, time: TimestampParser = TimestampParser()) -> TimeBound? {
        if let t = time.parse(text) { return .at(t) }
        if let s = Duration.parseSeconds(text) { return .beforeNewest(seconds: s) }
        return nil
    }

    public func resolve(newest: Timestamp?) -> Timestamp? {
        switch self {
        case .at(let t): return t
        case .beforeNewest(let s):
            return newest.map {
                let (back, o1) = s.multipliedReportingOverflow(by: 1_000_000_000)
                let (t, o2) = $0.nanos.subtractingReportingOverflow(back)
                return Timestamp(nanos: o1 || o2 ? .min : t, precision: $0.precision)
            }
        }
    }
}

/// Durations as users write them: `250ms`, `1.5s`, `15m`, `2h`, `1d`, `1h30m`.
public enum Duration {
    public static func parseNanos(_ text: String) -> Int64? {
        var total: Double = 0
        var number = ""
        var unit = ""
        var parts: [(Double, String)] = []
        func flush() -> Bool {
            guard !number.isEmpty, let v = Double(number) else { return false }
            parts.append((v, unit)); number = ""; unit = ""
            return true
        }
        for c in text.lowercased() {
            if c.isNumber || c == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(c)
            } else if c.isLetter || c == "µ" {
                unit.append(c)
            } else { return nil }
        }
        // A bare number is seconds only on its own: "5m3" is a typo, not 5 m 3 s.
        if unit.isEmpty && !parts.isEmpty { return nil }
        guard flush() else { return nil }
        for (v, u) in parts {
            let scale: Double
            switch u {
            case "ns": scale = 1
            case "us", "µs": scale = 1e3
            case "ms": scale = 1e6
            case "s", "sec", "": scale = 1e9
            case "m", "min": scale = 60e9
            case "h", "hr": scale = 3600e9
            case "d": scale = 86400e9
            case "w": scale = 7 * 86400e9
            default: return nil
            }
            total += v * scale
        }
        guard total.isFinite, total < 9e18 else { return nil }
        return Int64(total)
    }

    public static func parseSeconds(_ text: String) -> Int64? {
        guard let first = text.first, first.isNumber, text.contains(where: { $0.isLetter }) else { return nil }
        return parseNanos(text).map { $0 / 1_000_000_000 }
    }

    /// `1.2 s`, `340 ms`, `15 µs`, `2 m 5 s`, for people.
    public static func format(nanos: Int64) -> String {
        guard nanos != .min else { return "-∞" }
        let a = abs(nanos)
        if a < 1_000 { return "\(nanos) ns" }
        if a < 1_000_000 { return trim(Double(nanos) / 1e3) + " µs" }
        if a < 1_000_000_000 { return trim(Double(nanos) / 1e6) + " ms" }
        if a < 60_000_000_000 { return trim(Double(nanos) / 1e9) + " s" }
        let s = nanos / 1_000_000_000
        if a < 3_600_000_000_000 { return "\(s / 60) m \(s % 60) s" }
        if a < 86_400_000_000_000 { return "\(s / 3600) h \(s / 60 % 60) m" }
        return "\(s / 86400) d \(s / 3600 % 24) h"
    }

    static func trim(_ v: Double) -> String {
        let r = v >= 100 ? (v).rounded() : v >= 10 ? (v * 10).rounded() / 10 : (v * 100).rounded() / 100
        var s = String(r)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}

/// The filters of `inquest logs`: all given conditions must hold.
public struct LogFilter: Sendable {
    public var minLevel: Level?
    public var services: [String] = []
    /// Trace ID or a prefix of one.
    public var traces: [String] = []
    public var grep: Pattern?
    public var conditions: [(key: String, value: String)] = []
    public var since: Timestamp?
    public var until: Timestamp?

    public init() {}

    /// The fields a reader must build for these filters (and for output, added by callers).
    public var needs: RecordNeeds {
        var n: RecordNeeds = []
        if !services.isEmpty { n.insert(.service) }
        if !traces.isEmpty { n.insert(.trace) }
        if grep != nil { n.formUnion([.message, .fields]) }
        if !conditions.isEmpty { n.formUnion(.all) }
        return n
    }

    public var isEmpty: Bool {
        minLevel == nil && services.isEmpty && traces.isEmpty && grep == nil && conditions.isEmpty && since == nil && until == nil
    }

    @inline(__always)
    public func matches(_ r: LogRecord) -> Bool {
        if r.failsGate { return false }
        if let minLevel, r.level < minLevel { return false }
        if let since {
            guard let t = r.timestamp, t >= since else { return false }
        }
        if let until {
            guard let t = r.timestamp, t <= until else { return false }
        }
        if !services.isEmpty {
            guard let s = r.service, services.contains(s) else { return false }
        }
        if !traces.isEmpty {
            guard let t = r.traceID, traces.contains(where: { t.hasPrefix($0) }) else { return false }
        }
        for c in conditions {
            guard let v = r.value(forKey: c.key), v == c.value else { return false }
        }
        if let grep {
            if r.message.isEmpty && r.fields.isEmpty { return grep.matchesEmpty }
            if grep.matches(r.message) { return true }
            return r.fields.contains { grep.matches($0.key + "=" + $0.value) }
        }
        return true
    }
}
