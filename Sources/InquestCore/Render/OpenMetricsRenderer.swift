/// Writes the RED series of a trend report as OpenMetrics text with historical
/// timestamps, for `promtool tsdb create-blocks-from openmetrics` to backfill into
/// Prometheus.
///
/// Families (all counters are cumulative from the first bucket, sampled at the end of
/// every bucket, as Prometheus would have scraped them):
/// - `inquest_log_records_total{service,level}`
/// - `inquest_requests_total{service,operation}`
/// - `inquest_request_errors_total{service,operation}`
/// - `inquest_request_duration_seconds{service,operation}`: a histogram with fixed
///   `le` bounds, counted from the report's log-bucketed latency histograms (±2 %).
///
/// Each family's samples are grouped, series after series, each in time order, and
/// the text ends with `# EOF`, as the OpenMetrics text format requires.
public enum OpenMetricsRenderer {
    /// Upper bounds of the duration histogram, in seconds.
    public static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    public static func render(_ data: TrendData, to out: inout some TextOutputStream) {
        var text = ""
        text.reserveCapacity(1 << 16)
        // Sample times: the end of each bucket, in seconds.
        let times = (0..<data.bucketCount).map { i -> String in
            seconds(data.start.nanos &+ Int64(i + 1) &* data.bucketNanos)
        }

        // Log records by service and level (patterns summed: their label would multiply series).
        var logSeries: [[Int]: [Int]] = [:]
        for s in data.logs {
            let key = [s.service, Int(s.level.rawValue)]
            var counts = logSeries[key] ?? Array(repeating: 0, count: data.bucketCount)
            for (i, c) in s.counts.enumerated() where i < counts.count { counts[i] += c }
            logSeries[key] = counts
        }
        text += "# TYPE inquest_log_records counter\n"
        text += "# HELP inquest_log_records Log records read, by service and level.\n"
        for key in logSeries.keys.sorted(by: { ($0[0], $0[1]) < ($1[0], $1[1]) }) {
            let level = Level(rawValue: UInt8(key[1])).map { $0 == .unknown ? "unknown" : $0.name } ?? "unknown"
            let labels = "{service=\(quoted(data.services[key[0]])),level=\(quoted(level))}"
            cumulative(logSeries[key] ?? [], name: "inquest_log_records_total", labels: labels, times: times, into: &text)
        }
        flush(&text, &out)

        let requests = data.requests.sorted { ($0.service, $0.operation) < ($1.service, $1.operation) }
        func labels(_ r: TrendData.RequestSeries) -> String {
            "service=\(quoted(data.services[r.service])),operation=\(quoted(r.operation))"
        }
        text += "# TYPE inquest_requests counter\n"
        text += "# HELP inquest_requests Requests served (entry spans, access-log lines), by service and operation.\n"
        for r in requests {
            cumulative(r.tallies.map(\.requests), name: "inquest_requests_total", labels: "{\(labels(r))}", times: times, into: &text)
        }
        flush(&text, &out)
        text += "# TYPE inquest_request_errors counter\n"
        text += "# HELP inquest_request_errors Requests that failed, by service and operation.\n"
        for r in requests {
            cumulative(r.tallies.map(\.errors), name: "inquest_request_errors_total", labels: "{\(labels(r))}", times: times, into: &text)
        }
        flush(&text, &out)

        text += "# TYPE inquest_request_duration_seconds histogram\n"
        text += "# UNIT inquest_request_duration_seconds seconds\n"
        text += "# HELP inquest_request_duration_seconds Request latency, by service and operation.\n"
        for r in requests {
            let base = labels(r)
            // Running totals per bound, per bucket of time.
            var below = [Int](repeating: 0, count: bounds.count)
            var count = 0
            var sum = 0.0
            var rows: [(le: [Int], count: Int, sum: Double)] = []
            rows.reserveCapacity(r.tallies.count)
            for t in r.tallies {
                let h = t.latency
                for (index, n) in h.buckets {
                    let v = Double(LatencyHistogram.value(index)) / 1e9
                    for (b, bound) in bounds.enumerated() where v <= bound { below[b] += n }
                }
                count += h.count
                sum += h.sumNanos / 1e9
                rows.append((below, count, sum))
            }
            // One point per time: its buckets, count and sum together, as OpenMetrics requires.
            for (i, row) in rows.enumerated() where i < times.count {
                for (b, bound) in bounds.enumerated() {
                    text += "inquest_request_duration_seconds_bucket{\(base),le=\"\(number(bound))\"} \(row.le[b]) \(times[i])\n"
                }
                text += "inquest_request_duration_seconds_bucket{\(base),le=\"+Inf\"} \(row.count) \(times[i])\n"
                text += "inquest_request_duration_seconds_count{\(base)} \(row.count) \(times[i])\n"
                text += "inquest_request_duration_seconds_sum{\(base)} \(number(row.sum)) \(times[i])\n"
            }
            flush(&text, &out)
        }
        text += "# EOF\n"
        flush(&text, &out)
    }

    static func cumulative(_ counts: [Int], name: String, labels: String, times: [String], into text: inout String) {
        var total = 0
        for (i, c) in counts.enumerated() where i < times.count {
            total += c
            text += "\(name)\(labels) \(total) \(times[i])\n"
        }
    }

    static func flush(_ text: inout String, _ out: inout some TextOutputStream) {
        out.write(text)
        text.removeAll(keepingCapacity: true)
    }

    /// Seconds since the epoch with up to millisecond digits (`1732530000.5`).
    static func seconds(_ nanos: Int64) -> String {
        let whole = nanos.floorDiv(1_000_000_000)
        let millis = (nanos - whole * 1_000_000_000) / 1_000_000
        if millis == 0 { return String(whole) }
        var m = String(millis)
        m = String(repeating: "0", count: 3 - m.count) + m
        while m.hasSuffix("0") { m.removeLast() }
        return "\(whole).\(m)"
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// A label value in double quotes, with `\`, `"` and line breaks escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
