import Foundation

/// Generates a realistic synthetic incident — logs of eight services in their own
/// formats, the same requests as spans in Jaeger, Zipkin and OTLP JSON, and a ground
/// truth — deterministically from a seed. Behind `inquest simulate`.
///
/// ```swift
/// let incident = try Simulator(config: SimulationConfig(seed: 7)).run()
/// let written = try incident.write(to: "SampleData")
/// ```
///
/// The shop: frontend → api-gateway → {inventory, cart, checkout}; checkout → cart,
/// inventory, shipping, payment, notification; payment → stripe-api; cart → redis and
/// postgres; inventory → postgres. Part way through, stripe-api slows down, times out
/// and then refuses connections; checkouts fail up to the frontend. A redis miss spike
/// earlier and a steady trickle of inventory 404s are decoys.
public struct Simulator: Sendable {
    public let config: SimulationConfig

    public init(config: SimulationConfig) { self.config = config }

    /// Why a simulation could not be produced or written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// A generated incident: its files, ground truth first.
    public struct Incident: Sendable {
        public var files: [SimulatedFile]
        public var groundTruth: SimulationGroundTruth

        /// Writes every file under `directory` (created when missing), replacing files of
        /// the same names and leaving other files alone. Returns the files written.
        @discardableResult
        public func write(to directory: String) throws(Failure) -> [SimulatedFile] {
            try SimulatedFile.write(files, to: directory)
            return files
        }
    }

    static let spanSplit = "each trace is in exactly one span file: the i-th trace by start time (from 0) is in spans/jaeger.json when i % 3 == 0, spans/zipkin.json when i % 3 == 1, spans/otlp.json when i % 3 == 2"

    /// The default incident; `spanFormats` other than `.all` writes every trace to one span file
    /// of that format instead of dealing them to the three.
    public func run(spanFormats: SimSpanFormats = .all) throws(Failure) -> Incident {
        if let p = config.problem() { throw Failure(message: p) }
        let gen = SimTrafficGenerator(config: config)
        gen.run()
        let topo = gen.topology
        let tl = gen.timeline

        // Logs, per service, in time order.
        var byService: [String: [SimLogEvent]] = [:]
        for e in gen.logs { byService[e.service, default: []].append(e) }
        for k in byService.keys {
            byService[k]?.sort { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        }
        let access = gen.access.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        let rotation = config.start.nanos + config.durationSeconds * 500_000_000  // the middle
        func events(_ s: String) -> [SimLogEvent] { byService[s] ?? [] }
        func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
        func gzip(_ parts: [[UInt8]], _ path: String) throws(Failure) -> [UInt8] {
            guard let z = GzipEncoding.members(parts) else { throw Failure(message: "\(path): zlib could not compress") }
            return z
        }

        var files: [SimulatedFile] = []

        files.append(SimulatedFile(path: "frontend-access.log", bytes: bytes(SimLogRenderer.access(access)), kind: "logs",
                                   format: "access", service: "frontend", records: access.count,
                                   note: "nginx combined access log (health checks from kube-probe included); no trace IDs"))

        let gw = events("api-gateway")
        let gwParts = [gw.filter { $0.time < rotation }, gw.filter { $0.time >= rotation }].map {
            bytes($0.map(SimLogRenderer.gatewayJSON).joined())
        }
        files.append(SimulatedFile(path: "api-gateway.log.gz", bytes: try gzip(gwParts, "api-gateway.log.gz"), kind: "logs",
                                   format: "json", compression: .gzip, service: "api-gateway", records: gw.count, gzipMembers: 2,
                                   note: "JSON lines (time RFC 3339, level, msg, service, trace_id, span_id, http.status, duration_ms) in a two-member gzip, split at \(Timestamp(nanos: rotation).rfc3339(digits: 0))"))

        let co = events("checkout")
        files.append(SimulatedFile(path: "checkout.log", bytes: bytes(co.map(SimLogRenderer.logfmt).joined()), kind: "logs",
                                   format: "logfmt", service: "checkout", records: co.count,
                                   note: "logfmt as Go's slog TextHandler writes it, with trace_id and span_id"))

        let pay = events("payment")
        files.append(SimulatedFile(path: "payment.log", bytes: bytes(pay.map(SimLogRenderer.log4j).joined()), kind: "logs",
                                   format: "plain", service: "payment", records: pay.count,
                                   note: "log4j text (`%d %-5p [%t] %c - %m`), trace_id/span_id at the end of the message, Java stack traces on continuation lines after errors"))

        let inv = events("inventory")
        let invHost = topo["inventory"]
        files.append(SimulatedFile(path: "inventory.log",
                                   bytes: bytes(inv.map { SimLogRenderer.syslog($0, host: invHost.host, pid: invHost.pid) }.joined()),
                                   kind: "logs", format: "syslog", service: "inventory", records: inv.count,
                                   note: "RFC 5424 syslog, facility local0, trace_id/span_id at the end of the message"))

        let cart = events("cart")
        let cartHost = topo["cart"]
        let cartText = bytes(cart.map { SimLogRenderer.pino($0, host: cartHost.host, pid: cartHost.pid) }.joined())
        files.append(SimulatedFile(path: "cart.log.gz", bytes: try gzip([cartText], "cart.log.gz"), kind: "logs", format: "json",
                                   compression: .gzip, service: "cart", records: cart.count, gzipMembers: 1,
                                   note: "pino JSON lines (numeric levels 30/40/50, epoch-millisecond time, name = service), gzip"))

        let ship = events("shipping")
        let shipText = ship.map { SimLogRenderer.dockerZap($0, extraNanos: Int64(20_000 + ($0.sequence &* 7_919) % 900_000)) }.joined()
        files.append(SimulatedFile(path: "shipping-docker.log", bytes: bytes(shipText), kind: "logs", format: "docker-json",
                                   service: "shipping", records: ship.count,
                                   note: "Docker json-file records wrapping zap JSON lines (ts in epoch seconds)"))

        let notif = events("notification")
        let older = notif.filter { $0.time < rotation }
        let newer = notif.filter { $0.time >= rotation }
        var tar = UstarArchive()
        var members: [SimulatedFile.Member] = []
        for (name, part) in [("notification.log.1", older), ("notification.log", newer)] {
            let text = bytes(part.map(SimLogRenderer.python).joined())
            let modified = ((part.last?.time ?? rotation) / 1_000_000_000) + 1
            do { try tar.add(name: name, contents: text, modified: modified) } catch {
                throw Failure(message: "notification-logs.tar.gz: \(error)")
            }
            members.append(SimulatedFile.Member(name: name, records: part.count, bytes: text.count))
        }
        files.append(SimulatedFile(path: "notification-logs.tar.gz", bytes: try gzip([tar.finish()], "notification-logs.tar.gz"),
                                   kind: "logs", format: "plain", compression: .tarGzip, service: "notification", records: notif.count,
                                   gzipMembers: 1, members: members,
                                   note: "tar.gz of a rotated Python logging file: notification.log.1 (older) and notification.log"))

        // Spans: whole traces, dealt round-robin to the formats asked for (a third each for all three).
        var hosts: [String: String] = [:], ips: [String: String] = [:], scopes: [String: String] = [:]
        for (name, s) in topo.services { hosts[name] = s.host; ips[name] = s.ip; scopes[name] = s.scope }
        let notes: [SimSpanFormats: String] = [
            .jaeger: "Jaeger query API JSON ({\"data\":[trace…]}), microsecond times, error=true tags",
            .zipkin: "Zipkin v2 span array; remoteEndpoint names the uninstrumented peers; error tags",
            .otlp: "OTLP JSON ExportTraceServiceRequest, one resourceSpans per service, status.code 2 for errors",
        ]
        files += SimSpanRenderer.files(traces: gen.traces.map { Array(gen.spans[$0.spanRange]) }, formats: spanFormats,
                                       serviceOrder: SimTopology.serviceNames, hosts: hosts, ips: ips, scopes: scopes, notes: notes)

        // Ground truth.
        func ts(_ micros: Int64) -> Timestamp { Timestamp(nanos: micros * 1000, precision: 0) }
        var statuses: [Int: Int] = [:]
        for t in gen.traces { statuses[t.status, default: 0] += 1 }
        var truth = SimulationGroundTruth(
            config: config,
            incidentStart: ts(tl.latencyOnset), incidentEnd: ts(tl.errorEnd), errorsStart: ts(tl.errorStart),
            phases: [
                .init(name: "stripe-api latency climbs; payment logs slow responses", start: ts(tl.latencyOnset), end: ts(tl.errorStart)),
                .init(name: "stripe-api read timeouts (3 s); most checkouts fail after a retry", start: ts(tl.errorStart), end: ts(tl.refusedStart)),
                .init(name: "stripe-api refuses connections; checkouts fail fast", start: ts(tl.refusedStart), end: ts(tl.refusedEnd)),
                .init(name: "recovery: timeouts thin out", start: ts(tl.refusedEnd), end: ts(tl.errorEnd)),
            ],
            decoys: [
                .init(service: "inventory", dependency: nil, operation: "GET /inventory/{sku}", kind: "error", start: nil, end: nil,
                      description: "about 7% of product lookups end in 404 (delisted SKUs) with an error span on inventory, at the same rate before, during and after the incident; the user gets a 404 page, never a 5xx"),
                .init(service: "cart", dependency: "redis", operation: "GET /carts/{cart_id}", kind: "latency",
                      start: ts(tl.cacheSpikeStart), end: ts(tl.cacheSpikeEnd),
                      description: "redis evicts keys: the cache hit rate drops from 96% to 30%, cart falls back to postgres and gets slower, nothing fails"),
                .init(service: "payment", dependency: "stripe-api", operation: "POST /charge", kind: "declined", start: nil, end: nil,
                      description: "about 3% of charges are declined (402 card_declined) at all times; these are business outcomes, not errors"),
            ],
            totalTraces: gen.traces.count, totalSpans: gen.spans.count,
            failedTraceIDs: gen.traces.filter(\.failed).map(\.id),
            statusCounts: statuses.keys.sorted().map { ($0, statuses[$0] ?? 0) },
            spanSplit: spanFormats == .all ? Self.spanSplit : "every trace is in spans/\(spanFormats.rawValue).json")
        truth.files = files
        let truthFile = SimulatedFile(path: "ground-truth.json", bytes: bytes(truth.json()), kind: "ground-truth", format: "json",
                                      records: 1, note: "what really happened")
        return Incident(files: [truthFile] + files, groundTruth: truth)
    }
}
