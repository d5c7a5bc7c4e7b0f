import Foundation

/// Reads inputs into a `TrendAggregate`: log records of every format (by service,
/// level and pattern), access-log lines as requests, and the entry spans of span dumps
/// as requests.
///
/// Span dumps are read first (in parallel); log inputs then stream through `LogStream`
/// (parsed on their own threads, counted in time order on this one, so the template
/// miner sees the same sequence on every run).
public enum TrendReader {
    public struct Options: Sendable {
        /// Fixed bucket width, or nil to choose from the range.
        public var bucketNanos: Int64?
        public var since: TimeBound?
        public var until: TimeBound?
        /// Only these services (empty: all).
        public var services: [String] = []
        public var format: DetectedFormat?
        /// Mine log messages into patterns.
        public var patterns = true
        /// Keep the aggregator's state for a partial result (`--partial`).
        public var keepPartial = false
        public init() {}
    }

    public struct Result: Sendable {
        public var aggregate: TrendAggregate
        /// One entry per input read: log inputs, then span dumps.
        public var stats: [InputStats]
        /// Entry spans counted as requests.
        public var entrySpans = 0
        /// With `Options.keepPartial`: the state before patterns were resolved.
        public var partial: TrendPartial?
    }

    /// - Parameter baseline: inputs whose log messages make patterns known (not new) without being counted.
    public static func read(_ units: [InputUnit], baseline: [InputUnit] = [], options: Options) -> Result {
        let load = SpanLoader.load(units, format: options.format, detail: .minimal)
        var since = options.since?.resolve(newest: nil)
        var until = options.until?.resolve(newest: nil)
        let relative = [options.since, options.until].contains { if case .beforeNewest = $0 { true } else { false } }
        if relative {
            let logNewest = Inspector.newest(load.logUnits, format: options.format)
            let spanNewest = load.spans.lazy.map(\.start).max()
            let newest = [logNewest, spanNewest].compactMap { $0 }.max()
            since = options.since?.resolve(newest: newest)
            until = options.until?.resolve(newest: newest)
        }
        let agg = TrendAggregator(bucketNanos: options.bucketNanos, patterns: options.patterns)

        if options.patterns && !baseline.isEmpty {
            let stream = LogStream(units: baseline, filter: LogFilter(), needs: [.message], format: options.format)
            stream.forEach { r in agg.addBaseline(message: r.message); return true }
        }

        // Access logs carry requests (status, maybe a duration): they need their fields.
        let access = load.logUnits.map { isAccessLog($0, forced: options.format) }
        var filter = LogFilter()
        filter.since = since
        filter.until = until
        filter.services = options.services
        let plainUnits = zip(load.logUnits, access).filter { !$0.1 }.map(\.0)
        let accessUnits = zip(load.logUnits, access).filter { $0.1 }.map(\.0)
        var stats: [InputStats] = []
        if !plainUnits.isEmpty {
            let stream = LogStream(units: plainUnits, filter: filter, needs: options.patterns ? [.message, .service] : [.service],
                                   format: options.format)
            stream.forEach { r in
                agg.addLog(service: r.service, level: r.level, nanos: time(r), message: options.patterns ? r.message : nil)
                return true
            }
            stats += stream.stats
        }
        if !accessUnits.isEmpty {
            let stream = LogStream(units: accessUnits, filter: filter, needs: .all, format: options.format)
            stream.forEach { r in
                let t = time(r)
                agg.addLog(service: r.service, level: r.level, nanos: t, message: options.patterns ? r.message : nil)
                if let t, let req = AccessRequest(r) {
                    agg.addRequest(service: r.service ?? "unknown", operation: req.operation, nanos: t,
                                   durationNanos: req.durationNanos, failed: req.status >= 500, source: .accessLog)
                }
                return true
            }
            stats += stream.stats
        }

        var entries = 0
        let wanted = Set(options.services)
        for i in entrySpanIndexes(load.spans) {
            let s = load.spans[i]
            if let since, s.start < since { continue }
            if let until, s.start > until { continue }
            if !wanted.isEmpty && !wanted.contains(s.service) { continue }
            agg.addRequest(service: s.service, operation: s.operation, nanos: s.start.nanos, durationNanos: s.durationNanos,
                           failed: s.isError, source: .spans)
            entries += 1
        }
        stats += load.stats + load.unreadable
        var partial: TrendPartial?
        if options.keepPartial {
            partial = agg.partial(baseline: !baseline.isEmpty, skipped: stats.reduce(0) { $0 + $1.skipped }, inputs: stats.count)
        }
        return Result(aggregate: agg.finish(), stats: stats, entrySpans: entries, partial: partial)
    }

    /// A record's time, or for a record without one, the time of the record before it.
    @inline(__always)
    static func time(_ r: LogRecord) -> Int64? {
        if let t = r.timestamp { return t.nanos }
        return r.sortKey == .min ? nil : r.sortKey
    }

    static func isAccessLog(_ unit: InputUnit, forced: DetectedFormat?) -> Bool {
        if let forced { return forced.name == "access" }
        guard let source = try? unit.open() else { return false }
        defer { source.close() }
        guard let (head, _) = try? source.readHead(upTo: 64 * 1024) else { return false }
        return FormatRegistry.detect(head: head).name == "access"
    }

    /// The spans that are requests of their service: server and consumer spans, and spans
    /// of any other kind but client and producer whose parent belongs to another service
    /// or that have no parent. A span read twice (same trace, span ID and service) counts once.
    public static func entrySpanIndexes(_ spans: [Span]) -> [Int] {
        struct Key: Hashable { var trace: String; var span: String }
        var owner: [Key: (service: String, kind: Span.Kind)] = [:]
        owner.reserveCapacity(spans.count)
        for s in spans {
            let k = Key(trace: s.traceID, span: s.spanID)
            // A Zipkin client and server may share an ID: the server half is the parent of what follows.
            if let e = owner[k], e.kind != .client { continue }
            owner[k] = (s.service, s.kind)
        }
        struct Seen: Hashable { var trace: String; var span: String; var service: String }
        var seen = Set<Seen>()
        var out: [Int] = []
        for (i, s) in spans.enumerated() {
            let entry: Bool
            switch s.kind {
            case .server, .consumer: entry = true
            case .client, .producer: entry = false
            default:
                if let p = s.parentID, !p.isEmpty {
                    if let parent = owner[Key(trace: s.traceID, span: p)] { entry = parent.service != s.service } else { entry = false }
                } else {
                    entry = true
                }
            }
            guard entry else { continue }
            if seen.insert(Seen(trace: s.traceID, span: s.spanID, service: s.service)).inserted { out.append(i) }
        }
        return out
    }
}

/// An access-log line as a request: status, operation (method and path with IDs
/// replaced by `{id}`, query dropped) and the duration when the line carries one
/// (`request_time`, `duration`, or a bare decimal number of seconds after the user agent,
/// as nginx's `$request_time` is commonly appended).
public struct AccessRequest: Sendable, Equatable {
    public var status: Int
    public var operation: String
    public var durationNanos: Int64?

    public init?(_ r: LogRecord) {
        var status: Int?
        var method = "", path = ""
        var duration: Int64?
        for f in r.fields {
            switch f.key {
            case "status": status = Int(f.value)
            case "method": method = f.value
            case "path": path = f.value
            case "request_time", "duration", "upstream_response_time":
                duration = Self.seconds(f.value)
            default:
                if duration == nil, f.key.hasPrefix("field"), f.value.contains(".") { duration = Self.seconds(f.value) }
            }
        }
        guard let status else { return nil }
        self.status = status
        self.operation = method.isEmpty ? "-" : method + " " + Self.route(path)
        self.durationNanos = duration
    }

    static func seconds(_ s: String) -> Int64? {
        guard let v = Double(s), v.isFinite, v >= 0, v < 1e6 else { return nil }
        return Int64(v * 1e9)
    }

    /// `/orders/8123?x=1` → `/orders/{id}`: path segments holding digits become `{id}`.
    public static func route(_ path: String) -> String {
        var p = Substring(path)
        if let q = p.firstIndex(where: { $0 == "?" || $0 == "#" }) { p = p[..<q] }
        var out = ""
        for (i, seg) in p.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { out += "/" }
            out += seg.contains(where: \.isNumber) ? "{id}" : String(seg)
        }
        return out.isEmpty ? "/" : out
    }
}
