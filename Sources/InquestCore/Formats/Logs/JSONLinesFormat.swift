#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON lines: one object a line, under the common key conventions.
///
/// | field | keys (first match by priority) |
/// |---|---|
/// | time | `@timestamp`, `timestamp`, `time`, `ts`, `@t`, `t`, `datetime`, `date` (RFC 3339 or epoch s/ms/µs/ns) |
/// | level | `level`, `log.level`, `severity`, `levelname`, `lvl`, `loglevel`, `@l`, `severity_text`; numbers as bunyan/pino; `severity_number` as OTLP |
/// | message | `msg`, `message`, `@m`, `@mt`, `event`, `body` |
/// | service | `service.name`, `service`, `serviceName`, `service_name`, `app`, `application`, bunyan's `name` |
/// | trace / span | `trace_id`, `traceId`, `traceID`, `trace.id`, `otelTraceID`, `X-B3-TraceId`, `dd.trace_id` (decimal), `traceparent`, `X-Amzn-Trace-Id`, `xray_trace_id`, a bare `trace` holding a hex ID / the `span` equivalents |
///
/// Without a trace field, the message is scanned for IDs written into the text
/// (`TraceContext`).
///
/// Nested forms are read too: ECS `{"log":{"level"}}`, `{"service":{"name"}}`,
/// `{"trace":{"id"}}`, Datadog `{"dd":{"trace_id"}}`, and logstash `@fields`.
public struct JSONLinesFormat: LineFormat {
    public var name: String { "json" }
    /// Whether flat lines are read by the one-pass `scanFlat` first (false: always by the
    /// general `scanObject`, the reference the fast path is tested against).
    public var flatScan = true
    public init(flatScan: Bool = true) { self.flatScan = flatScan }

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var s = JSONScanner(UnsafeRawBufferPointer(line))
        s.skipWhitespace()
        guard s.peek() == 0x7B, s.skipValue() != nil else { return false }
        s.skipWhitespace()
        return s.atEnd
    }

    enum Role: UInt8 {
        case other, time, level, levelOTLP, message, service, trace, span
        case nestLog, nestService, nestTrace, nestSpan, nestDD, nestFields
        /// Inside an object that is only flattened into dotted field names.
        case flatten
    }

    /// Classifies a member name; `priority` is lower for better keys of the same role.
    @inline(__always)
    static func classify(_ p: UnsafePointer<UInt8>, _ n: Int, nested: Role?) -> (Role, UInt8) {
        // Byte by byte: the first byte usually differs, and a call to memcmp costs more.
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            guard s.utf8CodeUnitCount == n else { return false }
            let q = s.utf8Start
            var i = 0
            while i < n { if p[i] != q[i] { return false }; i += 1 }
            return true
        }
        if let nested {
            switch nested {
            case .nestLog: return n == 5 && eq("level") ? (.level, 1) : (.other, 0)
            case .nestService: return n == 4 && eq("name") ? (.service, 0) : (.other, 0)
            case .nestTrace: return n == 2 && eq("id") ? (.trace, 0) : (.other, 0)
            case .nestSpan: return n == 2 && eq("id") ? (.span, 0) : (.other, 0)
            case .flatten: return (.other, 0)
            case .nestDD:
                if n == 8 && eq("trace_id") { return (.trace, 3) }
                if n == 7 && eq("span_id") { return (.span, 3) }
                return (.other, 0)
            default: break  // @fields: as top level, without further nesting
            }
        }
        switch n {
        case 1: if p[0] == 0x74 { return (.time, 6) }
        case 2:
            if eq("ts") { return (.time, 3) }
            if eq("@t") { return (.time, 4) }
            if eq("@l") { return (.level, 6) }
            if eq("@m") { return (.message, 2) }
            if eq("dd") && nested == nil { return (.nestDD, 0) }
        case 3:
            if eq("msg") { return (.message, 0) }
            if eq("lvl") { return (.level, 4) }
            if eq("app") { return (.service, 4) }
            if eq("@mt") { return (.message, 3) }
            if eq("log") && nested == nil { return (.nestLog, 0) }
        case 4:
            if eq("time") { return (.time, 2) }
            if eq("name") { return (.service, 6) }
            if eq("date") { return (.time, 8) }
            if eq("body") { return (.message, 5) }
            if eq("span") && nested == nil { return (.nestSpan, 0) }
        case 5:
            if eq("level") { return (.level, 0) }
            if eq("event") { return (.message, 4) }
            if eq("trace") && nested == nil { return (.nestTrace, 0) }
        case 6:
            if eq("spanId") || eq("spanID") || eq("spanid") { return (.span, 1) }
        case 7:
            if eq("message") { return (.message, 1) }
            if eq("service") { return nested == nil ? (.nestService, 0) : (.service, 1) }
            if eq("traceId") || eq("traceID") || eq("traceid") { return (.trace, 1) }
            if eq("span_id") || eq("span.id") { return (.span, 0) }
            if eq("@fields") && nested == nil { return (.nestFields, 0) }
        case 8:
            if eq("severity") { return (.level, 2) }
            if eq("loglevel") { return (.level, 5) }
            if eq("trace_id") || eq("trace.id") { return (.trace, 0) }
            if eq("datetime") { return (.time, 7) }
        case 9:
            if eq("timestamp") { return (.time, 1) }
            if eq("log.level") { return (.level, 1) }
            if eq("levelname") { return (.level, 3) }
        case 10:
            if eq("@timestamp") { return (.time, 0) }
            if eq("dd.span_id") { return (.span, 3) }
            if eq("otelSpanID") { return (.span, 2) }
        case 11:
            if eq("dd.trace_id") { return (.trace, 3) }
            if eq("serviceName") { return (.service, 2) }
            if eq("application") { return (.service, 5) }
            if eq("traceparent") { return (.trace, 5) }
            if eq("otelTraceID") { return (.trace, 2) }
            if eq("X-B3-SpanId") { return (.span, 2) }
        case 12:
            if eq("service.name") { return (.service, 0) }
            if eq("service_name") { return (.service, 3) }
            if eq("X-B3-TraceId") { return (.trace, 2) }
            // OTLP's text is free-form ("Information"); its number is the normalised level.
            if eq("severityText") { return (.level, 8) }
        case 13:
            if eq("severity_text") { return (.level, 8) }
            if eq("xray_trace_id") { return (.trace, 5) }
        case 14: if eq("severityNumber") { return (.levelOTLP, 7) }
        case 15:
            if eq("severity_number") { return (.levelOTLP, 7) }
            if eq("X-Amzn-Trace-Id") { return (.trace, 5) }
        default: break
        }
        return (.other, 0)
    }

    struct Found {
        var range: Range<Int> = 0..<0
        var escaped = false
        var kind: JSONScanner.Kind = .invalid
        var priority: UInt8 = 255
    }

    /// What one scan of a line found: the best member for each role, and other fields.
    struct Scan {
        var time = Found(), level = Found(), message = Found(), service = Found(), trace = Found(), span = Found()
        var levelIsOTLP = false
        var wantFields: Bool
        var fields: [LogRecord.Field] = []
        /// Objects open around the cursor, and whether the limit stopped the scan.
        var depth = 0
        var tooDeep = false
    }

    /// Reads the members of the object at the cursor into `scan`; false when malformed.
    /// Written as a loop over a passed-in state (no closures) to keep the hot path free of
    /// captured-variable access checks.
    static func scanObject(_ sc: inout JSONScanner, _ scan: inout Scan, nested: Role?, prefix: String) -> Bool {
        guard sc.consume(0x7B) else { return false }
        scan.depth += 1
        defer { scan.depth -= 1 }
        if scan.depth > sc.maxDepth { scan.tooDeep = true; return false }
        sc.skipWhitespace()
        if sc.consume(0x7D) { return true }
        while true {
            sc.skipWhitespace()
            guard let key = sc.scanString() else { return false }
            guard sc.consume(0x3A) else { return false }
            sc.skipWhitespace()
            let (role, prio) = classify(sc.base + key.range.lowerBound, key.range.count, nested: nested)
            switch role {
            case .nestLog, .nestService, .nestTrace, .nestSpan, .nestDD, .nestFields:
                if sc.peek() == 0x7B {
                    let name = scan.wantFields ? prefix + sc.string(key.range, escaped: false) + "." : ""
                    guard scanObject(&sc, &scan, nested: role, prefix: name) else { return false }
                } else {
                    // `"trace": "4bf9…"` (only a hex ID: `trace` may hold a stack trace).
                    let (flat, p): (Role, UInt8) = switch role {
                    case .nestService: (.service, 1)
                    case .nestTrace: (.trace, TraceContext.bareKeyPriority)
                    case .nestSpan: (.span, TraceContext.bareKeyPriority)
                    default: (.other, 0)
                    }
                    guard member(&sc, &scan, key.range, role: flat, prio: p, prefix: prefix) else { return false }
                }
            case .other where scan.wantFields && sc.peek() == 0x7B && prefix.utf8.count < 256:
                // Nested objects become dotted field names (`http.status`), as jq paths read.
                let name = prefix + sc.string(key.range, escaped: false) + "."
                guard scanObject(&sc, &scan, nested: .flatten, prefix: name) else { return false }
            default:
                guard member(&sc, &scan, key.range, role: role, prio: prio, prefix: prefix) else { return false }
            }
            sc.skipWhitespace()
            guard let c = sc.peek() else { return false }
            sc.pos += 1
            if c == 0x2C { continue }
            if c == 0x7D { return true }
            return false
        }
    }

    @inline(__always)
    static func member(_ sc: inout JSONScanner, _ scan: inout Scan, _ key: Range<Int>, role: Role, prio: UInt8, prefix: String) -> Bool {
        let kind = sc.kind()
        var f = Found(kind: kind, priority: prio)
        if kind == .string {
            guard let str = sc.scanString() else { return false }
            f.range = str.range; f.escaped = str.escaped
        } else if kind == .object || kind == .array {
            // A value of the object at depth `scan.depth` may open as many levels as are left
            // of the limit: the line's depth is the same whichever members are read.
            var failedAt = sc.pos
            guard let after = JSONScanner.skipNested(sc.base, from: sc.pos, end: sc.end, maxDepth: sc.maxDepth - scan.depth,
                                                     failedAt: &failedAt) else {
                if failedAt < sc.end, sc.base[failedAt] | 0x20 == 0x7B { scan.tooDeep = true }
                sc.pos = failedAt
                return false
            }
            f.range = sc.pos..<after
            sc.pos = after
        } else {
            guard let v = sc.skipValue() else { return false }
            f.range = v
        }
        switch role {
        case .time: if prio < scan.time.priority { scan.time = f }
        case .level: if prio < scan.level.priority { scan.level = f; scan.levelIsOTLP = false }
        case .levelOTLP: if prio < scan.level.priority { scan.level = f; scan.levelIsOTLP = true }
        case .message: if prio < scan.message.priority, kind == .string || kind == .object || kind == .array { scan.message = f }
        case .service: if prio < scan.service.priority, kind == .string { scan.service = f }
        case .trace: if prio < scan.trace.priority { scan.trace = f }
        case .span: if prio < scan.span.priority { scan.span = f }
        default:
            if scan.wantFields {
                let k = prefix + sc.string(key, escaped: false)
                let v = kind == .string ? sc.string(f.range, escaped: f.escaped)
                    : String(decoding: sc.bytes(f.range), as: UTF8.self)
                scan.fields.append(LogRecord.Field(k, v))
            }
        }
        return true
    }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        var s = JSONScanner(UnsafeRawBufferPointer(line), maxDepth: context.maxDepth)
        s.skipWhitespace()
        guard s.peek() == 0x7B else { return .skip("not a JSON object") }
        let needs = context.needs
        var scan = Scan(wantFields: needs.contains(.fields))
        let start = s.pos
        // Nothing of the record wanted but its level: the members after it only checked.
        let levelOnly = needs.isEmpty && !context.needsTime
        if scan.wantFields || !flatScan || !context.keyMemo.withEntries({
            levelOnly ? Self.scanFlat(&s, &scan, memo: $0, UpToLevel.self) : Self.scanFlat(&s, &scan, memo: $0, EveryMember.self)
        }) {
            scan = Scan(wantFields: scan.wantFields)
            s.pos = start
            guard Self.scanObject(&s, &scan, nested: nil, prefix: "") else {
                if scan.tooDeep { return .skip("JSON nested deeper than \(context.maxDepth) levels (--max-json-depth)") }
                return .skip(s.atEnd ? "JSON object cut off" : "malformed JSON at column \(s.pos + 1)")
            }
        }
        s.skipWhitespace()
        if !s.atEnd { return .skip("text after the JSON object at column \(s.pos + 1)") }
        let (time, level, message, service, trace, span) = (scan.time, scan.level, scan.message, scan.service, scan.trace, scan.span)

        Self.read(level: level, otlp: scan.levelIsOTLP, s, into: &r)
        // Time (not read when no one uses it: a count by level).
        if time.priority != 255 && context.needsTime {
            let b = s.bytes(time.range)
            if time.kind == .string {
                if let (t, _) = context.time.parse(b) { r.timestamp = t }
                else if let v = JSONScanner.parseNumber(b) { r.timestamp = TimestampParser.fromEpoch(v) }
            } else if time.kind == .number {
                if let i = JSONScanner.parseInt64(b), i > 100_000_000_000_000_000 { r.timestamp = Timestamp(nanos: i, precision: 9) }
                else if let v = JSONScanner.parseNumber(b) { r.timestamp = TimestampParser.fromEpoch(v) }
            }
        }
        // A trace or service asked for that this record plainly lacks: it fails the filter,
        // with no string made.
        if needs.contains(.trace) && trace.priority != 255 && !context.traceQuery.isEmpty
            && !ParseContext.traceMayMatch(s.bytes(trace.range), priority: trace.priority, context.traceQuery)
            || needs.contains(.service) && service.priority != 255 && !context.serviceQuery.isEmpty
            && !ParseContext.serviceMayMatch(s.bytes(service.range), context.serviceQuery) {
            r.failsGate = true
            return .record
        }
        if needs.contains(.message) && message.priority != 255 {
            r.message = message.kind == .string ? s.string(message.range, escaped: message.escaped) : line.string(message.range)
        }
        if needs.contains(.service) {
            if service.priority != 255 { r.service = s.string(service.range, escaped: service.escaped) }
            else { r.service = context.fallbackService }
        }
        if needs.contains(.trace) {
            TraceContext.structured(trace: trace.priority == 255 ? nil : s.bytes(trace.range), tracePriority: trace.priority,
                                    span: span.priority == 255 ? nil : s.bytes(span.range), spanPriority: span.priority,
                                    message: message.priority == 255 || message.kind != .string ? nil : s.bytes(message.range),
                                    into: &r)
        }
        if scan.wantFields { r.fields = scan.fields }
        return .record
    }
}
