/// A log record placed under a span of a trace.
public struct CorrelatedLog: Sendable {
    public enum Join: String, Sendable {
        /// The record carries this span's ID.
        case spanID = "span_id"
        /// The record carries the trace ID; placed under its service's span at that time.
        case traceID = "trace_id"
        /// The record carries no IDs; matched by service and the span's own interval only
        /// (may belong to a concurrent request). Shown with `≈`.
        case time
    }
    public var record: LogRecord
    /// Index into `Trace.nodes`.
    public var node: Int
    public var join: Join
}

/// Joins log lines to a trace's spans: by span ID, then trace ID, and for services whose
/// logs carry no IDs at all, by service and the span's time interval (marked as such).
///
/// A line that names another trace (or a span of none of this trace's spans, without a
/// trace ID) is never joined: it is some other request's story. The time join takes only
/// lines with no ID at all, of a service that writes no IDs in the time around the trace,
/// and only inside one of that service's spans: from its start to its end, both moved by
/// the clock-skew shift applied to the span (the line was written by the same host's clock).
public enum LogCorrelation {
    /// Slack after a span's end for lines carrying the trace ID written when a request
    /// finished (access logs): they are placed under the span that just ended. Not used
    /// for time joins, which stay inside a span's own interval.
    public static let trailingSlackNanos: Int64 = 1_000_000_000

    /// - Parameter timeJoin: join ID-less lines by service and time (`false`: `--no-time-join`).
    public static func correlate(_ trace: Trace, logUnits: [InputUnit], timeJoin: Bool = true) -> (logs: [CorrelatedLog], stats: [InputStats]) {
        guard !logUnits.isEmpty, !trace.nodes.isEmpty else { return ([], []) }
        var filter = LogFilter()
        filter.since = Timestamp(nanos: trace.start.nanos - 2_000_000_000)
        filter.until = Timestamp(nanos: trace.end.nanos + 2_000_000_000)
        let stream = LogStream(units: logUnits, filter: filter, needs: .all)
        var candidates: [LogRecord] = []
        stream.forEach { candidates.append($0); return candidates.count < 200_000 }
        let traceID = trace.traceID
        let services = Set(trace.nodes.map(\.span.service))
        var spanIndex: [String: Int] = [:]
        // A Zipkin span ID shared by client and server → the server half split off it.
        var serverHalf: [String: Int] = [:]
        for (i, n) in trace.nodes.enumerated() {
            spanIndex[n.span.spanID] = i
            if n.flags.contains(.splitShared), let shared = n.span.parentID { serverHalf[shared] = i }
        }
        // Services that log trace IDs are joined only by ID.
        let servicesWithIDs = Set(candidates.compactMap { $0.traceID != nil || $0.spanID != nil ? $0.service : nil })
        var out: [CorrelatedLog] = []
        for r in candidates {
            if r.traceID == nil, let s = r.spanID {
                // A span ID alone: this trace's span, or another request's.
                if let i = spanIndex[s] {
                    let node = serverHalf[s].flatMap { trace.nodes[$0].span.service == r.service ? $0 : nil } ?? i
                    out.append(CorrelatedLog(record: r, node: node, join: .spanID))
                }
                continue
            }
            if let t = r.traceID {
                guard sameTrace(t, traceID) else { continue }
                if let s = r.spanID, let i = spanIndex[s] {
                    // The server logs the shared ID too: its lines belong under its own half.
                    let node = serverHalf[s].flatMap { trace.nodes[$0].span.service == r.service ? $0 : nil } ?? i
                    out.append(CorrelatedLog(record: r, node: node, join: .spanID))
                } else {
                    out.append(CorrelatedLog(record: r, node: place(trace, service: r.service, at: r.timestamp), join: .traceID))
                }
            } else if timeJoin, let svc = r.service, services.contains(svc), !servicesWithIDs.contains(svc), let t = r.timestamp,
                      let node = covering(trace, service: svc, at: t) {
                out.append(CorrelatedLog(record: r, node: node, join: .time))
            }
        }
        return (out, stream.stats)
    }

    /// The deepest span of `service` whose own interval holds `time`, read on that span's
    /// host clock: the span was moved by `skewNanos` to fit its parent, so the line is too.
    static func covering(_ trace: Trace, service: String, at time: Timestamp) -> Int? {
        var best: Int?
        for (i, n) in trace.nodes.enumerated() where n.span.service == service {
            let t = time.nanos &+ n.skewNanos
            guard t >= n.span.start.nanos, t <= n.span.end.nanos else { continue }
            if best.map({ trace.nodes[$0].depth < n.depth }) ?? true { best = i }
        }
        return best
    }

    /// 64-bit IDs logged for 128-bit traces (or the reverse) match on the low 64 bits.
    static func sameTrace(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard a.count >= 16, b.count >= 16 else { return false }
        return a.hasSuffix(b) || b.hasSuffix(a)
    }

    /// The deepest span of `service` covering `time`, else that service's first span, else the root.
    static func place(_ trace: Trace, service: String?, at time: Timestamp?) -> Int {
        let mine = trace.nodes.indices.filter { trace.nodes[$0].span.service == service }
        if let t = time, let d = deepest(trace, mine, at: t) { return d }
        return mine.first ?? trace.roots.first ?? 0
    }

    /// The deepest of `candidates` running at `time`; failing that, the deepest that ended
    /// less than the trailing slack before it (a span that ended earlier must not win over
    /// one still running).
    static func deepest(_ trace: Trace, _ candidates: [Int], at time: Timestamp) -> Int? {
        func pick(_ slack: Int64) -> Int? {
            candidates.filter { time >= trace.nodes[$0].span.start && time.nanos <= trace.nodes[$0].span.end.nanos + slack }
                .max { trace.nodes[$0].depth < trace.nodes[$1].depth }
        }
        return pick(0) ?? pick(trailingSlackNanos)
    }
}
