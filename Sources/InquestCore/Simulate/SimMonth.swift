import Foundation

/// Thirty days of a small shop's logs and spans with a daily cycle and three known
/// events, for `inquest report` to find: behind `inquest simulate OUT --month`.
///
/// Requests reach `web` (nginx, access log with `$request_time`), then `api` (JSON
/// lines), which calls `orders` (JSON lines, gzip) or `billing` (logfmt, gzip); `api`,
/// `orders` and `billing` export Zipkin v2 spans (gzip, one file a day). Traffic follows
/// a daily cycle (quietest at 03:00 UTC, busiest at 15:00) and grows about 1 % a day.
/// Files are split per day: `logs/YYYY-MM-DD/…`, `spans/YYYY-MM-DD.json.gz`.
///
/// The events, in `ground-truth.json`:
/// - an error spike: billing's charges fail (503 from the payment provider) on day 12
///   from 13:00 to 16:00 UTC;
/// - a latency regression: orders `GET /orders/{id}` is three times slower from a deploy
///   on day 18 at 09:30 UTC to the end;
/// - a new error pattern: orders logs `inventory reservation failed …` from day 21 at
///   10:00 UTC on, never before.
/// Every other message template appears on the first day.
public struct SimMonth: Sendable {
    public let seed: UInt64
    /// Midnight UTC of the first day.
    public let start: Int64
    public let days: Int

    public static let spikeDay = 12, spikeStartHour = 13, spikeEndHour = 16
    public static let regressionDay = 18, regressionHour = 9, regressionMinute = 30
    public static let newPatternDay = 21, newPatternHour = 10
    static let hour: Int64 = 3_600_000_000_000
    static let day: Int64 = 86_400_000_000_000

    /// - Parameter start: any time on the first day (the month starts at its midnight UTC).
    public init(seed: UInt64 = 42, start: Timestamp = SimulationConfig.defaultStart, days: Int = 30) {
        self.seed = seed
        self.start = start.nanos.floorDiv(Self.day) * Self.day
        self.days = days
    }

    /// One request as the services saw it.
    struct Request {
        var time: Int64
        var kind: Int  // 0 GET order, 1 POST order, 2 charge, 3 catalog
    }

    /// Generates every file, ground truth first.
    public func run() throws(Simulator.Failure) -> [SimulatedFile] {
        var rng = SimRandom(seed: seed ^ 0x6D6F_6E74_6800)
        var files: [SimulatedFile] = []
        let spikeStart = start + Int64(Self.spikeDay) * Self.day + Int64(Self.spikeStartHour) * Self.hour
        let spikeEnd = start + Int64(Self.spikeDay) * Self.day + Int64(Self.spikeEndHour) * Self.hour
        let regression = start + Int64(Self.regressionDay) * Self.day + Int64(Self.regressionHour) * Self.hour + Int64(Self.regressionMinute) * 60_000_000_000
        let newPattern = start + Int64(Self.newPatternDay) * Self.day + Int64(Self.newPatternHour) * Self.hour
        var newPatternFirst: Int64?
        var counts = (requests: 0, spans: 0, records: 0)

        for d in 0..<days {
            let dayStart = start + Int64(d) * Self.day
            // Arrivals: a Poisson-like count per hour, times uniform within it.
            var requests: [Request] = []
            for h in 0..<24 {
                let phase = 2 * Double.pi * Double(h - 3) / 24
                let rate = 54 * (1 + 0.01 * Double(d)) * (0.2 + 0.8 * (0.5 - 0.5 * cos(phase)))
                let n = max(0, Int((rate + rate.squareRoot() * rng.normal()).rounded()))
                for _ in 0..<n {
                    let t = dayStart + Int64(h) * Self.hour + rng.int64(0...(Self.hour - 1)) / 1000 * 1000
                    requests.append(Request(time: t, kind: rng.weighted([0.45, 0.15, 0.25, 0.15])))
                }
            }
            requests.sort { $0.time < $1.time }
            var access: [(Int64, String)] = [], api: [(Int64, String)] = [], orders: [(Int64, String)] = [], billing: [(Int64, String)] = []
            var traces: [[Span]] = []
            var kindSeen = [0, 0, 0, 0]
            for (ri, r) in requests.enumerated() {
                // The first day shows every message variant early: the second of a kind fails, the third warns.
                kindSeen[r.kind] += 1
                let nth = d == 0 ? kindSeen[r.kind] : 0
                let trace = rng.hex(bits: 64)
                let apiID = rng.hex(bits: 64)
                var status = 200
                var total: Int64  // µs
                var spans: [Span] = []
                let order = 10_000 + rng.int(0...89_999)
                let apiOverhead = Int64(rng.logNormal(median: 4000, sigma: 0.3))
                switch r.kind {
                case 0, 1:
                    let get = r.kind == 0
                    var median = get ? 40_000.0 : 80_000.0
                    if get && r.time >= regression { median *= 3 }
                    let dur = Int64(rng.logNormal(median: median, sigma: 0.35))
                    var failed = rng.chance(0.004) || nth == 2
                    var message = get ? "order \(order) loaded from db in \(dur / 1000) ms" : "order \(order) created with \(rng.int(1...6)) items in \(dur / 1000) ms"
                    var level = "info"
                    var isNew = false
                    if failed {
                        message = "database query failed for order \(order): connection reset by peer after \(dur / 1000) ms"
                        level = "error"
                    } else if !get && r.time >= newPattern && (rng.chance(0.03) || newPatternFirst == nil) {
                        failed = true
                        message = "inventory reservation failed for order \(order): lock wait timeout after \(dur / 1000) ms on shard \(rng.int(1...8))"
                        level = "error"
                        isNew = true
                    } else if rng.chance(0.02) || nth == 3 {
                        message = "slow query on orders table took \(dur / 1000) ms (plan cache miss)"
                        level = "warn"
                    }
                    let t0 = r.time / 1000 + apiOverhead / 2
                    if isNew && newPatternFirst == nil { newPatternFirst = (t0 + dur) * 1000 }
                    spans.append(span(trace, rng.hex(bits: 64), parent: apiID, "orders", get ? "GET /orders/{id}" : "POST /orders", t0, dur, failed))
                    orders.append((t0 * 1000 + dur * 1000, json(t0 * 1000 + dur * 1000, level, "orders", message, trace: trace, extra: "\"order_id\":\(order)")))
                    if failed { status = 500 }
                    total = dur + apiOverhead
                case 2:
                    let spike = r.time >= spikeStart && r.time < spikeEnd
                    let dur = Int64(rng.logNormal(median: 120_000, sigma: 0.4))
                    let failed = spike ? rng.chance(0.6) : (rng.chance(0.003) || nth == 2)
                    let declined = !failed && (rng.chance(0.03) || nth == 3)
                    let amount = rng.int(5...400)
                    let t0 = r.time / 1000 + apiOverhead / 2
                    var line = "time=\(SimLogRenderer.rfc3339((t0 + dur) * 1000, digits: 6)) level="
                    if failed {
                        line += spike ? "error msg=\"payment provider unavailable: upstream returned 503 after \(dur / 1000) ms\""
                            : "error msg=\"charge failed for order \(order): card network timeout\""
                    } else if declined {
                        line += "warn msg=\"charge declined for order \(order): insufficient funds\""
                    } else {
                        line += "info msg=\"charge accepted for order \(order)\""
                    }
                    line += " service=billing trace_id=\(trace) amount=\(amount) currency=EUR duration_ms=\(dur / 1000)\n"
                    billing.append(((t0 + dur) * 1000, line))
                    spans.append(span(trace, rng.hex(bits: 64), parent: apiID, "billing", "POST /charge", t0, dur, failed))
                    status = failed ? 502 : declined ? 402 : 201
                    total = dur + apiOverhead
                default:
                    total = Int64(rng.logNormal(median: 9000, sigma: 0.3))
                    if rng.chance(0.002) || nth == 2 { status = 503 }
                }
                let routes = ["GET /orders/{id}", "POST /orders", "POST /charge", "GET /catalog"]
                let apiFailed = status >= 500
                spans.insert(span(trace, apiID, parent: nil, "api", routes[r.kind], r.time / 1000, total, apiFailed), at: 0)
                let end = r.time + total * 1000
                if apiFailed || ri % 4 == 0 || nth > 0 && nth <= 3 {
                    let msg = apiFailed ? "request failed with status \(status) for \(routes[r.kind])" : "request completed with status \(status) in \(total / 1000) ms"
                    api.append((end, json(end, apiFailed ? "error" : "info", "api", msg, trace: trace, extra: "\"status\":\(status),\"duration_ms\":\(total / 1000)")))
                }
                let paths = ["/orders/\(order)", "/orders", "/orders/\(order)/charge", "/catalog?page=\(rng.int(1...9))"]
                let methods = ["GET", "POST", "POST", "GET"]
                let seconds = SimLogEvent.fixedPoint((total + 800) / 1000, digits: 3)
                access.append((end, "10.\(rng.int(0...3)).\(rng.int(0...255)).\(rng.int(1...254)) - - [\(SimLogRenderer.accessTime(end))] \"\(methods[r.kind]) \(paths[r.kind]) HTTP/1.1\" \(status) \(rng.int(200...4000)) \"-\" \"Mozilla/5.0\" \(seconds)\n"))
                traces.append(spans)
                counts.requests += 1
                counts.spans += spans.count
            }
            let date = Timestamp(nanos: dayStart, precision: 0).rfc3339(digits: 0).prefix(10)
            func text(_ lines: [(Int64, String)]) -> [UInt8] {
                var s = ""
                for l in lines.sorted(by: { $0.0 < $1.0 }) { s += l.1 }
                return Array(s.utf8)
            }
            func gzip(_ bytes: [UInt8], _ path: String) throws(Simulator.Failure) -> [UInt8] {
                guard let z = GzipEncoding.member(bytes, level: 6) else { throw Simulator.Failure(message: "\(path): zlib could not compress") }
                return z
            }
            let dir = "logs/\(date)/"
            files.append(SimulatedFile(path: dir + "web-access.log.gz", bytes: try gzip(text(access), "web-access"), kind: "logs", format: "access",
                                       compression: .gzip, service: "web", records: access.count, gzipMembers: 1,
                                       note: "nginx combined access log with $request_time (seconds) appended"))
            files.append(SimulatedFile(path: dir + "api.log", bytes: text(api), kind: "logs", format: "json", service: "api", records: api.count,
                                       note: "JSON lines: ts, level, service, msg, trace_id, status, duration_ms"))
            files.append(SimulatedFile(path: dir + "orders.log.gz", bytes: try gzip(text(orders), "orders"), kind: "logs", format: "json",
                                       compression: .gzip, service: "orders", records: orders.count, gzipMembers: 1,
                                       note: "JSON lines, gzip"))
            files.append(SimulatedFile(path: dir + "billing.log.gz", bytes: try gzip(text(billing), "billing"), kind: "logs", format: "logfmt",
                                       compression: .gzip, service: "billing", records: billing.count, gzipMembers: 1, note: "logfmt, gzip"))
            let zipkin = SimSpanRenderer.zipkin(traces: traces, ips: [:])
            files.append(SimulatedFile(path: "spans/\(date).json.gz", bytes: try gzip(Array(zipkin.utf8), "spans"), kind: "spans",
                                       format: SpanFormat.zipkinV2.rawValue, compression: .gzip, records: traces.reduce(0) { $0 + $1.count },
                                       traces: traces.count, gzipMembers: 1, note: "Zipkin v2 span array, gzip"))
            counts.records += access.count + api.count + orders.count + billing.count
        }

        func ts(_ n: Int64) -> String { Timestamp(nanos: n, precision: 0).rfc3339(digits: 0) }
        func date(_ n: Int64) -> String { String(ts(n).prefix(10)) }
        var j = JSONOut()
        j.beginObject()
        j.field("kind", "month")
        j.field("seed", Int64(bitPattern: seed))
        j.field("start", ts(start))
        j.field("end", ts(start + Int64(days) * Self.day))
        j.field("days", days)
        j.field("requests", counts.requests)
        j.field("spans", counts.spans)
        j.field("log_records", counts.records)
        j.field("cycle", "daily: quietest 03:00 UTC, busiest 15:00 UTC; traffic grows about 1 % a day")
        j.beginObject("error_spike")
        j.field("service", "billing")
        j.field("operation", "POST /charge")
        j.field("day", Self.spikeDay)
        j.field("date", date(spikeStart))
        j.field("start_hour", Self.spikeStartHour)
        j.field("end_hour", Self.spikeEndHour)
        j.field("start", ts(spikeStart))
        j.field("end", ts(spikeEnd))
        j.field("error_rate", 0.6)
        j.field("description", "the payment provider returns 503: 60 % of charges fail (502 at web); baseline about 0.3 %")
        j.endObject()
        j.beginObject("latency_regression")
        j.field("service", "orders")
        j.field("operation", "GET /orders/{id}")
        j.field("day", Self.regressionDay)
        j.field("date", date(regression))
        j.field("start", ts(regression))
        j.field("factor", 3)
        j.field("description", "a deploy makes order lookups three times slower (median 40 ms to 120 ms) until the end")
        j.endObject()
        j.beginObject("new_pattern")
        j.field("service", "orders")
        j.field("level", "error")
        j.field("day", Self.newPatternDay)
        j.field("date", date(newPattern))
        j.field("start", ts(newPattern))
        j.field("first_seen", newPatternFirst.map { Timestamp(nanos: $0, precision: 3).rfc3339() })
        j.field("words", strings: ["inventory", "reservation", "failed", "lock", "wait", "timeout"])
        j.field("example", "inventory reservation failed for order 12345: lock wait timeout after 530 ms on shard 3")
        j.endObject()
        j.beginArray("files")
        for f in files {
            j.beginObject()
            j.field("path", f.path)
            j.field("kind", f.kind)
            j.field("format", f.format)
            j.field("compression", f.compression.rawValue)
            if let s = f.service { j.field("service", s) }
            j.field("records", f.records)
            j.endObject()
        }
        j.endArray()
        j.endObject()
        let truth = SimulatedFile(path: "ground-truth.json", bytes: Array((j.text + "\n").utf8), kind: "ground-truth", format: "json",
                                  records: 1, note: "what really happened")
        return [truth] + files
    }

    /// Writes `files` under `directory` (created when missing), replacing files of the same names.
    public static func write(_ files: [SimulatedFile], to directory: String) throws(Simulator.Failure) {
        try SimulatedFile.write(files, to: directory)
    }

    func span(_ trace: String, _ id: String, parent: String?, _ service: String, _ op: String, _ startMicros: Int64, _ durMicros: Int64,
              _ failed: Bool) -> Span {
        var s = Span(traceID: trace, spanID: id, parentID: parent, service: service, operation: op, kind: .server,
                     start: Timestamp(nanos: startMicros * 1000, precision: 6), durationNanos: max(1, durMicros) * 1000)
        if failed { s.status = .error; s.statusMessage = "error" }
        return s
    }

    func json(_ t: Int64, _ level: String, _ service: String, _ msg: String, trace: String, extra: String) -> String {
        var line = "{\"ts\":\"\(SimLogRenderer.rfc3339(t, digits: 3))\",\"level\":\"\(level)\",\"service\":\"\(service)\",\"msg\":"
        JSONWriter.quote(msg, into: &line)
        line += ",\"trace_id\":\"\(trace)\",\(extra)}\n"
        return line
    }
}
