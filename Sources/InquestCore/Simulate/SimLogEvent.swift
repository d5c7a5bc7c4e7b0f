/// One log record a simulated service writes, before it is rendered in that
/// service's format.
struct SimLogEvent: Sendable {
    /// A typed field value, so JSON gets numbers and logfmt gets bare words.
    enum Value: Sendable {
        case string(String)
        case int(Int64)
        /// A fixed-point decimal: `units / 10^digits` (durations in ms with a fraction).
        case decimal(Int64, digits: Int)

        var text: String {
            switch self {
            case .string(let s): return s
            case .int(let v): return String(v)
            case .decimal(let v, let digits): return SimLogEvent.fixedPoint(v, digits: digits)
            }
        }

        var json: String {
            switch self {
            case .string(let s): return JSONWriter.quoted(s)
            case .int, .decimal: return text
            }
        }
    }

    struct Field: Sendable {
        let key: String
        let value: Value
        init(_ key: String, _ value: Value) { self.key = key; self.value = value }
        init(_ key: String, _ value: String) { self.key = key; self.value = .string(value) }
        init(_ key: String, _ value: Int) { self.key = key; self.value = .int(Int64(value)) }
    }

    /// Nanoseconds since the epoch.
    var time: Int64
    /// Order of creation, to keep records with equal times in the order they were made.
    var sequence: Int
    var service: String
    var level: Level
    var message: String
    var traceID: String?
    var spanID: String?
    var fields: [Field] = []
    /// Java thread name (payment) or worker name (notification).
    var thread: String?
    /// Logger or caller (`c.s.p.ChargeService`, `quote/handler.go:88`).
    var logger: String?
    /// Continuation lines: a stack trace after an error.
    var stack: [String] = []

    /// `v / 10^digits` with exactly `digits` fractional digits, without floating point.
    static func fixedPoint(_ v: Int64, digits: Int) -> String {
        guard digits > 0 else { return String(v) }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let sign = v < 0 ? "-" : ""
        let a = v.magnitude
        var frac = String(a % UInt64(scale))
        while frac.count < digits { frac = "0" + frac }
        return sign + String(a / UInt64(scale)) + "." + frac
    }
}

/// One line of the frontend's nginx access log.
struct SimAccessEntry: Sendable {
    var time: Int64
    var sequence: Int
    var clientIP: String
    var method: String
    var path: String
    var status: Int
    var bytes: Int
    var referer: String
    var userAgent: String
}
