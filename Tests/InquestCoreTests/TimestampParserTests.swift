import Testing
@testable import InquestCore

/// Parses the start of `text` as the reader does; returns the time in RFC 3339 and the bytes used.
func parsePrefix(_ text: String, _ parser: TimestampParser = TimestampParser()) -> (String, Int)? {
    Array(text.utf8).withUnsafeBufferPointer { p in
        parser.parse(p).map { ($0.0.rfc3339(), $0.1) }
    }
}

@Suite("TimestampParser")
struct TimestampParserTests {
    /// Input, and the UTC time it means at the input's precision.
    static let rfc3339: [(String, String)] = [
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"),
        ("2024-05-01T12:00:00.123Z", "2024-05-01T12:00:00.123Z"),
        ("2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00.123456Z"),
        ("2024-05-01T12:00:00.123456789Z", "2024-05-01T12:00:00.123456789Z"),
        ("2024-05-01t12:00:00z", "2024-05-01T12:00:00Z"),
        ("2024-05-01T14:30:00+02:30", "2024-05-01T12:00:00Z"),
        ("2024-05-01T07:00:00-05:00", "2024-05-01T12:00:00Z"),
        ("2024-05-01T07:00:00.5-0500", "2024-05-01T12:00:00.500Z"),
        ("2024-05-01T00:30:00+0100", "2024-04-30T23:30:00Z"),
        ("2024-05-01 12:00:00,250", "2024-05-01T12:00:00.250Z"),
        ("2024-05-01 12:00:00.25 UTC", "2024-05-01T12:00:00.250Z"),
        ("2024-05-01T12:00:00", "2024-05-01T12:00:00Z"),
        ("2024-05-01T12:00", "2024-05-01T12:00:00Z"),
        ("2024/05/01 12:00:00", "2024-05-01T12:00:00Z"),
        ("24/05/01 12:00:00", "2024-05-01T12:00:00Z"),
        ("2024-05-01", "2024-05-01T00:00:00Z"),
        ("2024-02-29T23:59:60Z", "2024-03-01T00:00:00Z"),
        ("2024-05-01T12:00:00.1234567891234Z", "2024-05-01T12:00:00.123456789Z"),
        ("1969-07-20T20:17:40Z", "1969-07-20T20:17:40Z"),
        ("1900-01-01T00:00:00.000Z", "1900-01-01T00:00:00.000Z"),
        ("1700-03-01T00:00:00Z", "1700-03-01T00:00:00Z"),
        ("2100-03-01T00:00:00Z", "2100-03-01T00:00:00Z"),
        ("2262-04-11T23:47:16Z", "2262-04-11T23:47:16Z"),
    ]

    @Test("RFC 3339 and its relatives", arguments: rfc3339)
    func iso(input: String, expected: String) throws {
        let t = try #require(TimestampParser().parse(input), "\(input) did not parse")
        #expect(t.rfc3339() == expected)
    }

    @Test("a timestamp at the start of a line reports how many bytes it used")
    func consumed() {
        #expect(parsePrefix("2024-05-01T12:00:00.123Z INFO started")?.1 == 24)
        #expect(parsePrefix("2024-05-01 12:00:00,123 ERROR x")?.1 == 23)
        #expect(parsePrefix("2024-05-01T12:00:00+02:00 x")?.1 == 25)
    }

    @Test("a time without a zone is read at the default offset")
    func defaultOffset() {
        let p = TimestampParser(defaultOffset: 2 * 3600)
        #expect(p.parse("2024-05-01 14:00:00")?.rfc3339() == "2024-05-01T12:00:00Z")
        #expect(p.parse("2024-05-01T14:00:00Z")?.rfc3339() == "2024-05-01T14:00:00Z")
    }

    @Test("not timestamps", arguments: ["", "hello world", "2024-13-01T00:00:00Z", "2024-05-32T00:00:00Z",
                                         "2024-05-01T25:00:00Z", "2024-05-01T12:61:00Z", "20240501T120000Z",
                                         "2024-05-01T12:00:00Z trailing", "9999-01-01T00:00:00Z"])
    func rejected(input: String) {
        #expect(TimestampParser().parse(input) == nil)
    }

    @Test("access log times", arguments: [
        ("10/Oct/2000:13:55:36 -0700", "2000-10-10T20:55:36Z"),
        ("01/May/2024:12:00:00 +0000", "2024-05-01T12:00:00Z"),
        ("01/may/2024:14:00:00.250 +0200", "2024-05-01T12:00:00.250Z"),
        ("31/Dec/1999:23:59:59 +0000", "1999-12-31T23:59:59Z"),
    ])
    func access(input: String, expected: String) throws {
        let (t, used) = try #require(Array(input.utf8).withUnsafeBufferPointer { TimestampParser().parseAccess($0) })
        #expect(t.rfc3339() == expected)
        #expect(used == input.utf8.count)
    }

    @Test("syslog times take the year given and say the month")
    func syslog() throws {
        func parse(_ s: String, year: Int) -> (String, Int, Int)? {
            Array(s.utf8).withUnsafeBufferPointer { p in
                TimestampParser().parseSyslog(p, year: year).map { ($0.0.rfc3339(), $0.1, $0.month) }
            }
        }
        #expect(parse("Nov  3 09:23:38 host x", year: 2023).map { [$0.0, "\($0.1)", "\($0.2)"] } == ["2023-11-03T09:23:38Z", "15", "11"])
        #expect(parse("Jan 21 00:00:01.123456 host", year: 2024)?.0 == "2024-01-21T00:00:01.123456Z")
        #expect(parse("Feb 29 12:00:00 h", year: 2024)?.0 == "2024-02-29T12:00:00Z")
        #expect(parse("Foo 29 12:00:00 h", year: 2024) == nil)
        #expect(parse("Nov 3 09:23:38 host", year: 2024) == nil)
    }

    @Test("epoch numbers are told apart by magnitude", arguments: [
        (1714564800.0, "2024-05-01T12:00:00Z"),
        (1714564800.5, "2024-05-01T12:00:00.500000Z"),
        (1714564800123.0, "2024-05-01T12:00:00.123Z"),
        (1714564800121.0, "2024-05-01T12:00:00.121Z"),
        (1714564800123456.0, "2024-05-01T12:00:00.123456Z"),
        (1714564800.123456, "2024-05-01T12:00:00.123456Z"),
        (0.0, "1970-01-01T00:00:00Z"),
        (4102444800.0, "2100-01-01T00:00:00Z"),
        (-14182940.0, "1969-07-20T20:17:40Z"),
        (-1.0, "1969-12-31T23:59:59Z"),
        (-2208988800.0, "1900-01-01T00:00:00Z"),
        (-0.5, "1969-12-31T23:59:59.500000Z"),
    ])
    func epoch(value: Double, expected: String) throws {
        let t = try #require(TimestampParser.fromEpoch(value))
        #expect(t.rfc3339() == expected)
    }

    @Test("epoch values that are not times")
    func epochRejected() {
        #expect(TimestampParser.fromEpoch(-1e10) == nil, "before 1678: not held in Int64 nanoseconds")
        #expect(TimestampParser.fromEpoch(.nan) == nil)
        #expect(TimestampParser.fromEpoch(.infinity) == nil)
        #expect(TimestampParser.fromEpoch(1e19) == nil)
        // Seconds, milliseconds and microseconds past 2262 do not fit: nil, not a trap.
        #expect(TimestampParser.fromEpoch(5e10) == nil)
        #expect(TimestampParser.fromEpoch(9.9e13) == nil)
        #expect(TimestampParser.fromEpoch(9.9e16) == nil)
    }

    @Test("nanosecond epoch values keep their precision")
    func epochNanos() throws {
        let t = try #require(TimestampParser.fromEpoch(1714564800123456789.0))
        #expect(t.precision == 9)
        #expect(abs(t.nanos - 1_714_564_800_123_456_789) <= 256, "a Double holds nanoseconds to 256 ns here")
    }

    @Test("rfc3339() prints the precision it was given, before 1970 too", arguments: [
        (Int64(1_714_564_800_123_456_789), UInt8(0), "2024-05-01T12:00:00Z"),
        (1_714_564_800_123_456_789, 3, "2024-05-01T12:00:00.123Z"),
        (1_714_564_800_123_456_789, 6, "2024-05-01T12:00:00.123456Z"),
        (1_714_564_800_123_456_789, 9, "2024-05-01T12:00:00.123456789Z"),
        (-1, 9, "1969-12-31T23:59:59.999999999Z"),
        (-1_000_000_000, 0, "1969-12-31T23:59:59Z"),
        (-2_208_988_800_000_000_000, 3, "1900-01-01T00:00:00.000Z"),
        (4_102_444_800_000_000_000, 0, "2100-01-01T00:00:00Z"),
    ])
    func printing(nanos: Int64, precision: UInt8, expected: String) {
        #expect(Timestamp(nanos: nanos, precision: precision).rfc3339() == expected)
    }

    @Test("rfc3339() with an offset shows local time and the offset")
    func offsetPrinting() {
        let t = Timestamp(nanos: 1_714_564_800_000_000_000, precision: 0)
        #expect(t.rfc3339(offsetSeconds: 2 * 3600) == "2024-05-01T14:00:00+02:00")
        #expect(t.rfc3339(offsetSeconds: -(5 * 3600 + 30 * 60)) == "2024-05-01T06:30:00-05:30")
        #expect(t.rfc3339(digits: 3) == "2024-05-01T12:00:00.000Z")
    }

    @Test("round trip: printing and parsing again gives the same instant and precision", arguments: [
        "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.120Z", "2024-05-01T12:00:00.000001Z",
        "2024-05-01T12:00:00.999999999Z", "1955-11-05T06:15:00.250Z", "2199-12-31T23:59:59.5Z",
    ])
    func roundTrip(input: String) throws {
        let t = try #require(TimestampParser().parse(input))
        let again = try #require(TimestampParser().parse(t.rfc3339()))
        #expect(again.nanos == t.nanos)
        #expect(again.precision == t.precision)
        #expect(again.rfc3339() == t.rfc3339())
    }

    @Test("the calendar agrees with itself over a wide range of days")
    func calendar() {
        for days in stride(from: Int64(-300_000), through: 300_000, by: 997) {
            let (y, m, d) = Calendar.civil(fromDays: days)
            #expect(Calendar.days(year: y, month: m, day: d) == days)
        }
        #expect(Calendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(Calendar.days(year: 2000, month: 3, day: 1) == 11_017)
    }
}
