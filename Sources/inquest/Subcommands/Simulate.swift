import ArgumentParser
import InquestCore

extension Inquest {
    /// Writes a synthetic incident for demos, tests and benchmarks.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic incident (logs, spans and ground truth) for demos, tests and benchmarks.",
            discussion: """
                An online shop of eight services (frontend, api-gateway, checkout, cart, payment, inventory, \
                shipping, notification) calling postgres, redis and the third-party stripe-api. Part way \
                through, stripe-api slows down, times out and refuses connections, and checkouts fail up to \
                the frontend; a redis miss spike and steady inventory 404s are decoys. Logs are written in \
                eight formats (some gzipped, one tar.gz), spans in Jaeger, Zipkin and OTLP JSON, and \
                ground-truth.json says what really happened. The same seed writes the same bytes. \
                With --fault KIND, a different incident for scoring rca: spans only, a topology drawn from \
                the seed, one injected fault (deep-error, self-error, latency, timeout-cascade, one-operation, \
                dependency) with decoys, and root_cause and accepted in ground-truth.json.
                """
        )

        @Argument(help: "Directory to write into (created when missing; files of the same names are replaced).")
        var out: String

        @Option(name: .long, help: "Seed for every random choice; the same seed gives byte-identical files.")
        var seed: UInt64 = 42

        @Option(name: .long, help: "When traffic starts, RFC 3339 (e.g. 2026-11-25T10:00:00Z).")
        var start: String = "2026-11-25T10:00:00Z"

        @Option(name: .long, help: "How long traffic lasts: 90m, 2h, 1h30m or seconds (at least 10m).")
        var duration: String = "90m"

        @Option(name: .long, help: "Number of user requests (health checks come on top); about 11 spans each.")
        var requests: Int = SimulationConfig().requests

        @Option(name: .long, help: ArgumentHelp("Inject one fault instead of the default incident (spans only, topology drawn from the seed).",
                                                valueName: "deep-error|self-error|latency|timeout-cascade|one-operation|dependency"))
        var fault: String?

        @Option(name: .long, help: ArgumentHelp("Span format(s) to write; all (the default) deals traces round-robin to the three, one format gets every trace.",
                                                valueName: "jaeger|zipkin|otlp|all"))
        var spanFormat: String?

        @Flag(name: .long, help: "Write instead 30 days of logs and spans with a daily cycle, an error spike, a latency regression and a new error pattern on known days (for report); starts at midnight UTC of --start's day.")
        var month = false

        func validate() throws {
            if month && fault != nil { throw ValidationError("--month and --fault write different data sets; give one.") }
            if month && spanFormat != nil { throw ValidationError("--month writes Zipkin spans only; drop --span-format.") }
            if let fault, SimFaultKind(rawValue: fault) == nil {
                throw ValidationError("--fault: '\(fault)' is not one of \(SimFaultKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            if let spanFormat {
                if SimSpanFormats(rawValue: spanFormat) == nil {
                    throw ValidationError("--span-format: '\(spanFormat)' is not one of jaeger, zipkin, otlp, all.")
                }
            }
            if TimestampParser().parse(start) == nil {
                throw ValidationError("--start: cannot read '\(start)' as an RFC 3339 time such as 2026-11-25T10:00:00Z.")
            }
            guard let seconds = SimulationConfig.parseDuration(duration) else {
                throw ValidationError("--duration: cannot read '\(duration)'; use e.g. 90m, 2h, 1h30m or a number of seconds.")
            }
            if let p = config(seconds: seconds).problem() { throw ValidationError(p) }
        }

        func config(seconds: Int64) -> SimulationConfig {
            let t = TimestampParser().parse(start) ?? SimulationConfig.defaultStart
            return SimulationConfig(seed: seed, start: t, durationSeconds: seconds, requests: requests)
        }

        func run() throws {
            if month { return try runMonth() }
            let seconds = SimulationConfig.parseDuration(duration) ?? 90 * 60
            let files: [SimulatedFile]
            let truth: SimulationGroundTruth
            do {
                let sim = Simulator(config: config(seconds: seconds))
                let incident: Simulator.Incident
                if let fault, let kind = SimFaultKind(rawValue: fault) {
                    incident = try sim.runFault(kind, spanFormats: spanFormat.flatMap(SimSpanFormats.init(rawValue:)) ?? .all)
                } else {
                    incident = try sim.run(spanFormats: spanFormat.flatMap(SimSpanFormats.init(rawValue:)) ?? .all)
                }
                files = try incident.write(to: out)
                truth = incident.groundTruth
            } catch {
                Output.stderr.write("inquest: simulate: \(error)\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            let dir = out.hasSuffix("/") ? out : out + "/"
            let width = files.map { dir.count + $0.path.count }.max() ?? 0
            var total = 0
            var text = "Wrote \(files.count) files to \(out):\n"
            for f in files {
                total += f.bytes.count
                let path = dir + f.path
                let what = f.kind == "ground-truth" ? "ground truth"
                    : f.kind == "spans" ? "\(f.format), \(f.records) spans in \(f.traces) traces"
                    : "\(f.format)\(f.compression == .none ? "" : " (\(f.compression.rawValue))"), \(f.records) records"
                text += "  " + path + String(repeating: " ", count: max(1, width - path.count + 2))
                text += Self.size(f.bytes.count).leftPadded(9) + "  " + what + "\n"
            }
            text += "  total " + Self.size(total) + "\n"
            text += "Incident: \(truth.incidentStart.rfc3339(digits: 0)) to \(truth.incidentEnd.rfc3339(digits: 0)), "
            text += "\(truth.failedTraceIDs.count) of \(truth.totalTraces) requests failed; "
            if let f = truth.fault {
                text += "fault \(f.kind.rawValue): root cause \(f.service) \(f.operation) (\(f.causeKind)\(f.isDependency ? ", dependency" : "")).\n"
            } else {
                text += "root cause \(truth.rootDependency) behind \(truth.rootService) \(truth.rootOperation).\n"
            }
            print(text, terminator: "")
        }

        /// `--month`: thirty days for `report`, with what happened in ground-truth.json.
        func runMonth() throws {
            let start = TimestampParser().parse(self.start) ?? SimulationConfig.defaultStart
            let files: [SimulatedFile]
            do {
                files = try SimMonth(seed: seed, start: start).run()
                try SimMonth.write(files, to: out)
            } catch {
                Output.stderr.write("inquest: simulate: \(error)\n")
                Output.stderr.flush()
                throw ExitCode(Exit.usage)
            }
            let total = files.reduce(0) { $0 + $1.bytes.count }
            let logs = files.filter { $0.kind == "logs" }
            let spans = files.filter { $0.kind == "spans" }
            var text = "Wrote \(files.count) files to \(out) (\(Self.size(total))): 30 days, "
            text += "\(logs.count) log files (\(logs.reduce(0) { $0 + $1.records }) records), "
            text += "\(spans.count) span files (\(spans.reduce(0) { $0 + $1.records }) spans)\n"
            text += "Events (ground-truth.json): billing error spike on day \(SimMonth.spikeDay) \(SimMonth.spikeStartHour):00–\(SimMonth.spikeEndHour):00 UTC; "
            text += "orders GET /orders/{id} 3× slower from day \(SimMonth.regressionDay); new orders error pattern from day \(SimMonth.newPatternDay).\n"
            print(text, terminator: "")
        }

        static func size(_ n: Int) -> String {
            if n < 10_000 { return "\(n) B" }
            if n < 10_000_000 { return "\((n + 512) / 1024) KiB" }
            return "\((n + 524_288) / 1_048_576) MiB"
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
