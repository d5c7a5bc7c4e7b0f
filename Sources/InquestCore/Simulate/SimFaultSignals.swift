#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The logs and metric series of a fault scenario with `--signals all`: one log file a
/// service, each in a format drawn from the seed (as real services each log their own
/// way), and one metric file a service with the series a pod exporter gives — CPU,
/// memory, network, request rate, success rate and latency quantiles — sampled every
/// `step` with noise, from the simulated requests themselves.
///
/// A CPU-contention fault lifts its service's CPU series for the fault's window (the
/// noisy neighbour's work, whatever the requests); latency and success-rate series move
/// with the requests, so they show every fault that slows or fails them. A healthy
/// service's CPU rises for a while too, with no effect on anything (a decoy).
enum SimFaultSignals {
    /// How one service writes its log (`SimLogRenderer`'s formats).
    enum LogFormat: String, CaseIterable, Sendable {
        case json, logfmt, log4j, syslog, pino, docker, python
        /// A CSV log table (`timestamp,service,pod,trace_id,span_id,log`), the log cell a
        /// Docker json-file line around a JSON line, as log stores export them.
        case table

        /// The format name `inspect` reports.
        var inspectName: String {
            switch self {
            case .json, .pino: return "json"
            case .logfmt: return "logfmt"
            case .log4j, .python: return "plain"
            case .syslog: return "syslog"
            case .docker: return "docker-json"
            case .table: return "log-table"
            }
        }

        func render(_ e: SimLogEvent, host: String) -> String {
            switch self {
            case .json:
                // A JSON line has no continuation lines: the stack goes into a field.
                var e = e
                if !e.stack.isEmpty { e.fields.append(.init("stack", e.stack.joined(separator: "\n"))) }
                return SimLogRenderer.gatewayJSON(e)
            case .logfmt: return SimLogRenderer.logfmt(e)
            case .log4j: return SimLogRenderer.log4j(e)
            case .syslog: return SimLogRenderer.syslog(e, host: host, pid: 1)
            case .pino:
                var e = e
                if !e.stack.isEmpty { e.fields.append(.init("stack", e.stack.joined(separator: "\n"))) }
                return SimLogRenderer.pino(e, host: host, pid: 1)
            case .docker:
                var e = e
                if !e.stack.isEmpty { e.fields.append(.init("stacktrace", e.stack.joined(separator: "\n"))) }
                return SimLogRenderer.dockerZap(e, extraNanos: Int64(20_000 + (e.sequence &* 7_919) % 900_000))
            case .python: return SimLogRenderer.python(e) + e.stack.map { $0 + "\n" }.joined()
            case .table:
                var e = e
                if !e.stack.isEmpty { e.fields.append(.init("stack", e.stack.joined(separator: "\n"))) }
                var inner = SimLogRenderer.gatewayJSON(e)
                var docker = "{\"log\":"
                JSONWriter.quote(inner, into: &docker)
                docker += ",\"stream\":\"stdout\",\"time\":\"\(SimLogRenderer.rfc3339(e.time + 15_000, digits: 9))\"}"
                inner = SimLogRenderer.rfc3339(e.time, digits: 6) + ",\(e.service),\(host),\(e.traceID ?? ""),\(e.spanID ?? ""),"
                return inner + "\"" + docker.replacing("\"", with: "\"\"") + "\"\n"
            }
        }
    }

    /// One log file a service, records in time order.
    static func logFiles(_ gen: SimFaultGenerator, hosts: [String: String]) -> [SimulatedFile] {
        var byService: [String: [SimLogEvent]] = [:]
        for e in gen.logs { byService[e.service, default: []].append(e) }
        var files: [SimulatedFile] = []
        for service in byService.keys.sorted() {
            let events = (byService[service] ?? []).sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            let format = gen.logFormats[service] ?? .json
            let host = hosts[service] ?? service
            let text = (format == .table ? "timestamp,service,pod,trace_id,span_id,log\n" : "") + events.map { format.render($0, host: host) }.joined()
            files.append(SimulatedFile(path: "logs/\(service).\(format == .table ? "csv" : "log")", bytes: Array(text.utf8), kind: "logs", format: format.inspectName,
                                       service: service, records: events.count, note: "\(format.rawValue) log of \(service)"))
        }
        return files
    }

    /// Seconds between two metric samples.
    static let step: Int64 = 30

    struct Series {
        let name: String
        let unit: String
        /// Prometheus name.
        let promName: String
    }

    static let series: [Series] = [
        Series(name: "cpu_usage", unit: "%", promName: "cpu_usage_percent"),
        Series(name: "memory_usage", unit: "MiB", promName: "memory_usage_mebibytes"),
        Series(name: "network_receive", unit: "KB/s", promName: "network_receive_kilobytes_per_second"),
        Series(name: "network_transmit", unit: "KB/s", promName: "network_transmit_kilobytes_per_second"),
        Series(name: "requests", unit: "1/s", promName: "requests_per_second"),
        Series(name: "success_rate", unit: "%", promName: "success_rate_percent"),
        Series(name: "latency_p50", unit: "ms", promName: "server_latency_p50_milliseconds"),
        Series(name: "latency_p90", unit: "ms", promName: "server_latency_p90_milliseconds"),
        Series(name: "client_latency_p90", unit: "ms", promName: "client_latency_p90_milliseconds"),
    ]

    /// Every service's rows: `(time µs, values in `series` order, NaN when missing)`.
    static func rows(_ gen: SimFaultGenerator, seed: UInt64) -> [(service: String, rows: [(Int64, [Double])])] {
        var rng = SimRandom(seed: seed ^ 0x3E7_12C5)
        let start = gen.config.start.nanos / 1000
        let end = start + gen.config.durationSeconds * 1_000_000
        let stepMicros = step * 1_000_000
        let windows = Int((end - start) / stepMicros)
        var server: [String: [[SimFaultGenerator.Sample]]] = [:], client: [String: [[Int64]]] = [:]
        let services = Set(gen.ops.map(\.service)).sorted()
        for s in services {
            server[s] = Array(repeating: [], count: windows)
            client[s] = Array(repeating: [], count: windows)
        }
        for x in gen.samples {
            let w = Int((x.time - start) / stepMicros)
            guard w >= 0, w < windows else { continue }
            if x.server { server[x.service]?[w].append(x) } else { client[x.service]?[w].append(x.micros) }
        }
        let cpuFaults = gen.faults.filter { $0.kind == .cpuContention }.map { gen.ops[$0.op].service }
        var out: [(String, [(Int64, [Double])])] = []
        for s in services {
            let cpuBase = 4 + 20 * rng.unit()
            let cpuPerRequest = 2 + 6 * rng.unit()
            let memBase = 120 + 700 * rng.unit()
            let gcPeriod = Double(rng.int64(300...720))  // seconds
            let gcGrowth = 15 + 30 * rng.unit()
            let kbPerRequest = 2 + 6 * rng.unit()
            let contention = 35 + 25 * rng.unit()
            let decoy = 25 + 20 * rng.unit()
            var rows: [(Int64, [Double])] = []
            for w in 0..<windows {
                let t = start + Int64(w) * stepMicros
                let mid = t + stepMicros / 2
                let reqs = server[s]?[w] ?? []
                let rps = Double(reqs.count) / Double(step)
                var cpu = cpuBase + cpuPerRequest * rps + 1.5 * rng.normal()
                if cpuFaults.contains(s) && mid >= gen.faultStart && mid < gen.faultEnd { cpu += contention + 4 * rng.normal() }
                if s == gen.cpuDecoyService && mid >= gen.cpuDecoyStart && mid < gen.cpuDecoyEnd { cpu += decoy + 4 * rng.normal() }
                cpu = min(100, max(0.2, cpu))
                let since = Double(t - start) / 1_000_000
                let memory = memBase + gcGrowth * (since.truncatingRemainder(dividingBy: gcPeriod) / gcPeriod) + 2 * rng.normal()
                let rx = 0.4 + kbPerRequest * rps * (1 + 0.1 * rng.normal())
                let tx = 0.3 + 1.4 * kbPerRequest * rps * (1 + 0.1 * rng.normal())
                let durations = reqs.map(\.micros).sorted()
                let ok = reqs.filter(\.ok).count
                let success = reqs.isEmpty ? Double.nan : 100 * Double(ok) / Double(reqs.count)
                let clients = (client[s]?[w] ?? []).sorted()
                rows.append((t, [cpu, memory, max(0, rx), max(0, tx), rps, success,
                                 quantile(durations, 0.5), quantile(durations, 0.9), quantile(clients, 0.9)]))
            }
            out.append((s, rows))
        }
        return out
    }

    /// The q-quantile of sorted µs values, in ms; NaN for none.
    static func quantile(_ sorted: [Int64], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let i = min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))
        return Double(sorted[i]) / 1000
    }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "NaN" }
        let scaled = (v * 1000).rounded()
        return SimLogEvent.fixedPoint(Int64(scaled), digits: 3)
    }

    /// One metric file a service, in the scenario's metric format.
    static func metricFiles(_ gen: SimFaultGenerator, seed: UInt64, hosts: [String: String]) -> [SimulatedFile] {
        var files: [SimulatedFile] = []
        for (service, rows) in rows(gen, seed: seed) {
            let pod = hosts[service] ?? service
            var text = ""
            var samples = 0
            switch gen.metricFormat {
            case .csv:
                text = "time,service,pod," + series.map { "\($0.name)(\($0.unit))" }.joined(separator: ",") + "\n"
                for (t, values) in rows {
                    text += Timestamp(nanos: t * 1000, precision: 0).rfc3339(digits: 0) + ",\(service),\(pod),"
                    text += values.map(number).joined(separator: ",") + "\n"
                    samples += values.count
                }
            case .prometheus:
                for (k, s) in series.enumerated() {
                    text += "# TYPE \(s.promName) gauge\n"
                    for (t, values) in rows where values[k].isFinite {
                        text += "\(s.promName){service=\"\(service)\",pod=\"\(pod)\"} \(number(values[k])) \(t / 1000)\n"
                        samples += 1
                    }
                }
            }
            let ext = gen.metricFormat == .csv ? "csv" : "prom"
            files.append(SimulatedFile(path: "metrics/\(service).\(ext)", bytes: Array(text.utf8), kind: "metrics",
                                       format: gen.metricFormat.rawValue, service: service, records: samples,
                                       note: "\(series.count) series every \(step) s"))
        }
        return files
    }
}
