/// Writes each simulated service's log records the way that service's real logger
/// would: nginx, a Go JSON logger, logfmt, log4j, RFC 5424 syslog, pino, zap inside
/// Docker's json-file driver, and Python's logging.
///
/// Every function takes the records of one service in time order and returns the
/// text of the file, one record a line (stack traces on the lines after their record).
enum SimLogRenderer {
    // MARK: - Time pieces

    struct Civil {
        let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        /// Nanoseconds within the second.
        let nanos: Int64

        init(_ t: Int64) {
            let secs = t.floorDiv(1_000_000_000)
            nanos = t - secs * 1_000_000_000
            let days = secs.floorDiv(86_400)
            (year, month, day) = Calendar.civil(fromDays: days)
            let sod = Int(secs - days * 86_400)
            hour = sod / 3600; minute = sod / 60 % 60; second = sod % 60
        }
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        var s = String(v)
        while s.count < width { s = "0" + s }
        return s
    }

    static func pad(_ v: Int, _ width: Int) -> String { pad(Int64(v), width) }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `2026-11-25 10:00:00,123` (log4j's default date, `,` before the milliseconds).
    static func log4jTime(_ t: Int64) -> String {
        let c = Civil(t)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)),\(pad(c.nanos / 1_000_000, 3))"
    }

    /// `25/Nov/2026:10:00:00 +0000` (nginx `$time_local` on a UTC host).
    static func accessTime(_ t: Int64) -> String {
        let c = Civil(t)
        return "\(pad(c.day, 2))/\(months[c.month - 1])/\(pad(c.year, 4)):\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)) +0000"
    }

    static func rfc3339(_ t: Int64, digits: Int) -> String {
        Timestamp(nanos: t, precision: UInt8(digits)).rfc3339()
    }

    /// Seconds since the epoch with six decimals, as zap writes `ts`.
    static func epochSeconds(_ t: Int64) -> String {
        SimLogEvent.fixedPoint(t / 1000, digits: 6)
    }

    // MARK: - Formats

    /// frontend: nginx `combined`.
    static func access(_ entries: [SimAccessEntry]) -> String {
        var out = ""
        for e in entries {
            out += "\(e.clientIP) - - [\(accessTime(e.time))] \"\(e.method) \(e.path) HTTP/1.1\" \(e.status) \(e.bytes) "
            out += "\"\(e.referer)\" \"\(e.userAgent)\"\n"
        }
        return out
    }

    /// api-gateway: JSON lines, RFC 3339 times with milliseconds.
    static func gatewayJSON(_ e: SimLogEvent) -> String {
        var line = "{\"time\":\"\(rfc3339(e.time, digits: 3))\",\"level\":\"\(e.level.name)\",\"msg\":"
        JSONWriter.quote(e.message, into: &line)
        line += ",\"service\":\"\(e.service)\""
        if let t = e.traceID { line += ",\"trace_id\":\"\(t)\"" }
        if let s = e.spanID { line += ",\"span_id\":\"\(s)\"" }
        for f in e.fields {
            line += ","
            JSONWriter.quote(f.key, into: &line)
            line += ":" + f.value.json
        }
        return line + "}\n"
    }

    /// checkout: logfmt as Go's log/slog `TextHandler` writes it.
    static func logfmt(_ e: SimLogEvent) -> String {
        var line = "time=\(rfc3339(e.time, digits: 6)) level=\(e.level == .warn ? "WARN" : e.level.name.uppercased()) msg=\(logfmtValue(e.message)) service=\(e.service)"
        if let t = e.traceID { line += " trace_id=\(t)" }
        if let s = e.spanID { line += " span_id=\(s)" }
        for f in e.fields { line += " \(f.key)=\(logfmtValue(f.value.text))" }
        return line + "\n"
    }

    static func logfmtValue(_ s: String) -> String {
        let needsQuotes = s.isEmpty || s.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }
        return needsQuotes ? JSONWriter.quoted(s) : s
    }

    /// payment: log4j `%d %-5p [%t] %c{1.} - %m%n`, trace context at the end of the
    /// message as the OpenTelemetry MDC appender adds it, stack traces after errors.
    static func log4j(_ e: SimLogEvent) -> String {
        let level = e.level == .warn ? "WARN" : e.level.name.uppercased()
        var line = "\(log4jTime(e.time)) \(level.leftAligned(5)) [\(e.thread ?? "main")] \(e.logger ?? e.service) - \(e.message)"
        if let t = e.traceID, let s = e.spanID { line += " trace_id=\(t) span_id=\(s)" }
        line += "\n"
        for s in e.stack { line += s + "\n" }
        return line
    }

    /// inventory: RFC 5424 syslog, facility local0, microsecond times.
    static func syslog(_ e: SimLogEvent, host: String, pid: Int) -> String {
        let severity: Int
        switch e.level {
        case .fatal: severity = 2
        case .error: severity = 3
        case .warn: severity = 4
        case .notice: severity = 5
        case .info: severity = 6
        default: severity = 7
        }
        var line = "<\(16 * 8 + severity)>1 \(rfc3339(e.time, digits: 6)) \(host) \(e.service) \(pid) - - \(e.message)"
        if let t = e.traceID, let s = e.spanID { line += " trace_id=\(t) span_id=\(s)" }
        return line + "\n"
    }

    /// cart: pino — numeric levels, epoch milliseconds, `name` for the service, `msg` last.
    static func pino(_ e: SimLogEvent, host: String, pid: Int) -> String {
        let level: Int
        switch e.level {
        case .trace: level = 10
        case .debug: level = 20
        case .warn: level = 40
        case .error: level = 50
        case .fatal: level = 60
        default: level = 30
        }
        var line = "{\"level\":\(level),\"time\":\(e.time / 1_000_000),\"pid\":\(pid),\"hostname\":\"\(host)\",\"name\":\"\(e.service)\""
        if let t = e.traceID { line += ",\"trace_id\":\"\(t)\"" }
        if let s = e.spanID { line += ",\"span_id\":\"\(s)\",\"trace_flags\":\"01\"" }
        for f in e.fields {
            line += ","
            JSONWriter.quote(f.key, into: &line)
            line += ":" + f.value.json
        }
        line += ",\"msg\":"
        JSONWriter.quote(e.message, into: &line)
        return line + "}\n"
    }

    /// shipping: zap's JSON encoder, wrapped by Docker's json-file driver.
    static func dockerZap(_ e: SimLogEvent, extraNanos: Int64) -> String {
        var inner = "{\"level\":\"\(e.level.name)\",\"ts\":\(epochSeconds(e.time)),\"caller\":\"\(e.logger ?? "main.go:1")\",\"msg\":"
        JSONWriter.quote(e.message, into: &inner)
        inner += ",\"service\":\"\(e.service)\""
        if let t = e.traceID { inner += ",\"trace_id\":\"\(t)\"" }
        if let s = e.spanID { inner += ",\"span_id\":\"\(s)\"" }
        for f in e.fields {
            inner += ","
            JSONWriter.quote(f.key, into: &inner)
            inner += ":" + f.value.json
        }
        inner += "}\n"
        var line = "{\"log\":"
        JSONWriter.quote(inner, into: &line)
        // The runtime stamps the line when it reads it from the pipe, a little later.
        line += ",\"stream\":\"\(e.level >= .warn ? "stderr" : "stdout")\",\"time\":\"\(rfc3339(e.time + extraNanos, digits: 9))\"}\n"
        return line
    }

    /// notification: Python logging, `%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s`
    /// with an ISO 8601 UTC time.
    static func python(_ e: SimLogEvent) -> String {
        let level = e.level == .warn ? "WARNING" : e.level.name.uppercased()
        var line = "\(rfc3339(e.time, digits: 3)) \(level) [\(e.thread ?? "MainThread")] \(e.logger ?? e.service): \(e.message)"
        if let t = e.traceID, let s = e.spanID { line += " trace_id=\(t) span_id=\(s)" }
        return line + "\n"
    }
}

extension String {
    /// Left-aligned in a field of `width` characters, as `%-5p` pads.
    fileprivate func leftAligned(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
