import Foundation

/// Fault-injection incidents for scoring `rca`: `inquest simulate OUT --fault KIND`.
///
/// Unlike the default incident (a fixed shop with logs in eight formats), a fault
/// scenario is spans only, and its topology is drawn from the seed: which services
/// form the call chain, how deep it is, which service, operation or dependency is
/// faulty. Background noise is always there (a service with a steady trickle of 404
/// error spans, a recommendation service whose error spike is swallowed by a fallback),
/// and some seeds add retries (a failed attempt, then a successful one) and clock skew
/// on one host. The default incident does not use any of this code, so its bytes are
/// unchanged.
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
}

/// Which span formats a simulation writes.
public enum SimSpanFormats: String, CaseIterable, Sendable {
    case jaeger, zipkin, otlp, all

    /// The single formats this choice writes, in file order.
    var formats: [SimSpanFormats] { self == .all ? [.jaeger, .zipkin, .otlp] : [self] }
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
}

/// Generates a fault scenario's traces.
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
    }

    struct Trace {
        let id: String
        let spanRange: Range<Int>
        let status: Int
        let affected: Bool
    }

    let config: SimulationConfig
    let kind: SimFaultKind
    var rng: SimRandom
    private(set) var ops: [Op] = []
    var spans: [Span] = []
    private(set) var traces: [Trace] = []
    private(set) var chain: [Int] = []  // op indices, entry (frontend) first
    private var routes: [(op: Int, weight: Double)] = []
    var traceID = ""
    private var affected = false

    // The fault.
    private(set) var faultyOp = -1
    private(set) var faultyDep: String?
    private(set) var causeService = ""
    private(set) var causeOperation = ""
    private(set) var noisyOp = -1
    private(set) var fallbackOp = -1
    private(set) var retries = false
    private(set) var skewService: String?
    private(set) var skewMicros: Int64 = 0
    let faultStart: Int64, faultEnd: Int64
    let spikeStart: Int64, spikeEnd: Int64
    /// Share of requests through the faulty component that the fault hits while on.
    private(set) var faultRate = 0.8
    /// Extra own time of the slow service in a latency fault, µs (lower bound).
    private(set) var slowdown: Int64 = 1_400_000
    /// Client deadline of the caller in a timeout cascade, µs.
    static let deadline: Int64 = 1_000_000

    init(config: SimulationConfig, kind: SimFaultKind) {
        self.config = config
        self.kind = kind
        // A stream of its own, so that each kind gets a different incident for one seed.
        let salt = UInt64(SimFaultKind.allCases.firstIndex(of: kind) ?? 0) &* 0x9E37_79B9_7F4A_7C15
        rng = SimRandom(seed: config.seed ^ salt ^ 0x5EED_FA17)
        let start = config.start.nanos / 1000
        let span = config.durationSeconds * 1_000_000
        func at(_ f: Double) -> Int64 { start + Int64(Double(span) * f) / 1_000_000 * 1_000_000 }
        faultStart = at(0.40 + 0.10 * rng.unit())
        faultEnd = at(0.70 + 0.10 * rng.unit())
        spikeStart = at(0.15 + 0.50 * rng.unit())
        spikeEnd = spikeStart + span / 8
        buildTopology()
    }

    private func add(_ op: Op) -> Int { ops.append(op); return ops.count - 1 }

    private func buildTopology() {
        var pool = ["checkout", "orders", "payment", "inventory", "pricing", "catalog", "shipping", "accounts", "ledger", "search", "fulfillment", "tax"]
        for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, rng.int(0...i)) }
        let depth = rng.int(3...5)
        let chainServices = Array(pool[0..<depth])
        let leaves = Array(pool[depth..<(depth + 2)])
        let dbs = ["postgres", "mysql", "redis", "mongodb"]
        let thirdParty = ["stripe-api", "fraud-api", "geo-api", "sms-gateway", "s3"]
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
            if i == 0 { noisyOp = o }
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

        let services = chain.count - 2  // instrumented chain services below the gateway
        switch kind {
        case .deepError:
            faultyOp = chain[chain.count - 1]
        case .selfError:
            faultyOp = chain[2 + rng.int(0...(services - 2))]
        case .latency:
            faultyOp = chain[2 + rng.int(0...(services - 1))]
        case .timeoutCascade:
            faultyOp = chain[3 + rng.int(0...(services - 2))]
        case .oneOperation:
            // The chain operation of a service that also serves a summary route.
            faultyOp = chain[2 + rng.int(0...(services - 1))]
        case .dependency:
            let o = chain[2 + rng.int(0...(services - 1))]
            faultyOp = o
            faultyDep = ops[o].deps.last
            if ops[o].deps.count == 1 || rng.chance(0.5) {
                let d = thirdParty[rng.int(0...(thirdParty.count - 1))]
                if !ops[o].deps.contains(d) { ops[o].deps.append(d) }
                faultyDep = d
            }
        }
        causeService = faultyDep ?? ops[faultyOp].service
        causeOperation = faultyDep.map(depOperation) ?? ops[faultyOp].name
        retries = rng.chance(0.5)
        faultRate = 0.35 + 0.55 * rng.unit()
        slowdown = kind == .latency ? rng.int64(600_000...1_600_000) : 1_400_000
        if rng.chance(0.5) {
            let candidates = chain[1...].map { ops[$0].service }
            skewService = candidates[rng.int(0...(candidates.count - 1))]
            skewMicros = (rng.chance(0.5) ? 1 : -1) * rng.int64(40_000...350_000)
        }
    }

    var causeKind: String { kind == .latency || kind == .timeoutCascade ? "latency" : "error" }

    func run() {
        let start = config.start.nanos / 1000
        let span = config.durationSeconds * 1_000_000
        let slot = Double(span - 10_000_000) / Double(config.requests)
        let weights = routes.map(\.weight)
        for i in 0..<config.requests {
            let t = start + Int64((Double(i) + rng.unit()) * slot)
            traceID = rng.hex(bits: 128)
            affected = false
            let first = spans.count
            let route = routes[rng.weighted(weights)].op
            let r = exec(route, parent: nil, at: t)
            traces.append(Trace(id: traceID, spanRange: first..<spans.count, status: r.status, affected: affected))
        }
        if let s = skewService {
            for i in spans.indices where spans[i].service == s {
                spans[i].start = Timestamp(nanos: spans[i].start.nanos + skewMicros * 1000, precision: 6)
                for e in spans[i].events.indices {
                    spans[i].events[e].time = Timestamp(nanos: spans[i].events[e].time.nanos + skewMicros * 1000, precision: 6)
                }
            }
        }
    }

    private func active(_ t: Int64) -> Bool { t >= faultStart && t < faultEnd }

    /// Runs operation `o` as a server span under `parent` (a client span), from `start`.
    private func exec(_ o: Int, parent: Int?, at start: Int64) -> Reply {
        let op = ops[o]
        let s = open(op.service, op.name, .server, parent: parent, at: start)
        attr(s, "http.method", String(op.name.split(separator: " ")[0]))
        attr(s, "http.route", String(op.name.split(separator: " ").last ?? ""))
        let isFaulty = o == faultyOp && active(start) && rng.chance(faultRate)
        if isFaulty { affected = true }
        var t = start + latency(op.medianMs * 0.3)
        var status = 200
        var error: String?
        if kind == .latency && isFaulty || kind == .timeoutCascade && isFaulty {
            t += slowdown + rng.int64(0...1_800_000)  // its own work slows down
        }
        // Dependencies first.
        for d in op.deps where status < 400 {
            let c = open(op.service, depOperation(d), .client, parent: s, at: t)
            attr(c, "peer.service", d)
            attr(c, "server.address", "\(d).internal")
            if ["postgres", "mysql", "redis", "mongodb"].contains(d) { attr(c, "db.system", d) }
            spans[c].remoteService = d
            if kind == .dependency && isFaulty && d == faultyDep {
                t += rng.int64(5_000...60_000)
                close(c, at: t)
                let msg = rng.chance(0.5) ? "connection refused" : "503 Service Unavailable from \(d)"
                fail(c, msg, at: t, exception: ("DependencyError", "\(d): \(msg)"))
                status = 500
                error = "\(d) unavailable: \(msg)"
            } else {
                t += latency(d.hasSuffix("api") || d == "s3" || d == "sms-gateway" ? 40 : 3)
                close(c, at: t)
            }
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
                t += rng.int64(50_000...120_000)
            }
            let c = open(op.service, cop.name, .client, parent: s, at: t)
            attr(c, "http.method", String(cop.name.split(separator: " ")[0]))
            if retries { attr(c, "http.resend_count", "0") }
            let r = exec(callee, parent: c, at: t + rng.int64(150...900))
            let deadlineHit = kind == .timeoutCascade && callee == faultyOp && r.end - t > Self.deadline
            if deadlineHit {
                t += Self.deadline
                close(c, at: t)
                fail(c, "context deadline exceeded", at: t, exception: ("DeadlineExceeded", "context deadline exceeded calling \(cop.service)"))
                status = 504
                error = "deadline exceeded calling \(cop.service)"
                continue
            }
            t = r.end + rng.int64(120...700)
            attr(c, "http.status_code", String(r.status))
            close(c, at: t)
            if r.status >= 500 {
                fail(c, "HTTP \(r.status) from \(cop.service)", at: t)
                if !cop.fallback {
                    status = 502
                    error = "\(cop.service) returned \(r.status)"
                }
            }
        }
        if status < 400 && isFaulty && (kind == .deepError || kind == .selfError || kind == .oneOperation) {
            t += latency(2)
            let msg = kind == .deepError ? "constraint violation while writing \(op.service) record" : "NullPointerException in \(op.service) handler"
            fail(s, msg, at: t, exception: (kind == .deepError ? "IntegrityError" : "NullPointerException", msg))
            status = 500
            error = msg
        }
        // Noise: the steady 404s and the swallowed recommendation spike.
        if status < 400 && o == noisyOp && rng.chance(0.06) {
            status = 404
            fail(s, "not found", at: t, exception: ("NotFound", "no record for id"))
        }
        if status < 400 && o == fallbackOp && t >= spikeStart && t < spikeEnd && rng.chance(0.45) {
            status = 503
            error = "recommendation model unavailable"
            fail(s, error!, at: t, exception: ("ModelUnavailable", "recommendation model not loaded"))
        }
        let end = t + latency(op.medianMs * 0.7)
        attr(s, "http.status_code", String(status))
        close(s, at: end)
        if status >= 500 && spans[s].status != .error { fail(s, error ?? "HTTP \(status)", at: end) }
        return Reply(end: end, status: status, error: error)
    }

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

}

extension Simulator {
    /// A fault-injection incident: spans in the chosen formats and a ground truth naming the cause.
    public func runFault(_ kind: SimFaultKind, spanFormats: SimSpanFormats = .all) throws(Failure) -> Incident {
        if let p = config.problem() { throw Failure(message: p) }
        let gen = SimFaultGenerator(config: config, kind: kind)
        gen.run()
        let services = Set(gen.ops.map(\.service)).sorted()
        var hosts: [String: String] = [:], ips: [String: String] = [:], scopes: [String: String] = [:]
        for (i, s) in services.enumerated() {
            hosts[s] = "\(s)-\(String(format: "%05x", (Int(config.seed) &* 7_919 &+ i &* 104_729) & 0xFFFFF))"
            ips[s] = "10.43.\(i + 1).\(10 + Int(config.seed % 200))"
            scopes[s] = "manual"
        }
        let formats = spanFormats.formats
        let files: [SimulatedFile] = SimSpanRenderer.files(
            traces: gen.traces.map { Array(gen.spans[$0.spanRange]) }, formats: spanFormats, serviceOrder: services,
            hosts: hosts, ips: ips, scopes: scopes,
            notes: [.jaeger: "Jaeger query API JSON", .zipkin: "Zipkin v2 span array", .otlp: "OTLP JSON ExportTraceServiceRequest"])
        func ts(_ micros: Int64) -> Timestamp { Timestamp(nanos: micros * 1000, precision: 0) }
        var statuses: [Int: Int] = [:]
        for t in gen.traces { statuses[t.status, default: 0] += 1 }
        let failed = gen.traces.filter { $0.status >= 500 }.map(\.id)
        let affected = gen.traces.filter(\.affected).map(\.id)
        let faultyService = gen.ops[gen.faultyOp].service
        let accepted = gen.faultyDep.map { [$0, faultyService] } ?? [faultyService]
        var truth = SimulationGroundTruth(
            config: config, incidentStart: ts(gen.faultStart), incidentEnd: ts(gen.faultEnd), errorsStart: ts(gen.faultStart),
            phases: [.init(name: "fault \(kind.rawValue) active", start: ts(gen.faultStart), end: ts(gen.faultEnd))],
            decoys: [
                .init(service: gen.ops[gen.noisyOp].service, dependency: nil, operation: gen.ops[gen.noisyOp].name, kind: "error",
                      start: nil, end: nil, description: "about 6% of calls end in 404 with an error span, at all times; users never get a 5xx from it"),
                .init(service: "recommendation", dependency: nil, operation: "GET /recommendations", kind: "error",
                      start: ts(gen.spikeStart), end: ts(gen.spikeEnd),
                      description: "errors spike to about 45%; the frontend falls back to a default list and the user gets 200"),
            ],
            totalTraces: gen.traces.count, totalSpans: gen.spans.count,
            failedTraceIDs: kind == .latency ? affected : failed,
            statusCounts: statuses.keys.sorted().map { ($0, statuses[$0] ?? 0) },
            spanSplit: "the i-th trace (from 0) is in the (i % \(formats.count))-th of: " + formats.map(\.rawValue).joined(separator: ", "))
        truth.rootService = faultyService
        truth.rootOperation = gen.causeOperation
        truth.rootKind = gen.causeKind
        truth.rootDependency = gen.faultyDep ?? ""
        truth.propagation = gen.chain.map { gen.ops[$0].service }
        truth.files = files
        truth.fault = SimFaultTruth(kind: kind, spanFormats: spanFormats, service: gen.causeService, operation: gen.causeOperation,
                                    causeKind: gen.causeKind, isDependency: gen.faultyDep != nil, accepted: accepted,
                                    chain: gen.chain.map { gen.ops[$0].service }, retries: gen.retries,
                                    skewService: gen.skewService, skewMillis: gen.skewMicros / 1000, affectedTraceIDs: affected,
                                    faultRate: (gen.faultRate * 100).rounded() / 100)
        let truthFile = SimulatedFile(path: "ground-truth.json", bytes: Array(truth.json().utf8), kind: "ground-truth", format: "json",
                                      records: 1, note: "what really happened")
        return Incident(files: [truthFile] + files, groundTruth: truth)
    }
}
