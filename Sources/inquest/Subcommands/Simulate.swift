import ArgumentParser
import InquestCore

extension Inquest {
    /// Writes a synthetic incident for demos, tests and benchmarks.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate",
            abstract: "Write a synthetic incident (logs, spans and ground truth) for demos, tests and benchmarks.",
            discussion: """
                An online shop of eight services (frontend, api-gateway, checkout, cart, payment, inventory, \
                shipping, notification) calling postgres, redis and the third-party stripe-api. Part way \
                through, stripe-api slows down, times out and refuses connections, and checkouts fail up to \
                the frontend; a redis miss spike and steady inventory 404s are decoys. Logs are written in \
                eight formats (some gzipped, one tar.gz), spans in Jaeger, Zipkin and OTLP JSON, and \
                ground-truth.json says what really happened. The same seed writes the same bytes. \
                With --fault KIND, a different incident for scoring rca: a topology drawn from the seed, an \
                injected fault with decoys, and root_cause and accepted in ground-truth.json. The kinds \
                deep-error, self-error, latency, timeout-cascade, one-operation and dependency write spans \
                only (unless --signals all). The kinds exception (seen only in logs: no span has an error \
                status), wrong-return (the service answers at once with a wrong value; its caller logs an \
                error), cpu-contention and network-delay (1.3-2x slower; CPU and latency series show them) \
                also write logs/SERVICE.log (a format per service, or a .csv log table) and \
                metrics/SERVICE.csv or .prom, and add a burst of swallowed errors while the fault is on. \
                --fault A,B injects two faults at \
                once in different services; ground-truth.json lists both in root_causes, and accepted \
                names the services of both.
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

        @Option(name: .long, help: ArgumentHelp("Inject a fault, or two (KIND,KIND), instead of the default incident (topology drawn from the seed). Kinds: deep-error, self-error, latency, timeout-cascade, one-operation, dependency, exception, wrong-return, cpu-contention, network-delay.",
                                                valueName: "kind[,kind]"))
        var fault: String?

        @Option(name: .long, help: ArgumentHelp("With --fault: share of requests through the faulty component the fault hits while on (default: from the seed).",
                                                valueName: "0.05-1"))
        var faultRate: Double?

        @Option(name: .long, help: ArgumentHelp("With --fault latency, cpu-contention or network-delay: how many times slower the faulty component's work gets (default: from the seed, 1.3-2 for the last two).",
                                                valueName: "factor"))
        var slowdown: Double?

        @Flag(name: .long, help: "With --fault: no span carries a status (no error flag, status code or exception event); the errors are in the logs.")
        var noSpanStatus = false

        @Option(name: .long, help: ArgumentHelp("With --fault: spans only, or spans, logs and metrics (default: all for the newer kinds and --no-span-status, else spans).",
                                                valueName: "spans|all"))
        var signals: String?

        @Option(name: .long, help: ArgumentHelp("With --fault and --signals all: how metric series are written (default: from the seed).",
                                                valueName: "csv|prometheus"))
        var metricFormat: String?

        @Option(name: .long, help: ArgumentHelp("Span format(s) to write; all (the default) deals traces round-robin to the three, one format gets every trace.",
                                                valueName: "jaeger|zipkin|otlp|all"))
        var spanFormat: String?

        @Flag(name: .long, help: "Write instead 30 days of logs and spans with a daily cycle, an error spike, a latency regression and a new error pattern on known days (for report); starts at midnight UTC of --start's day.")
        var month = false

        func validate() throws {
            if month && fault != nil { throw ValidationError("--month and --fault write different data sets; give one.") }
            if month && spanFormat != nil { throw ValidationError("--month writes Zipkin spans only; drop --span-format.") }
            if let fault {
                for k in fault.split(separator: ",", omittingEmptySubsequences: false) where SimFaultKind(rawValue: String(k)) == nil {
                    throw ValidationError("--fault: '\(k)' is not one of \(SimFaultKind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                if let p = faultOptions.problem(kinds: faultKinds) { throw ValidationError("--fault: \(p).") }
            } else if faultRate != nil || slowdown != nil || noSpanStatus || signals != nil || metricFormat != nil {
                throw ValidationError("--fault-rate, --slowdown, --no-span-status, --signals and --metric-format need --fault.")
            }
            if let signals, SimSignals(rawValue: signals) == nil {
                throw ValidationError("--signals: '\(signals)' is not one of spans, all.")
            }
            if let metricFormat, SimMetricFormat(rawValue: metricFormat) == nil {
                throw ValidationError("--metric-format: '\(metricFormat)' is not one of csv, prometheus.")
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

        var faultKinds: [SimFaultKind] {
            (fault ?? "").split(separator: ",").compactMap { SimFaultKind(rawValue: String($0)) }
        }

        var faultOptions: SimFaultOptions {
            SimFaultOptions(spanFormats: spanFormat.flatMap(SimSpanFormats.init(rawValue:)) ?? .all,
                            signals: signals.flatMap(SimSignals.init(rawValue:)), spanStatus: !noSpanStatus,
                            faultRate: faultRate, slowdown: slowdown, metricFormat: metricFormat.flatMap(SimMetricFormat.init(rawValue:)))
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
                if fault != nil {
                    incident = try sim.runFault(faultKinds, options: faultOptions)
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
                    : f.kind == "metrics" ? "\(f.format), \(f.records) samples"
                    : "\(f.format)\(f.compression == .none ? "" : " (\(f.compression.rawValue))"), \(f.records) records"
                text += "  " + path + String(repeating: " ", count: max(1, width - path.count + 2))
                text += Self.size(f.bytes.count).leftPadded(9) + "  " + what + "\n"
            }
            text += "  total " + Self.size(total) + "\n"
            text += "Incident: \(truth.incidentStart.rfc3339(digits: 0)) to \(truth.incidentEnd.rfc3339(digits: 0)), "
            text += "\(truth.failedTraceIDs.count) of \(truth.totalTraces) requests failed\(truth.fault?.extended == true ? " or were slowed" : ""); "
            if let f = truth.fault, f.faults.count > 1 {
                text += "faults " + f.faults.map { "\($0.kind.rawValue): \($0.service) \($0.operation) (\($0.causeKind)\($0.isDependency ? ", dependency" : ""))" }
                    .joined(separator: "; ") + ".\n"
            } else if let f = truth.fault {
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
