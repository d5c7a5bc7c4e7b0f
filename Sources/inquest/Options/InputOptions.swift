import ArgumentParser
import InquestCore

/// The inputs of every command, and how to read them.
struct InputOptions: ParsableArguments {
    /// Files, directories or `-`.
    @Argument(help: "Files, directories (read recursively), tar/gzip archives, or - for standard input.")
    var paths: [String] = []

    /// Forces a format instead of detecting one from the content.
    @Option(name: .long, help: ArgumentHelp("Read every input as this format instead of detecting it.", valueName: "format"))
    var logFormat: String?

    /// Longest line kept before the rest is skipped and counted.
    @Option(name: .long, help: ArgumentHelp("Longest line read, in bytes; longer lines are skipped and counted.", valueName: "bytes"))
    var maxLineBytes: Int = 8 << 20

    /// Most bytes a gzip stream may expand to.
    @Option(name: .long, help: ArgumentHelp("Most bytes one gzip stream may expand to (gzip bomb guard).", valueName: "bytes"))
    var maxDecompressedBytes: Int = 1 << 40

    /// Most times a gzip stream may expand.
    @Option(name: .long, help: ArgumentHelp("Most times a gzip stream may expand its compressed size, checked past 64 MiB (gzip bomb guard).", valueName: "ratio"))
    var maxCompressionRatio: Int = 1000

    /// Deepest JSON nesting parsed.
    @Option(name: .customLong("max-json-depth"), help: ArgumentHelp("Deepest JSON nesting read; deeper records are skipped and counted.", valueName: "n"))
    var maxJSONDepth: Int = 256

    /// Most spans assembled into one trace.
    @Option(name: .long, help: ArgumentHelp("Most spans assembled into one trace by traces, trace, deps and rca; the rest are left out and reported.", valueName: "n"))
    var maxSpansPerTrace: Int = 1_000_000

    /// Most files taken from directory walks.
    @Option(name: .long, help: ArgumentHelp("Most files read from directories.", valueName: "n"))
    var maxFiles: Int = 100_000

    /// Column roles of CSV/TSV tables, chosen by hand.
    @Option(name: [.customLong("span-columns"), .customLong("columns")],
            help: ArgumentHelp("Columns of span, log or metric tables by role, instead of by their names: trace=, span=, parent=, service=, pod=, operation=, start=, end=, duration=, status=, kind=, time=, message=, level= (comma-separated).",
                               valueName: "role=Column,..."))
    var spanColumns: String?

    func validate() throws {
        if let c = spanColumns, case .failure(let e) = TableSchema.parseOverrides(c) {
            throw ValidationError("--span-columns: \(e.message).")
        }
        if paths.isEmpty { throw ValidationError("Give at least one PATH (a file, a directory, or - for standard input).") }
        if let f = logFormat, FormatRegistry.format(named: f) == nil {
            throw ValidationError("Unknown --log-format '\(f)'. Known: \(FormatRegistry.formatNames.joined(separator: ", ")).")
        }
        if maxLineBytes < 64 { throw ValidationError("--max-line-bytes must be at least 64.") }
        if maxFiles < 1 { throw ValidationError("--max-files must be at least 1.") }
        if maxSpansPerTrace < 1 { throw ValidationError("--max-spans-per-trace must be at least 1.") }
        if maxCompressionRatio < 2 { throw ValidationError("--max-compression-ratio must be at least 2.") }
        if maxJSONDepth < 2 || maxJSONDepth > 10_000 { throw ValidationError("--max-json-depth must be between 2 and 10000.") }
    }

    var limits: InputLimits {
        var l = InputLimits()
        l.maxLineBytes = maxLineBytes
        l.maxDecompressedBytes = Int64(maxDecompressedBytes)
        l.maxFiles = maxFiles
        l.maxCompressionRatio = Int64(maxCompressionRatio)
        l.maxJSONDepth = maxJSONDepth
        if let c = spanColumns, case .success(let o) = TableSchema.parseOverrides(c) { l.tableColumns = o }
        return l
    }

    var format: DetectedFormat? { logFormat.flatMap(FormatRegistry.format(named:)) }

    func discover() -> (units: [InputUnit], problems: [InputDiscovery.Problem]) {
        InputDiscovery.discover(paths, limits: limits)
    }

    /// Discovers other paths (a baseline) with the same limits.
    func discover(paths other: [String]) -> (units: [InputUnit], problems: [InputDiscovery.Problem]) {
        InputDiscovery.discover(other, limits: limits)
    }
}

/// `key=value` from `--where` or `--tag`: the key is everything before the first `=`;
/// nil without an `=` or with an empty key.
func keyValue(_ s: String) -> (key: String, value: String)? {
    guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { return nil }
    return (String(s[..<eq]), String(s[s.index(after: eq)...]))
}
