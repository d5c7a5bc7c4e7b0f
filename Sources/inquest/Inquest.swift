import ArgumentParser
import Foundation

/// The root command: lists the subcommands, nothing else.
@main
struct Inquest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inquest",
        abstract: "Offline log and trace analysis: read archived logs and span dumps, find what happened.",
        discussion: """
            Reads files, directories (recursively), tar and gzip archives, or - for standard input. \
            Formats are detected from content. Exit status: 0 done, 1 a rule fired, 2 bad usage, \
            3 no input could be read.
            """,
        version: "0.1.0",
        subcommands: [Inspect.self, Logs.self, Traces.self, Trace.self, Deps.self, RCA.self, Patterns.self, Report.self, Metrics.self, Check.self, Redact.self, Convert.self, Merge.self, Simulate.self]
    )

    /// Runs the command; usage errors exit with 2 as the contract says (the parser's
    /// own default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let e = error as? CLIError {
                Output.stderr.write("inquest: \(e.description)\n")
                Output.stderr.flush()
                Foundation.exit(Exit.usage)
            }
            let code = exitCode(for: error)
            if code == .validationFailure {
                Output.stderr.write(fullMessage(for: error) + "\n")
                Output.stderr.flush()
                Foundation.exit(Exit.usage)
            }
            exit(withError: error)
        }
    }
}
