import Foundation

/// Fault-injection incidents for scoring `rca`: `inquest simulate OUT --fault KIND`.
///
/// Unlike the default incident (a fixed shop with logs in eight formats), a fault
/// scenario's topology is drawn from the seed: which services form the call chain, how
/// deep it is, which service, operation or dependency is faulty. Background noise is
/// always there (a service with a steady trickle of 404 error spans, a recommendation
/// service whose error spike is swallowed by a fallback), and some seeds add retries (a
/// failed attempt, then a successful one) and clock skew on one host. The default
/// incident does not use any of this code, so its bytes are unchanged.
///
/// The first six kinds write spans only (`--signals spans`, byte for byte what they
/// always wrote). The kinds after them are what real faults look like, and write logs
/// and per-service metrics beside the spans (`--signals all`): code faults seen only in
/// logs, CPU contention and network delay seen in latency and metrics.
public enum SimFaultKind: String, CaseIterable, Sendable {
    /// An error raised by the deepest service of the chain, propagated up to the entry.
    case deepError = "deep-error"
    /// A mid-chain service fails by itself while its callees answer fine.
    case selfError = "self-error"
    /// A service's own time grows; its callers wait but are not the cause.
    case latency
    /// A caller's client span fails with "deadline exceeded"; the callee is slow but not failing.
    case timeoutCascade = "timeout-cascade"
    /// Only one operation of a service with several fails.
    case oneOperation = "one-operation"
    /// An uninstrumented dependency (seen only in client spans) fails.
    case dependency
    /// One operation throws: the service logs the exception (a stack trace) and answers
    /// 500, its callers log that the call failed; no span carries an error status.
    case exception
    /// One operation returns a wrong value at once (skipping its own calls) with success;
    /// its caller logs an error about the answer and fails. The faulty service logs nothing.
    case wrongReturn = "wrong-return"
    /// Another process takes the CPU of one service: all its operations' own time grows
    /// 1.3–2×, and its CPU series rises. Nothing fails.
    case cpuContention = "cpu-contention"
    /// Every message one service sends is delayed: its calls and its answers arrive late
    /// (the service's part of a request grows 1.3–2×); its CPU does not change. Nothing fails.
    case networkDelay = "network-delay"

    /// The kinds that only ever wrote spans (their output is unchanged by later additions).
    public var isSpanOnly: Bool {
        switch self {
        case .deepError, .selfError, .latency, .timeoutCascade, .oneOperation, .dependency: return true
        default: return false
        }
    }

    /// `error` for faults that make requests fail, `latency` for those that slow them.
    public var causeKind: String {
        switch self {
        case .latency, .timeoutCascade, .cpuContention, .networkDelay: return "latency"
        default: return "error"
        }
    }

    /// Kinds an answer may give and still be right on the strict measure (`resource` for
    /// a CPU fault, which metrics show).
    public var acceptedCauseKinds: [String] {
        self == .cpuContention ? ["latency", "resource"] : [causeKind]
    }
}

/// Which span formats a simulation writes.
public enum SimSpanFormats: String, CaseIterable, Sendable {
    case jaeger, zipkin, otlp, all

    /// The single formats this choice writes, in file order.
    var formats: [SimSpanFormats] { self == .all ? [.jaeger, .zipkin, .otlp] : [self] }
}

/// Which kinds of input a fault scenario writes.
public enum SimSignals: String, CaseIterable, Sendable {
    /// Spans only (the first six kinds' default).
    case spans
    /// Spans, logs (one file a service, each in its own format) and metric series (one
    /// file a service); adds a burst of swallowed errors while the fault is on.
    case all
}

/// How a fault scenario's metric series are written.
public enum SimMetricFormat: String, CaseIterable, Sendable {
    /// A wide CSV table a service: a time column, pod and service columns, one metric a column.
    case csv
    /// Prometheus text exposition with timestamps, a file a service.
    case prometheus
}

/// What `simulate --fault` is asked for besides the kinds.
public struct SimFaultOptions: Sendable {
    public var spanFormats: SimSpanFormats = .all
    /// nil: `all` when a kind needs logs or metrics, or `spanStatus` is off; else `spans`.
    public var signals: SimSignals?
    /// False: no span carries a status (no error flag, no status code, no exception event).
    public var spanStatus = true
    /// Share of requests through the faulty component the fault hits; nil: from the seed.
    public var faultRate: Double?
    /// How many times slower the faulty component's own work gets (latency kinds); nil: from the seed.
    public var slowdown: Double?
    /// nil: from the seed.
    public var metricFormat: SimMetricFormat?

    public init(spanFormats: SimSpanFormats = .all, signals: SimSignals? = nil, spanStatus: Bool = true,
                faultRate: Double? = nil, slowdown: Double? = nil, metricFormat: SimMetricFormat? = nil) {
        self.spanFormats = spanFormats; self.signals = signals; self.spanStatus = spanStatus
        self.faultRate = faultRate; self.slowdown = slowdown; self.metricFormat = metricFormat
    }

    /// The signals written for these kinds.
    func signals(for kinds: [SimFaultKind]) -> SimSignals {
        signals ?? (kinds.allSatisfy(\.isSpanOnly) && spanStatus ? .spans : .all)
    }

    /// Checks the values; nil when fine, otherwise why not.
    public func problem(kinds: [SimFaultKind]) -> String? {
        if kinds.isEmpty || kinds.count > 2 { return "give one or two fault kinds" }
        if kinds.count == 2 && kinds[0] == kinds[1] { return "two faults must be of different kinds" }
        if let r = faultRate, !(r > 0 && r <= 1) { return "--fault-rate must be above 0 and at most 1" }
        if let s = slowdown, !(s >= 1.05 && s <= 20) { return "--slowdown must be between 1.05 and 20" }
        if !spanStatus && signals == .spans { return "spans without status and no logs would leave nothing to find: drop --signals spans" }
        return nil
    }
}

/// One injected fault, as the ground truth describes it.
public struct SimInjectedFault: Sendable {
    public var kind: SimFaultKind
    /// The faulty component: an instrumented service, or the uninstrumented dependency.
    public var service: String
    public var operation: String
    public var causeKind: String
    public var isDependency: Bool
    /// The instrumented service the fault is in or behind.
    public var caller: String
    /// Services (or dependency names) an answer may name and count as right.
    public var accepted: [String]
    public var start: Timestamp
    public var end: Timestamp
    public var faultRate: Double
    /// Own-time factor of a latency fault (nil for the absolute slowdowns of `latency` and `timeout-cascade`).
    public var slowdown: Double?
    /// Network delay added to each message, ms.
    public var delayMillis: Double?
    /// Requests the fault hit.
    public var affectedTraces: Int
    /// Where it shows: `spans` (error status), `span-latency`, `logs`, `metrics`.
    public var visibleIn: [String]
    public var description: String
}

/// What a fault scenario's ground truth adds to the default one.
public struct SimFaultTruth: Sendable {
    public var kind: SimFaultKind
    public var spanFormats: SimSpanFormats
    public var service: String
    public var operation: String
    /// `error` or `latency`.
    public var causeKind: String
    public var isDependency: Bool
    /// Services (or dependency names) an answer may name and count as right.
    public var accepted: [String]
    /// Caller chain from the entry down: frontend, api-gateway, …
    public var chain: [String]
    public var retries: Bool
    public var skewService: String?
    public var skewMillis: Int64
    public var affectedTraceIDs: [String]
    /// Share of requests through the faulty component that fail (or slow down) while the fault is on.
    public var faultRate: Double = 0.8
    /// Every fault injected, the first one first (the one above); two with `--fault A,B`.
    public var faults: [SimInjectedFault] = []
    public var signals: SimSignals = .spans
    public var spanStatus = true
    public var metricFormat: SimMetricFormat?
    /// True when the output may differ from what the first six kinds always wrote (any
    /// option or kind beyond them): the ground truth then lists `faults` and more.
    public var extended = false
}

extension Simulator {
    /// A fault-injection incident: spans in the chosen formats and a ground truth naming the cause.
    public func runFault(_ kind: SimFaultKind, spanFormats: SimSpanFormats = .all) throws(Failure) -> Incident {
        try runFault([kind], options: SimFaultOptions(spanFormats: spanFormats))
    }

    /// A fault-injection incident with one or two faults at once, and with `--signals all`
    /// logs and metric series beside the spans.
    public func runFault(_ kinds: [SimFaultKind], options: SimFaultOptions) throws(Failure) -> Incident {
        if let p = config.problem() { throw Failure(message: p) }
        if let p = options.problem(kinds: kinds) { throw Failure(message: p) }
        let kind = kinds[0]
        let spanFormats = options.spanFormats
        let gen = SimFaultGenerator(config: config, kinds: kinds, options: options)
        gen.run()
        let services = Set(gen.ops.map(\.service)).sorted()
        var hosts: [String: String] = [:], ips: [String: String] = [:], scopes: [String: String] = [:]
        for (i, s) in services.enumerated() {
            hosts[s] = "\(s)-\(String(format: "%05x", (Int(config.seed) &* 7_919 &+ i &* 104_729) & 0xFFFFF))"
            ips[s] = "10.43.\(i + 1).\(10 + Int(config.seed % 200))"
            scopes[s] = "manual"
        }
        let formats = spanFormats.formats
        var files: [SimulatedFile] = SimSpanRenderer.files(
            traces: gen.traces.map { Array(gen.spans[$0.spanRange]) }, formats: spanFormats, serviceOrder: services,
            hosts: hosts, ips: ips, scopes: scopes,
            notes: [.jaeger: "Jaeger query API JSON", .zipkin: "Zipkin v2 span array", .otlp: "OTLP JSON ExportTraceServiceRequest"])
        if gen.signals == .all {
            files += SimFaultSignals.logFiles(gen, hosts: hosts)
            files += SimFaultSignals.metricFiles(gen, seed: config.seed, hosts: hosts)
        }
        func ts(_ micros: Int64) -> Timestamp { Timestamp(nanos: micros * 1000, precision: 0) }
        var statuses: [Int: Int] = [:]
        for t in gen.traces { statuses[t.status, default: 0] += 1 }
        let failed = gen.traces.filter { $0.status >= 500 }.map(\.id)
        let affected = gen.traces.filter(\.affected).map(\.id)
        let faultyService = gen.ops[gen.faultyOp].service
        let accepted = gen.faultyDep.map { [$0, faultyService] } ?? [faultyService]
        // Failed requests, and those a latency fault slowed.
        let latencyFaults = Set(gen.faults.indices.filter { gen.faults[$0].kind.causeKind == "latency" && gen.faults[$0].kind != .timeoutCascade })
        let failedOrSlowed = gen.traces.filter { $0.status >= 500 || !$0.hitBy.isDisjoint(with: latencyFaults) }.map(\.id)
        var decoys: [SimulationGroundTruth.Decoy] = [
            .init(service: gen.ops[gen.noisyOp].service, dependency: nil, operation: gen.ops[gen.noisyOp].name, kind: "error",
                  start: nil, end: nil, description: "about 6% of calls end in 404 with an error span, at all times; users never get a 5xx from it"),
            .init(service: "recommendation", dependency: nil, operation: "GET /recommendations", kind: "error",
                  start: ts(gen.spikeStart), end: ts(gen.spikeEnd),
                  description: "errors spike to about 45%; the frontend falls back to a default list and the user gets 200"),
        ]
        if gen.signals == .all {
            decoys += [
                .init(service: gen.ops[gen.burstOp].service, dependency: nil, operation: gen.ops[gen.burstOp].name, kind: "error",
                      start: ts(gen.burstStart), end: ts(gen.burstEnd),
                      description: "while the fault is on, about 40% of calls are rejected (error span, error log); the caller has a cached answer and succeeds"),
                .init(service: gen.cpuDecoyService, dependency: nil, operation: nil, kind: "resource",
                      start: ts(gen.cpuDecoyStart), end: ts(gen.cpuDecoyEnd),
                      description: "a scheduled job lifts the CPU series; no request slows down or fails"),
                .init(service: gen.steadyErrorService, dependency: nil, operation: nil, kind: "log",
                      start: nil, end: nil, description: "logs the same error (telemetry export) every minute or two, before, during and after the fault"),
            ]
        }
        var truth = SimulationGroundTruth(
            config: config, incidentStart: ts(gen.faultStart), incidentEnd: ts(gen.faultEnd), errorsStart: ts(gen.faultStart),
            phases: [.init(name: "fault \(kind.rawValue) active", start: ts(gen.faultStart), end: ts(gen.faultEnd))],
            decoys: decoys,
            totalTraces: gen.traces.count, totalSpans: gen.spans.count,
            failedTraceIDs: gen.extended ? failedOrSlowed : kind == .latency ? affected : failed,
            statusCounts: statuses.keys.sorted().map { ($0, statuses[$0] ?? 0) },
            spanSplit: "the i-th trace (from 0) is in the (i % \(formats.count))-th of: " + formats.map(\.rawValue).joined(separator: ", "))
        truth.rootService = faultyService
        truth.rootOperation = gen.causeOperation
        truth.rootKind = gen.causeKind
        truth.rootDependency = gen.faultyDep ?? ""
        truth.propagation = gen.chain.map { gen.ops[$0].service }
        truth.files = files
        var fault = SimFaultTruth(kind: kind, spanFormats: spanFormats, service: gen.causeService, operation: gen.causeOperation,
                                  causeKind: gen.causeKind, isDependency: gen.faultyDep != nil, accepted: accepted,
                                  chain: gen.chain.map { gen.ops[$0].service }, retries: gen.retries,
                                  skewService: gen.skewService, skewMillis: gen.skewMicros / 1000, affectedTraceIDs: affected,
                                  faultRate: (gen.faultRate * 100).rounded() / 100)
        fault.extended = gen.extended
        fault.signals = gen.signals
        fault.spanStatus = gen.spanStatus
        fault.metricFormat = gen.signals == .all ? gen.metricFormat : nil
        fault.faults = gen.faults.map { f in
            let service = gen.ops[f.op].service
            var visible: [String] = []
            if gen.spanStatus && ![.latency, .cpuContention, .networkDelay, .exception].contains(f.kind) { visible.append("spans") }
            if f.kind.causeKind == "latency" || f.kind == .wrongReturn { visible.append("span-latency") }
            if gen.signals == .all {
                if f.kind.causeKind == "error" || f.kind == .timeoutCascade { visible.append("logs") }
                visible.append("metrics")
            }
            let description: String
            switch f.kind {
            case .deepError: description = "\(service) raises an error that every caller passes on"
            case .selfError: description = "\(service) fails by itself while its callees answer fine"
            case .latency: description = f.factor.map { "\(service)'s own time grows \(SimFaultSignals.number($0))x" } ?? "\(service)'s own time grows by about a second or more"
            case .timeoutCascade: description = "\(service) slows past its caller's deadline of 1 s; the caller's client span fails"
            case .oneOperation: description = "only \(gen.ops[f.op].name) of \(service) fails"
            case .dependency: description = "\(f.dep ?? "") (not instrumented) fails under \(service)"
            case .exception: description = "\(service) throws \(f.exception.0) in \(gen.ops[f.op].name) and logs it; callers log the failed call; no span has an error status"
            case .wrongReturn: description = "\(service) answers \(gen.ops[f.op].name) at once with a wrong value and success; its caller logs \"\(f.wrongDetail)\" and fails"
            case .cpuContention: description = "another process takes \(service)'s CPU: its own time grows \(SimFaultSignals.number(f.factor ?? 1))x and its CPU series rises"
            case .networkDelay: description = "every message \(service) sends is delayed \(SimFaultSignals.number(Double(f.delayMicros) / 1000)) ms"
            }
            return SimInjectedFault(
                kind: f.kind, service: f.dep ?? service, operation: gen.operation(of: f),
                causeKind: f.kind.causeKind, isDependency: f.dep != nil, caller: service,
                accepted: f.dep.map { [$0, service] } ?? [service], start: ts(gen.faultStart), end: ts(gen.faultEnd),
                faultRate: (f.rate * 100).rounded() / 100, slowdown: f.factor.map { ($0 * 100).rounded() / 100 },
                delayMillis: f.kind == .networkDelay ? Double(f.delayMicros / 100) / 10 : nil,
                affectedTraces: f.affected, visibleIn: visible, description: description)
        }
        if gen.extended {
            var union: [String] = []
            for f in fault.faults { for a in f.accepted where !union.contains(a) { union.append(a) } }
            fault.accepted = union
        }
        truth.fault = fault
        let truthFile = SimulatedFile(path: "ground-truth.json", bytes: Array(truth.json().utf8), kind: "ground-truth", format: "json",
                                      records: 1, note: "what really happened")
        return Incident(files: [truthFile] + files, groundTruth: truth)
    }
}
