import ArgumentParser
import InquestCore

/// Output forms of `redact`'s summary.
enum RedactOutput: String, ExpressibleByArgument, CaseIterable { case text, json }

extension Inquest {
    /// Masks or pseudonymizes personal and secret data, writing each input's
    /// redacted copy under `--out` in the same format.
    struct Redact: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "redact",
            abstract: "Mask or pseudonymize personal and secret data, keeping each file's format.",
            discussion: """
                Finds e-mail addresses, IPv4 and IPv6 addresses, payment card numbers (Luhn-checked), \
                phone numbers, JWTs, bearer tokens, API keys with well-known prefixes (AWS, GitHub, Slack, \
                Stripe), values of password/secret/token/api_key/authorization fields, and --pattern matches. \
                Each is replaced by a typed placeholder (<email>), or with --pseudonymize by a keyed \
                HMAC-SHA256 token (<email:9f3a1c2b7d>) that is the same for the same value in every file and run. \
                Timestamps, levels and trace and span IDs are never touched. Output mirrors the inputs' paths \
                under --out: JSON stays valid JSON, gzip stays gzip, tar archives stay archives, lines keep \
                their count and order, and bytes outside what was found are unchanged. Files are created with \
                mode 0600; an input is never written over.
                """
        )

        @OptionGroup var input: InputOptions

        /// The directory that receives the redacted copies.
        @Option(name: .customLong("out"), help: ArgumentHelp("Directory to write the redacted copies into (created when missing; must not be inside an input).", valueName: "dir"))
        var outDirectory: String

        /// Keyed tokens instead of placeholders.
        @Flag(name: .long, help: "Replace each value with a keyed token (<email:9f3a1c2b7d>, HMAC-SHA256) instead of a placeholder; needs --key-file.")
        var pseudonymize = false

        /// The HMAC key: raw bytes, at least 16, not readable by others.
        @Option(name: .long, help: ArgumentHelp("File of raw key bytes for --pseudonymize: at least 16 bytes, not world-readable (e.g. head -c 32 /dev/urandom > key; chmod 600 key).", valueName: "file"))
        var keyFile: String?

        /// Extra expressions to redact.
        @Option(name: .customLong("pattern"), help: ArgumentHelp("Also redact matches of this POSIX extended regular expression, as <pattern> (repeatable).", valueName: "regex"))
        var patterns: [String] = []

        /// Detectors turned off.
        @Option(name: .customLong("skip"), help: ArgumentHelp("Turn a detector off (repeatable): \(RedactionKind.allCases.filter { $0 != .pattern }.map(\.rawValue).joined(separator: ", ")).", valueName: "detector"))
        var skipped: [String] = []

        /// Replace outputs that exist.
        @Flag(name: .long, help: "Replace output files that already exist (an input is never replaced).")
        var force = false

        /// Count without writing.
        @Flag(name: .long, help: "Count what would be redacted; write nothing.")
        var dryRun = false

        @Option(name: .long, help: "Summary: text or json.")
        var output: RedactOutput = .text

        @Option(name: .long, help: "Colour the text summary: auto (on a terminal, unless NO_COLOR is set), always, never.")
        var color: ColorChoice = .auto

        func validate() throws {
            if pseudonymize && keyFile == nil { throw ValidationError("--pseudonymize needs --key-file FILE (at least 16 raw bytes).") }
            if keyFile != nil && !pseudonymize { throw ValidationError("--key-file is used only with --pseudonymize.") }
            for s in skipped where RedactionKind(rawValue: s) == nil || s == "pattern" {
                throw ValidationError("--skip: unknown detector '\(s)'. Known: \(RedactionKind.allCases.filter { $0 != .pattern }.map(\.rawValue).joined(separator: ", ")).")
            }
            if outDirectory.isEmpty { throw ValidationError("--out needs a directory.") }
        }

        func run() throws {
            var rules = RedactionRules()
            for s in skipped { if let k = RedactionKind(rawValue: s) { rules.kinds.remove(k) } }
            do {
                for p in patterns { rules.patterns.append(try UserPatternDetector(p)) }
            } catch {
                throw ValidationError("--pattern: \(error.description)")
            }
            var pseudonymizer: Pseudonymizer?
            var options = RedactionOptions(outDirectory: outDirectory)
            options.force = force
            options.dryRun = dryRun
            options.limits = input.limits
            options.format = input.format
            let (units, problems) = input.discover()
            for p in problems { Output.stderr.write("inquest: \(p.path): \(p.reason)\n") }
            let plan: [PlannedOutput]
            do {
                if let keyFile { pseudonymizer = try Pseudonymizer(key: Pseudonymizer.loadKey(path: keyFile)) }
                plan = try Redaction.plan(paths: input.paths, units: units, options: options)
            } catch {
                Output.stderr.write("inquest: \(error.message)\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            Output.stderr.flush()
            if plan.isEmpty { throw ExitCode(Exit.noInput) }
            let redactor = Redactor(rules: rules, pseudonymizer: pseudonymizer)
            let summary = Redaction.run(plan, redactor: redactor, options: options)
            let out = Output.stdout
            switch output {
            case .json:
                RedactionRenderer.json(summary, dryRun: dryRun, to: &out.buffered)
            case .text:
                let tty = Terminal.isTTY(1)
                let style: Style
                switch color {
                case .always: style = Style(enabled: true)
                case .never: style = Style(enabled: false)
                case .auto: style = Style(enabled: tty && !Terminal.noColor)
                }
                RedactionRenderer.text(summary, dryRun: dryRun, outDirectory: outDirectory, style: style,
                                       width: tty ? Terminal.width : 80, to: &out.buffered)
            }
            out.flush()
            let failed = summary.files.filter { f in !dryRun && f.out == nil && f.format != "binary" }
            if !summary.problems.isEmpty || !failed.isEmpty {
                for f in failed { for i in f.issues where i.line == 0 { Output.stderr.write("inquest: \(f.path): \(i.reason)\n") } }
                for p in summary.problems { Output.stderr.write("inquest: \(p)\n") }
                Output.stderr.flush()
            }
            if summary.files.isEmpty || summary.files.allSatisfy({ !dryRun && $0.out == nil }) { throw ExitCode(Exit.noInput) }
        }
    }
}
