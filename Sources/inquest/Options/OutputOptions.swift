import ArgumentParser
import InquestCore

/// When to colour text output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

/// Where and how results are written.
struct OutputOptions: ParsableArguments {
    /// Writes to a file instead of stdout.
    @Option(name: [.short, .customLong("out")], help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var outFile: String?

    /// Colour on a terminal, always, or never; `NO_COLOR` turns `auto` off.
    @Option(name: .long, help: "Colour text output: auto (on a terminal, unless NO_COLOR is set), always, never.")
    var color: ColorChoice = .auto

    /// Shows times in UTC (the default).
    @Flag(name: .long, help: "Show times in UTC (the default).")
    var utc = false

    /// Shows times at a fixed offset.
    @Option(name: .long, help: ArgumentHelp("Show times at this UTC offset, e.g. +02:00 or -0500.", valueName: "offset"))
    var tz: String?

    func validate() throws {
        if let tz, TimeDisplay.parseOffset(tz) == nil {
            throw ValidationError("--tz takes an offset such as +02:00, -0530 or UTC; got '\(tz)'.")
        }
        if utc && tz != nil && TimeDisplay.parseOffset(tz!) != 0 { throw ValidationError("--utc and --tz disagree; give one.") }
    }

    var timeDisplay: TimeDisplay { TimeDisplay(offsetSeconds: tz.flatMap(TimeDisplay.parseOffset) ?? 0) }

    /// Colour decision for the destination.
    func style(toTerminal: Bool) -> Style {
        switch color {
        case .always: return Style(enabled: true)
        case .never: return Style(enabled: false)
        case .auto: return Style(enabled: toTerminal && !Terminal.noColor)
        }
    }

    var writesToTerminal: Bool { (outFile == nil || outFile == "-") && Terminal.isTTY(1) }
}

/// `--since` and `--until`.
struct TimeRangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only records at or after this time: RFC 3339, a date, or a duration back from the newest record (2h, 30m).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only records at or before this time (same forms as --since).", valueName: "time"))
    var until: String?

    func validate() throws {
        if let since, TimeBound.parse(since) == nil { throw ValidationError(Self.unreadableTime("--since", since)) }
        if let until, TimeBound.parse(until) == nil { throw ValidationError(Self.unreadableTime("--until", until)) }
    }

    /// Why a time option was refused; a date outside what 64-bit nanoseconds hold says so.
    static func unreadableTime(_ option: String, _ text: String) -> String {
        let year = text.prefix(4)
        if year.count == 4, year.allSatisfy(\.isASCII), year.allSatisfy(\.isNumber), text.dropFirst(4).first == "-",
           let y = Int(year), y < 1678 || y > 2261 {
            return "\(option): '\(text)' is outside the times inquest holds (1678 to 2261)."
        }
        return "\(option): cannot read '\(text)' as a time, date or duration."
    }

    var sinceBound: TimeBound? { since.flatMap { TimeBound.parse($0) } }
    var untilBound: TimeBound? { until.flatMap { TimeBound.parse($0) } }
    var needsNewest: Bool {
        if case .beforeNewest = sinceBound { return true }
        if case .beforeNewest = untilBound { return true }
        return false
    }
}

extension TimeRangeOptions {
    /// A metric query over this time range; a relative bound (`2h`) counts back from the
    /// newest point of `series`, as it counts back from the newest record for logs.
    func metricQuery(over series: [MetricSeries]) -> MetricQuery {
        var q = MetricQuery()
        let newest = series.compactMap { $0.points.last.map { Timestamp(nanos: $0.time) } }.max()
        q.since = sinceBound?.resolve(newest: newest)
        q.until = untilBound?.resolve(newest: newest)
        return q
    }
}
