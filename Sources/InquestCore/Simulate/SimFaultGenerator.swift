/// Generates a fault scenario's traces, and with `--signals all` its logs and the
/// samples its metric series are made from.
///
/// Determinism: every choice comes from `rng`, drawn in a fixed order. A scenario of one
/// of the first six kinds with no other option (`extended == false`) draws exactly what
/// it always drew, so its bytes do not change; everything added since happens only when
/// `extended` is true. Log lines take their random parts from a stream of their own
/// (`logRng`), so writing logs never moves a span.
final class SimFaultGenerator: SimSpanWriter {
    struct Op {
        let service: String
        let name: String
        /// Operations this one calls, in order.
        var calls: [Int] = []
        /// Uninstrumented dependencies it calls, in order.
        var deps: [String] = []
        var medianMs: Double
        /// Callers swallow this operation's errors (a fallback).
        var fallback = false
    }

    struct Reply {
        var end: Int64
        var status: Int
        var error: String?
        /// A success with a wrong value in it (`wrong-return`).
        var wrong = false
        /// Extra time before the caller sees the answer (`network-delay` on the callee), µs.
        var delay: Int64 = 0
    }

    struct Trace {
        let id: String
        let spanRange: Range<Int>
        let status: Int
        let affected: Bool
        /// Indices into `faults` of the faults that hit this request.
        let hitBy: Set<Int>
    }

    /// One injected fault while the generator runs.
    struct Fault {
        var kind: SimFaultKind
        /// The faulty operation (for a dependency fault: the operation calling it).
        var op: Int
        var dep: String?
        var rate: Double
        /// Extra own time, µs (`latency`, `timeout-cascade` without `--slowdown`).
        var slowdownMicros: Int64
        /// Own-time factor (`cpu-contention`, and `latency` with `--slowdown`).
        var factor: Double?
        /// Delay of each message the service sends, µs (`network-delay`).
        var delayMicros: Int64 = 0
        /// What the faulty operation's caller logs about a wrong answer (`wrong-return`).
        var wrongDetail = ""
        /// Exception type and message (`exception`).
        var exception = ("", "")
        var affected = 0
    }

    /// A measurement behind the metric series: one server or client span, with the
    /// status the service really answered (whether or not spans show it).
    struct Sample {
        let service: String
        let time: Int64
        let micros: Int64
        let ok: Bool
        let server: Bool
    }

    let config: SimulationConfig
    let kind: SimFaultKind
    let kinds: [SimFaultKind]
    let options: SimFaultOptions
    /// Anything beyond what the first six kinds always wrote.
    let extended: Bool
    let signals: SimSignals
    var rng: SimRandom
    private var logRng: SimRandom
    private(set) var ops: [Op] = []
    var spans: [Span] = []
    private(set) var traces: [Trace] = []
    private(set) var chain: [Int] = []  // op indices, entry (frontend) first
    private var routes: [(op: Int, weight: Double)] = []
    var traceID = ""
    private var affected = false
    private var hitBy = Set<Int>()

    // The faults.
    private(set) var faults: [Fault] = []
    private(set) var noisyOp = -1
    private(set) var fallbackOp = -1
    /// A chain service's side call whose errors burst while the fault is on and are swallowed (`--signals all`).
    private(set) var burstOp = -1
    private(set) var burstStart: Int64 = 0, burstEnd: Int64 = 0
    /// A healthy service whose CPU rises for a while without slowing anything (`--signals all`).
    private(set) var cpuDecoyService = ""
    private(set) var cpuDecoyStart: Int64 = 0, cpuDecoyEnd: Int64 = 0
    /// A healthy service that logs the same error at all times (`--signals all`).
    private(set) var steadyErrorService = ""
    private(set) var retries = false
    private(set) var skewService: String?
    private(set) var skewMicros: Int64 = 0
    let faultStart: Int64, faultEnd: Int64
    private(set) var spikeStart: Int64, spikeEnd: Int64
    /// Client deadline of the caller in a timeout cascade, µs.
    static let deadline: Int64 = 1_000_000

    private(set) var logs: [SimLogEvent] = []
    private(set) var samples: [Sample] = []
    private(set) var logFormats: [String: SimFaultSignals.LogFormat] = [:]
    private(set) var metricFormat: SimMetricFormat = .csv
    private var sequence = 0

    /// False: spans carry no status (`--no-span-status`, or an `exception` fault).
    var spanStatus: Bool { options.spanStatus && !kinds.contains(.exception) }

    var faultyOp: Int { faults[0].op }
    var faultyDep: String? { faults[0].dep }
    var faultRate: Double { faults[0].rate }

    init(config: SimulationConfig, kinds: [SimFaultKind], options: SimFaultOptions = SimFaultOptions()) {
        self.config = config
        let kind = kinds.first ?? .deepError
        let all = kinds.isEmpty ? [kind] : kinds
        let signals = options.signals(for: all)
        self.kind = kind
        self.kinds = all
        self.options = options
        self.signals = signals
        extended = !kind.isSpanOnly || all.count > 1 || signals == .all || !options.spanStatus
            || options.faultRate != nil || options.slowdown != nil || options.metricFormat != nil
        // A stream of its own, so that each kind gets a different incident for one seed.
        let salt = UInt64(SimFaultKind.allCases.firstIndex(of: kind) ?? 0) &* 0x9E37_79B9_7F4A_7C15
        rng = SimRandom(seed: config.seed ^ salt ^ 0x5EED_FA17)
        logRng = SimRandom(seed: config.seed ^ salt ^ 0x106_5EED)
        let start = config.start.nanos / 1000
        let span = config.durationSeconds * 1_000_000
        func at(_ f: Double) -> Int64 { start + Int64(Double(span) * f) / 1_000_000 * 1_000_000 }
        faultStart = at(0.40 + 0.10 * rng.unit())
        faultEnd = at(0.70 + 0.10 * rng.unit())
        spikeStart = at(0.15 + 0.50 * rng.unit())
        spikeEnd = spikeStart + span / 8
        buildTopology()
        if extended { extend() }
    }

    private func add(_ op: Op) -> Int { ops.append(op); return ops.count - 1 }

    static let thirdParty = ["stripe-api", "fraud-api", "geo-api", "sms-gateway", "s3"]

    private func buildTopology() {
        var pool = ["checkout", "orders", "payment", "inventory", "pricing", "catalog", "shipping", "accounts", "ledger", "search", "fulfillment", "tax"]
        for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, rng.int(0...i)) }
        let depth = rng.int(3...5)
        let chainServices = Array(pool[0..<depth])
        let leaves = Array(pool[depth..<(depth + 2)])
        let dbs = ["postgres", "mysql", "redis", "mongodb"]
        let thirdParty = Self.thirdParty
        let verbs = ["POST /process", "POST /submit", "GET /details", "PUT /update", "POST /validate"]

        let frontend = add(Op(service: "frontend", name: "POST /api/\(chainServices[0])", medianMs: 1))
        let gateway = add(Op(service: "api-gateway", name: "POST /api/\(chainServices[0])", medianMs: 0.8))
        ops[frontend].calls = [gateway]
        chain = [frontend, gateway]
        var previous = gateway
        for (i, s) in chainServices.enumerated() {
            let verb = verbs[rng.int(0...(verbs.count - 1))]
            var op = Op(service: s, name: "\(verb.split(separator: " ")[0]) /\(s)\(verb.split(separator: " ")[1])", medianMs: 3 + 6 * rng.unit())
            op.deps = [dbs[rng.int(0...(dbs.count - 1))]]
            if i == depth - 1 || rng.chance(0.3) { op.deps.append(thirdParty[rng.int(0...(thirdParty.count - 1))]) }
            let o = add(op)
            ops[previous].calls.append(o)
            chain.append(o)
            previous = o
        }
        // Healthy side calls from the chain, one with a steady trickle of 404s.
        for (i, l) in leaves.enumerated() {
            let o = add(Op(service: l, name: "GET /\(l)/{id}", deps: [dbs[rng.int(0...(dbs.count - 1))]], medianMs: 2 + 4 * rng.unit()))
            let caller = chain[2 + rng.int(0...(depth - 2))]
            ops[caller].calls.insert(o, at: rng.int(0...ops[caller].calls.count))
            if i == 0 { noisyOp = o } else { burstOp = o }
        }
        // The recommendation service: errors spike for a while, the frontend falls back.
        fallbackOp = add(Op(service: "recommendation", name: "GET /recommendations", deps: ["redis"], medianMs: 5, fallback: true))
        ops[frontend].calls.append(fallbackOp)
        routes = [(frontend, 0.6)]
        // Second operations of the chain services, each its own route from the gateway.
        for k in 2..<chain.count {
            let s = ops[chain[k]].service
            let fe = add(Op(service: "frontend", name: "GET /api/\(s)/summary", medianMs: 1))
            let gw = add(Op(service: "api-gateway", name: "GET /api/\(s)/summary", medianMs: 0.8))
            let second = add(Op(service: s, name: "GET /\(s)/summary", deps: [ops[chain[k]].deps[0]], medianMs: 2 + 3 * rng.unit()))
            ops[fe].calls = [gw, fallbackOp]
            ops[gw].calls = [second]
            routes.append((fe, 0.4 / Double(chain.count - 2)))
        }

        var first = Fault(kind: kind, op: -1, dep: nil, rate: 0.8, slowdownMicros: 1_400_000)
        (first.op, first.dep) = pickFaultyOp(kind, excluding: [])
        retries = rng.chance(0.5)
        first.rate = 0.35 + 0.55 * rng.unit()
        first.slowdownMicros = kind == .latency ? rng.int64(600_000...1_600_000) : 1_400_000
        if rng.chance(0.5) {
            let candidates = chain[1...].map { ops[$0].service }
            skewService = candidates[rng.int(0...(candidates.count - 1))]
            skewMicros = (rng.chance(0.5) ? 1 : -1) * rng.int64(40_000...350_000)
        }
        faults = [first]
    }

    /// The faulty operation (and dependency) of a fault of `kind`, in a service not in `excluding`.
    private func pickFaultyOp(_ kind: SimFaultKind, excluding: Set<String>) -> (Int, String?) {
        let services = chain.count - 2  // instrumented chain services below the gateway
        if !excluding.isEmpty {
            // A second fault: any chain service the first one is not in.
            let free = chain[2...].filter { !excluding.contains(ops[$0].service) }
            var o = free.isEmpty ? chain[2] : free[rng.int(0...(free.count - 1))]
            if kind == .deepError, let last = chain.last, !excluding.contains(ops[last].service) { o = last }
            if kind == .timeoutCascade, o == chain[2], let alt = free.first(where: { $0 != chain[2] }) { o = alt }
            var dep: String?
            if kind == .dependency {
                let d = Self.thirdParty[rng.int(0...(Self.thirdParty.count - 1))]
                if !ops[o].deps.contains(d) { ops[o].deps.append(d) }
                dep = d
            }
            return (o, dep)
        }
        switch kind {
        case .deepError:
            return (chain[chain.count - 1], nil)
        case .selfError:
            return (chain[2 + rng.int(0...(services - 2))], nil)
        case .latency, .oneOperation, .exception, .wrongReturn, .cpuContention, .networkDelay:
            // For one-operation: the chain operation of a service that also serves a summary route.
            return (chain[2 + rng.int(0...(services - 1))], nil)
        case .timeoutCascade:
            return (chain[3 + rng.int(0...(services - 2))], nil)
        case .dependency:
            let o = chain[2 + rng.int(0...(services - 1))]
            var dep = ops[o].deps.last
            if ops[o].deps.count == 1 || rng.chance(0.5) {
                let d = Self.thirdParty[rng.int(0...(Self.thirdParty.count - 1))]
                if !ops[o].deps.contains(d) { ops[o].deps.append(d) }
                dep = d
            }
            return (o, dep)
        }
    }

    /// What only extended scenarios have: the rates and slowdowns of the newer kinds, a
    /// second fault, the decoys of `--signals all`.
    private func extend() {
        for (i, k) in kinds.enumerated() {
            if i > 0 {
                var f = Fault(kind: k, op: -1, dep: nil, rate: 0.35 + 0.55 * rng.unit(), slowdownMicros: 1_400_000)
                var taken = Set<String>()
                for g in faults {
                    taken.insert(ops[g.op].service)
                    if let d = g.dep { taken.insert(d) }
                }
                (f.op, f.dep) = pickFaultyOp(k, excluding: taken)
                if k == .latency { f.slowdownMicros = rng.int64(600_000...1_600_000) }
                faults.append(f)
            }
            var f = faults[i]
            switch k {
            case .cpuContention, .networkDelay:
                f.rate = 0.6 + 0.4 * rng.unit()
                f.factor = 1.3 + 0.7 * rng.unit()
            case .exception:
                let thrown = [("NullPointerException", "Cannot invoke \"Item.getPrice()\" because \"item\" is null"),
                              ("IllegalStateException", "connection pool shut down"),
                              ("ArithmeticException", "/ by zero"),
                              ("KeyError", "'currency_code'"),
                              ("TypeError", "Cannot read properties of undefined (reading 'id')"),
                              ("IndexOutOfBoundsException", "Index 3 out of bounds for length 3")]
                f.exception = thrown[rng.int(0...(thrown.count - 1))]
            case .wrongReturn:
                let details = ["amount is negative", "empty result where one item was expected", "unknown currency code \"XXX\"",
                               "quantity out of range", "id does not match the request", "price is zero"]
                f.wrongDetail = details[rng.int(0...(details.count - 1))]
            default:
                break
            }
            if let r = options.faultRate { f.rate = r }
            if let s = options.slowdown, [.latency, .cpuContention, .networkDelay].contains(k) { f.factor = s }
            if k == .networkDelay, let factor = f.factor {
                // The delay that makes the service's part of a request `factor` times as long:
                // spread over the messages it sends (its answer and each call it makes).
                let o = f.op
                let messages = 1 + ops[o].deps.count + ops[o].calls.count
                f.delayMicros = Int64((factor - 1) * subtreeMillis(o) * 1000 / Double(messages))
            }
            faults[i] = f
        }
        guard signals == .all else { return }
        let start = config.start.nanos / 1000
        let span = config.durationSeconds * 1_000_000
        // The swallowed errors come while the fault is on.
        let length = faultEnd - faultStart
        spikeStart = faultStart + Int64(Double(length) * 0.4 * rng.unit())
        spikeEnd = spikeStart + span / 8
        burstStart = faultStart + Int64(Double(length) * 0.3 * rng.unit())
        burstEnd = burstStart + length / 2
        ops[burstOp].fallback = true
        let faulty = Set(faults.map { ops[$0.op].service })
        let healthy = Set(ops.map(\.service)).subtracting(faulty).subtracting(["frontend", "api-gateway"]).sorted()
        cpuDecoyService = healthy.isEmpty ? "recommendation" : healthy[rng.int(0...(healthy.count - 1))]
        cpuDecoyStart = start + Int64(Double(span) * (0.2 + 0.5 * rng.unit()))
        cpuDecoyEnd = cpuDecoyStart + span / 10
        let quiet = healthy.filter { $0 != cpuDecoyService }
        steadyErrorService = quiet.isEmpty ? "recommendation" : quiet[rng.int(0...(quiet.count - 1))]
        for s in Set(ops.map(\.service)).sorted() {
            logFormats[s] = SimFaultSignals.LogFormat.allCases[logRng.int(0...(SimFaultSignals.LogFormat.allCases.count - 1))]
        }
        metricFormat = options.metricFormat ?? (logRng.chance(0.5) ? .csv : .prometheus)
    }

    /// Typical time of operation `o` with everything it calls, ms.
    private func subtreeMillis(_ o: Int) -> Double {
        let op = ops[o]
        var ms = op.medianMs
        for d in op.deps { ms += d.hasSuffix("api") || d == "s3" || d == "sms-gateway" ? 40 : 3 }
        for c in op.calls where !ops[c].fallback { ms += subtreeMillis(c) + 0.8 }
        return ms
    }

    var causeKind: String { kind.causeKind }
    var causeService: String { faults[0].dep ?? ops[faults[0].op].service }
    var causeOperation: String { operation(of: faults[0]) }

    /// The faulty operation: the dependency's as its callers' client spans name it, or the service's.
    func operation(of f: Fault) -> String { f.dep.map(depOperation) ?? ops[f.op].name }

    func run() {
        let start = config.start.nanos / 1000
        let span = config.durationSeconds * 1_000_000
        let slot = Double(span - 10_000_000) / Double(config.requests)
        let weights = routes.map(\.weight)
        for i in 0..<config.requests {
            let t = start + Int64((Double(i) + rng.unit()) * slot)
            traceID = rng.hex(bits: 128)
            affected = false
            hitBy = []
            let first = spans.count
            let route = routes[rng.weighted(weights)].op
            let r = exec(route, parent: nil, at: t)
            traces.append(Trace(id: traceID, spanRange: first..<spans.count, status: r.status, affected: affected, hitBy: hitBy))
        }
        for t in traces { for f in t.hitBy { faults[f].affected += 1 } }
        if signals == .all { backgroundLogs(from: start, to: start + span) }
        // Without span status, and with an exception fault (only the logs show it), no span
        // says anything failed.
        if !spanStatus {
            for i in spans.indices {
                spans[i].status = .unset
                spans[i].statusMessage = nil
                spans[i].events.removeAll { $0.name == "exception" }
                spans[i].attributes.removeAll { $0.key == "http.status_code" }
            }
        }
        if let s = skewService {
            for i in spans.indices where spans[i].service == s {
                spans[i].start = Timestamp(nanos: spans[i].start.nanos + skewMicros * 1000, precision: 6)
                for e in spans[i].events.indices {
                    spans[i].events[e].time = Timestamp(nanos: spans[i].events[e].time.nanos + skewMicros * 1000, precision: 6)
                }
            }
            // Logs are stamped by the same skewed clock.
            for i in logs.indices where logs[i].service == s { logs[i].time += skewMicros * 1000 }
        }
    }

    private func active(_ t: Int64) -> Bool { t >= faultStart && t < faultEnd }

    /// Whether fault `f` concerns operation `o`: its operation, or any operation of its
    /// service for the resource faults.
    private func touches(_ f: Fault, _ o: Int) -> Bool {
        switch f.kind {
        case .cpuContention, .networkDelay: return ops[o].service == ops[f.op].service
        default: return o == f.op
        }
    }

    /// Runs operation `o` as a server span under `parent` (a client span), from `start`.
    private func exec(_ o: Int, parent: Int?, at start: Int64) -> Reply {
        let op = ops[o]
        let s = open(op.service, op.name, .server, parent: parent, at: start)
        attr(s, "http.method", String(op.name.split(separator: " ")[0]))
        attr(s, "http.route", String(op.name.split(separator: " ").last ?? ""))
        // Which faults hit this operation in this request (for one fault: exactly the draw it always was).
        var hit: [Fault] = []
        for (i, f) in faults.enumerated() where touches(f, o) && active(start) && rng.chance(f.rate) {
            hit.append(f)
            hitBy.insert(i)
        }
        if !hit.isEmpty { affected = true }
        func has(_ k: SimFaultKind) -> Fault? { hit.first { $0.kind == k } }
        let factor = hit.compactMap { $0.kind == .latency || $0.kind == .cpuContention ? $0.factor : nil }.max() ?? 1
        let delay = has(.networkDelay)?.delayMicros ?? 0
        var t = start + scaled(latency(op.medianMs * 0.3), factor)
        var status = 200
        var error: String?
        if let f = has(.latency) ?? has(.timeoutCascade), f.factor == nil {
            t += f.slowdownMicros + rng.int64(0...1_800_000)  // its own work slows down
        }
        if has(.wrongReturn) != nil {
            // Returns at once, with a wrong value: none of its own calls are made.
            let end = t + latency(op.medianMs * 0.2)
            attr(s, "http.status_code", "200")
            close(s, at: end)
            sample(op.service, start, end - start, ok: true, server: true)
            log(op.service, .info, at: end, span: s, "request completed", [.init("status", 200), .init("duration_ms", ms(end - start))])
            return Reply(end: end, status: 200, error: nil, wrong: true, delay: delay)
        }
        // Dependencies first.
        for d in op.deps where status < 400 {
            let c = open(op.service, depOperation(d), .client, parent: s, at: t)
            attr(c, "peer.service", d)
            attr(c, "server.address", "\(d).internal")
            if ["postgres", "mysql", "redis", "mongodb"].contains(d) { attr(c, "db.system", d) }
            spans[c].remoteService = d
            let callStart = t
            if let f = has(.dependency), d == f.dep {
                t += rng.int64(5_000...60_000)
                close(c, at: t)
                let msg = rng.chance(0.5) ? "connection refused" : "503 Service Unavailable from \(d)"
                fail(c, msg, at: t, exception: ("DependencyError", "\(d): \(msg)"))
                status = 500
                error = "\(d) unavailable: \(msg)"
                log(op.service, .error, at: t + 30, span: s, "\(d) call failed: \(msg)", [.init("peer", d), .init("operation", depOperation(d))])
            } else {
                t += latency(d.hasSuffix("api") || d == "s3" || d == "sms-gateway" ? 40 : 3) + delay
                close(c, at: t)
                if signals == .all && logRng.chance(0.25) {
                    log(op.service, .debug, at: t, span: s, "\(depOperation(d)) on \(d) took \(ms(t - callStart).text) ms")
                }
            }
            sample(op.service, callStart, t - callStart, ok: status < 500, server: false)
        }
        // Then the instrumented callees.
        for callee in op.calls where status < 400 {
            let cop = ops[callee]
            // A failed first attempt (connection reset), then a successful retry.
            if retries && !cop.fallback && rng.chance(0.04) {
                let c = open(op.service, cop.name, .client, parent: s, at: t)
                attr(c, "http.method", String(cop.name.split(separator: " ")[0]))
                t += rng.int64(2_000...30_000)
                close(c, at: t)
                fail(c, "connection reset by peer", at: t, exception: ("IOException", "connection reset by peer"))
                log(op.service, .warn, at: t + 20, span: s, "connection reset by peer calling \(cop.service), retrying")
                t += rng.int64(50_000...120_000)
            }
            let callStart = t
            let c = open(op.service, cop.name, .client, parent: s, at: t)
            attr(c, "http.method", String(cop.name.split(separator: " ")[0]))
            if retries { attr(c, "http.resend_count", "0") }
            let r = exec(callee, parent: c, at: t + delay + rng.int64(150...900))
            let deadlineHit = faults.contains { $0.kind == .timeoutCascade && $0.op == callee } && r.end + r.delay - t > Self.deadline
            if deadlineHit {
                t += Self.deadline
                close(c, at: t)
                fail(c, "context deadline exceeded", at: t, exception: ("DeadlineExceeded", "context deadline exceeded calling \(cop.service)"))
                status = 504
                error = "deadline exceeded calling \(cop.service)"
                log(op.service, .error, at: t + 20, span: s, "deadline exceeded calling \(cop.service)", [.init("timeout_ms", Int(Self.deadline / 1000))])
                sample(op.service, callStart, t - callStart, ok: false, server: false)
                continue
            }
            t = r.end + r.delay + rng.int64(120...700)
            attr(c, "http.status_code", String(r.status))
            close(c, at: t)
            sample(op.service, callStart, t - callStart, ok: r.status < 500, server: false)
            if r.status >= 500 {
                fail(c, "HTTP \(r.status) from \(cop.service)", at: t)
                if !cop.fallback {
                    status = 502
                    error = "\(cop.service) returned \(r.status)"
                    log(op.service, .error, at: t + 20, span: s, "call to \(cop.service) failed", [.init("status", r.status), .init("operation", cop.name)])
                } else {
                    log(op.service, .warn, at: t + 20, span: s, "\(cop.service) unavailable, using fallback", [.init("status", r.status)])
                }
            } else if r.wrong {
                status = 500
                let detail = faults.first { $0.kind == .wrongReturn && $0.op == callee }?.wrongDetail ?? "unexpected value"
                error = "invalid response from \(cop.service)"
                log(op.service, .error, at: t + 20, span: s, "invalid response from \(cop.service): \(detail)", [.init("operation", cop.name)])
            }
        }
        if status < 400, let f = hit.first(where: { [.deepError, .selfError, .oneOperation, .exception].contains($0.kind) }) {
            t += latency(2)
            let msg: String
            let exception: (String, String)
            switch f.kind {
            case .deepError:
                msg = "constraint violation while writing \(op.service) record"
                exception = ("IntegrityError", msg)
            case .exception:
                msg = "\(f.exception.0): \(f.exception.1)"
                exception = f.exception
            default:
                msg = "NullPointerException in \(op.service) handler"
                exception = ("NullPointerException", msg)
            }
            fail(s, msg, at: t, exception: exception)
            status = 500
            error = msg
            log(op.service, .error, at: t, span: s, f.kind == .exception ? "unhandled exception in \(op.name)" : msg,
                [.init("error", msg)], stack: stack(for: exception, service: op.service))
        }
        // Noise: the steady 404s and the swallowed recommendation spike.
        if status < 400 && o == noisyOp && rng.chance(0.06) {
            status = 404
            fail(s, "not found", at: t, exception: ("NotFound", "no record for id"))
            log(op.service, .warn, at: t, span: s, "record not found", [.init("id", Int(logRng.int(1000...99_999)))])
        }
        if status < 400 && o == fallbackOp && t >= spikeStart && t < spikeEnd && rng.chance(0.45) {
            status = 503
            error = "recommendation model unavailable"
            fail(s, "recommendation model unavailable", at: t, exception: ("ModelUnavailable", "recommendation model not loaded"))
            log(op.service, .error, at: t, span: s, "recommendation model not loaded", [.init("model", "ranker")])
        }
        if status < 400 && o == burstOp && burstEnd > burstStart && t >= burstStart && t < burstEnd && rng.chance(0.4) {
            // Errors its caller swallows (it has a cached answer), while the fault is on. The
            // rejection is quick: the decoy must not slow the request down (that would be a
            // real latency fault of its own).
            t += rng.int64(200...1_500)
            status = 503
            error = "\(op.service) overloaded"
            fail(s, "\(op.service) overloaded", at: t, exception: ("Overloaded", "too many concurrent requests"))
            log(op.service, .error, at: t, span: s, "rejecting request: too many concurrent requests", [.init("limit", 64)])
        }
        let end = t + scaled(latency(op.medianMs * 0.7), factor)
        attr(s, "http.status_code", String(status))
        close(s, at: end)
        if status >= 500 && spans[s].status != .error { fail(s, error ?? "HTTP \(status)", at: end) }
        sample(op.service, start, end - start, ok: status < 500, server: true)
        if signals == .all {
            let level: Level = status >= 500 ? .error : status >= 400 ? .warn : .info
            log(op.service, level, at: end, span: s, "request completed",
                [.init("method", String(op.name.split(separator: " ")[0])), .init("route", String(op.name.split(separator: " ").last ?? "")),
                 .init("status", status), .init("duration_ms", ms(end - start))])
        }
        return Reply(end: end, status: status, error: error, delay: delay)
    }

    private func scaled(_ micros: Int64, _ factor: Double) -> Int64 {
        factor == 1 ? micros : Int64(Double(micros) * factor)
    }

    private func ms(_ micros: Int64) -> SimLogEvent.Value { .decimal(micros / 100, digits: 1) }

    private func depOperation(_ d: String) -> String {
        switch d {
        case "postgres", "mysql": return "SELECT"
        case "redis": return "GET"
        case "mongodb": return "find"
        default: return "POST /v1/\(d.replacingOccurrences(of: "-api", with: ""))"
        }
    }

    private func latency(_ medianMs: Double) -> Int64 {
        max(80, Int64(rng.logNormal(median: medianMs, sigma: 0.4) * 1000))
    }

    // MARK: - Logs and samples (only with --signals all; never drawing from `rng`)

    private func log(_ service: String, _ level: Level, at t: Int64, span: Int?, _ message: String,
                     _ fields: [SimLogEvent.Field] = [], stack: [String] = []) {
        guard signals == .all else { return }
        sequence += 1
        logs.append(SimLogEvent(time: t * 1000, sequence: sequence, service: service, level: level, message: message,
                                traceID: span.map { spans[$0].traceID }, spanID: span.map { spans[$0].spanID },
                                fields: fields, thread: "worker-\(logRng.int(1...8))", logger: "\(service).handler", stack: stack))
    }

    private func sample(_ service: String, _ t: Int64, _ micros: Int64, ok: Bool, server: Bool) {
        guard signals == .all else { return }
        samples.append(Sample(service: service, time: t, micros: micros, ok: ok, server: server))
    }

    private func stack(for e: (String, String), service: String) -> [String] {
        ["\(e.0): \(e.1)",
         "\tat \(service).handler.Process(handler:\(logRng.int(40...400)))",
         "\tat \(service).server.Dispatch(server:\(logRng.int(40...400)))",
         "\tat runtime.Worker.run(worker:\(logRng.int(10...90)))"]
    }

    /// Lines written whatever the traffic: start-up, periodic jobs, and a healthy
    /// service's error that is there before, during and after the fault.
    private func backgroundLogs(from start: Int64, to end: Int64) {
        for s in Set(ops.map(\.service)).sorted() {
            log(s, .info, at: start - 5_000_000 + logRng.int64(0...2_000_000), span: nil, "server listening", [.init("port", 8080)])
            var t = start + logRng.int64(0...60_000_000)
            while t < end {
                log(s, .info, at: t, span: nil, "health check passed")
                t += logRng.int64(50_000_000...70_000_000)
            }
        }
        var t = start + logRng.int64(0...30_000_000)
        while t < end {
            log(steadyErrorService, .error, at: t, span: nil, "failed to export telemetry batch: deadline exceeded", [.init("dropped", logRng.int(10...200))])
            t += logRng.int64(30_000_000...120_000_000)
        }
        log(cpuDecoyService, .info, at: cpuDecoyStart, span: nil, "scheduled compaction started")
        log(cpuDecoyService, .info, at: cpuDecoyEnd, span: nil, "scheduled compaction finished")
    }
}
