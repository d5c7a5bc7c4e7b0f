/// How times are shown: in UTC or at a fixed offset (`--tz +02:00`).
public struct TimeDisplay: Sendable {
    public var offsetSeconds: Int
    public init(offsetSeconds: Int = 0) { self.offsetSeconds = offsetSeconds }

    /// `2026-11-25 10:00:00.123` (milliseconds), for aligned text columns.
    public func short(_ t: Timestamp?) -> String {
        guard let t else { return String(repeating: " ", count: 23) }
        var s = t.rfc3339(digits: 3, offsetSeconds: offsetSeconds)
        // Drop the zone and use a space: the zone is shown once in headers.
        if let z = s.lastIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }), z > s.index(s.startIndex, offsetBy: 19) {
            s = String(s[..<z])
        }
        return s.replacingOccurrences(of: "T", with: " ")
    }

    /// RFC 3339 with the input's precision.
    public func full(_ t: Timestamp?) -> String {
        guard let t else { return "-" }
        return t.rfc3339(offsetSeconds: offsetSeconds)
    }

    /// Parses `UTC`, `Z`, `+02:00`, `-0530`, `+2`.
    public static func parseOffset(_ s: String) -> Int? {
        if s == "UTC" || s == "Z" || s == "utc" { return 0 }
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        let digits = s.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let v = Int(digits) else { return nil }
        let (h, m) = digits.count <= 2 ? (v, 0) : (v / 100, v % 100)
        guard h <= 14, m < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
    }
}
