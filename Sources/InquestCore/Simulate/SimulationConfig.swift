/// What `inquest simulate` is asked to generate: the seed, when traffic starts, how
/// long it lasts and how many user requests arrive in that time.
public struct SimulationConfig: Sendable, Equatable {
    /// Seeds every random choice; the same seed writes the same bytes.
    public var seed: UInt64
    /// First moment of simulated traffic.
    public var start: Timestamp
    /// Length of the simulated traffic, in seconds.
    public var durationSeconds: Int64
    /// User requests arriving at the frontend (health checks come on top).
    public var requests: Int

    public static let defaultStart = Timestamp(nanos: 1_795_600_800 * 1_000_000_000, precision: 0)  // 2026-11-25T10:00:00Z

    public init(seed: UInt64 = 42, start: Timestamp = SimulationConfig.defaultStart,
                durationSeconds: Int64 = 90 * 60, requests: Int = 460) {
        self.seed = seed
        self.start = start
        self.durationSeconds = durationSeconds
        self.requests = requests
    }

    /// Checks the ranges the generator relies on; nil when fine, otherwise why not.
    public func problem() -> String? {
        if durationSeconds < 10 * 60 { return "the duration must be at least 10 minutes, so that the incident has healthy traffic around it" }
        if durationSeconds > 7 * 86_400 { return "the duration must be at most 7 days" }
        if requests < 50 { return "at least 50 requests are needed for an incident to show" }
        if requests > 50_000 { return "at most 50,000 requests: the simulator holds the whole incident in memory (about 20 KB a request)" }
        return nil
    }

    /// Parses a duration such as `90m`, `2h`, `1h30m`, `45s` or `5400` (seconds), as the
    /// other commands do (`Duration`).
    public static func parseDuration(_ text: String) -> Int64? {
        let s = text.trimmingSpaces()
        if !s.isEmpty, s.allSatisfy(\.isASCIIDigit) { return Int64(s) }
        return Duration.parseSeconds(s)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
