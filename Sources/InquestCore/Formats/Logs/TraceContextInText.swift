/// Finds a trace ID and a span ID where services write them into a line of text, and
/// normalises the values of structured trace fields (JSON members, logfmt pairs).
///
/// Text forms recognised (keys case-insensitive, `_`, `.` and `-` ignored in keys):
///
/// | form | example |
/// |---|---|
/// | key=value, key: value | `trace_id=…`, `traceId=…`, `traceID: …`, `TraceID: … SpanID: …`, `dd.trace_id=…`, `X-B3-TraceId=…`, `otelTraceID=…` |
/// | a bare `trace=` / `span=` | only with a hex ID of 16 or 32 digits (X-Ray form for `trace`) |
/// | W3C `traceparent` | `traceparent: 00-<32 hex trace>-<16 hex span>-01` |
/// | Spring Sleuth / Micrometer | `[app,traceId,spanId]`, `[app,traceId,spanId,true]`, Boot 3.2's `[traceId-spanId]` |
/// | SkyWalking | `[SW_CTX:[service,instance,traceId,segmentId,span]]`, `[TID:a1b2c3.45.16000000000000001]` |
/// | AWS X-Ray | `X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8` |
///
/// The scan looks only at `=`, `:` and `[` bytes and reads the key that ends there
/// backwards, so a line without any ID costs one pass over its bytes and no allocation.
/// Keys are whole words: `strace=` or `backtrace:` are not `trace`. Values must be
/// ID-shaped (see `TraceContext.explicit` and `hexID`); `trace_id=null` or `traceId=N/A` carry none.
/// The first trace ID and the first span ID found win.
func extractIDs(_ msg: UnsafeBufferPointer<UInt8>, into r: inout LogRecord) {
    TraceContext.scan(msg, into: &r)
}

/// Trace context in log lines: the text scan and the rules for ID-shaped values.
enum TraceContext {
    /// What a key announces.
    enum Key: UInt8 {
        /// A trace ID under an explicit key (`trace_id`, `traceId`, …): any ID-shaped token.
        case trace
        /// A bare `trace`: only a hex ID of 16 or 32 digits, or an X-Ray ID.
        case bareTrace
        case span
        case bareSpan
        /// Datadog's keys: decimal 64-bit IDs (or hex).
        case ddTrace, ddSpan
        /// W3C `traceparent`: `00-trace-span-flags`.
        case traceparent
        /// `X-Amzn-Trace-Id`: `Root=1-…;Parent=…;Sampled=1`.
        case amznHeader
        /// `Root=` outside the header: only an X-Ray ID.
        case xrayRoot
        /// SkyWalking's `TID:` (only a dotted SkyWalking ID) and `SW_CTX:[…]`.
        case skyWalkingTID, skyWalkingContext
    }

    /// Known keys, folded (lower case, no `_` `.` `-`) and packed into two words.
    static let keys: [(UInt64, UInt64, Key)] = [
        ("traceid", Key.trace), ("trace", .bareTrace), ("spanid", .span), ("span", .bareSpan),
        ("ddtraceid", .ddTrace), ("ddspanid", .ddSpan),
        ("xb3traceid", .trace), ("xb3spanid", .span), ("oteltraceid", .trace), ("otelspanid", .span),
        ("xraytraceid", .trace), ("awsxraytraceid", .trace),
        ("traceparent", .traceparent), ("xamzntraceid", .amznHeader), ("root", .xrayRoot),
        ("tid", .skyWalkingTID), ("swctx", .skyWalkingContext),
    ].map { name, key in
        var p = Packed()
        for c in name.utf8 { _ = p.append(c) }
        return (p.a, p.b, key)
    }

    /// Up to 16 folded key bytes in two words, without allocating.
    struct Packed {
        var a: UInt64 = 0, b: UInt64 = 0, count = 0
        @inline(__always) mutating func append(_ c: UInt8) -> Bool {
            guard count < 16 else { return false }
            if count < 8 { a |= UInt64(c) << (8 * UInt64(count)) } else { b |= UInt64(c) << (8 * UInt64(count - 8)) }
            count += 1
            return true
        }
    }

    @inline(__always) static func isKeyByte(_ c: UInt8) -> Bool {
        isLetter(c) || isDigit(c) || c == 0x5F || c == 0x2E || c == 0x2D
    }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
    /// Bytes of an ID token: letters, digits, `.`, `-`, `_`.
    @inline(__always) static func isTokenByte(_ c: UInt8) -> Bool { isLetter(c) || isDigit(c) || c == 0x2E || c == 0x2D || c == 0x5F }

    /// The key that ends just before `end` (exclusive), if it is one we know.
    static func key(_ b: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Key? {
        // Every known key ends in d, e, n, t or x: most `key=` of a line are rejected here.
        switch b[end - 1] | 0x20 {
        case 0x64, 0x65, 0x6E, 0x74, 0x78: break
        default: return nil
        }
        var s = end
        while s > 0, end - s < 24, isKeyByte(b[s - 1]) { s -= 1 }
        // A longer run is no key of ours; `strace` and `backtrace` are one word with their prefix.
        guard end - s >= 3, end - s < 24, s == 0 || !isKeyByte(b[s - 1]) else { return nil }
        var p = Packed()
        for i in s..<end {
            let c = b[i]
            if c == 0x5F || c == 0x2E || c == 0x2D { continue }
            guard p.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c) else { return nil }
        }
        for (a, bb, k) in keys where a == p.a && bb == p.b { return k }
        return nil
    }

    /// The key before the `=` or `:` at `i`: a bare word, or a quoted one before `:` (JSON in text).
    @inline(__always) static func keyBefore(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Key? {
        if isKeyByte(b[i - 1]) { return key(b, endingAt: i) }
        if b[i] == 0x3A, b[i - 1] == 0x22, i > 4, isKeyByte(b[i - 2]) {
            guard let k = key(b, endingAt: i - 1) else { return nil }
            // The opening quote must sit right before the key.
            var s = i - 2
            while s > 0, isKeyByte(b[s - 1]) { s -= 1 }
            return s > 0 && b[s - 1] == 0x22 ? k : nil
        }
        return nil
    }

    /// Scans text for trace context; sets `r.traceID` and `r.spanID` where still nil.
    static func scan(_ b: UnsafeBufferPointer<UInt8>, into r: inout LogRecord) {
        let n = b.count
        guard n >= 8 else { return }
        var i = 0
        while i < n {
            let c = b[i]
            // The fast skip: only `[`, `=` and `:` can start trace context.
            guard c == 0x5B || c == 0x3D || c == 0x3A else { i += 1; continue }
            var next: Int?
            if c == 0x5B {
                next = bracket(b, at: i, into: &r)
            } else if i > 0, let k = keyBefore(b, i) {
                var v = i + 1
                if c == 0x3A, v < n, b[v] == 0x20 { v += 1 }
                if v < n, b[v] == 0x22 || b[v] == 0x27 { v += 1 }
                next = value(b, at: v, key: k, into: &r)
            }
            guard let next else { i += 1; continue }
            if r.traceID != nil && r.spanID != nil { return }
            i = next
        }
    }

    /// Reads the value of `key` at `at`; returns where the scan goes on, or nil when the
    /// value is not ID-shaped.
    static func value(_ b: UnsafeBufferPointer<UInt8>, at: Int, key: Key, into r: inout LogRecord) -> Int? {
        let n = b.count
        var e = at
        switch key {
        case .skyWalkingContext:
            guard at < n, b[at] == 0x5B else { return nil }
            return swContext(b, at: at, into: &r)
        case .amznHeader:
            while e < n, isTokenByte(b[e]) || b[e] == 0x3B || b[e] == 0x3D { e += 1 }
            guard let (t, s) = amznHeader(UnsafeBufferPointer(rebasing: b[at..<e])) else { return nil }
            set(&r, trace: t, span: s)
            return e
        default:
            while e < n, e - at <= 96, isTokenByte(b[e]) { e += 1 }
            guard e > at, e - at <= 96 else { return nil }
            let next = e
            // `… trace_id=4bf9….` ends a sentence: the dot is not the ID's.
            while e > at + 1, b[e - 1] == 0x2E || b[e - 1] == 0x2D || b[e - 1] == 0x5F { e -= 1 }
            let tok = UnsafeBufferPointer(rebasing: b[at..<e])
            switch key {
            case .traceparent:
                guard let (t, s) = traceparent(tok) else { return nil }
                set(&r, trace: t, span: s)
            case .trace, .bareTrace, .ddTrace, .xrayRoot, .skyWalkingTID:
                guard let t = traceValue(tok, key: key) else { return nil }
                set(&r, trace: t, span: nil)
            case .span, .bareSpan, .ddSpan:
                guard let s = spanValue(tok, key: key) else { return nil }
                set(&r, trace: nil, span: s)
            case .amznHeader, .skyWalkingContext: return nil
            }
            return next
        }
    }

    @inline(__always) static func set(_ r: inout LogRecord, trace: String?, span: String?) {
        if r.traceID == nil, let trace { r.traceID = trace }
        if r.spanID == nil, let span { r.spanID = span }
    }

    // MARK: Values

    /// A trace ID from a token under `key`, normalised; nil when the token is not one.
    static func traceValue(_ t: UnsafeBufferPointer<UInt8>, key: Key) -> String? {
        if let x = xrayTraceID(t) { return x }
        switch key {
        case .xrayRoot: return nil
        case .bareTrace: return hexID(t, lengths: [16, 32])
        case .skyWalkingTID: return skyWalkingID(t)
        case .ddTrace:
            if let d = decimal64(t) { return d }
            return explicit(t)
        case .traceparent:
            return traceparent(t)?.trace
        default: return explicit(t)
        }
    }

    /// A span ID from a token under `key`, normalised; nil when the token is not one.
    static func spanValue(_ t: UnsafeBufferPointer<UInt8>, key: Key) -> String? {
        switch key {
        case .bareSpan: return hexID(t, lengths: [16])
        case .ddSpan:
            if let d = decimal64(t) { return d }
            return explicit(t)
        default: return explicit(t)
        }
    }

    /// Under an explicit key: hex of 8 to 32 digits, or (SkyWalking, vendor IDs) a token of
    /// 8 to 96 bytes with a digit in it. Never an all-zero ID (W3C's "invalid").
    static func explicit(_ t: UnsafeBufferPointer<UInt8>) -> String? {
        guard t.count >= 8, t.count <= 96 else { return nil }
        var allHex = true, digit = false, nonZero = false
        for c in t {
            if !isHex(c) { allHex = false }
            if isDigit(c) { digit = true }
            if c != 0x30 && c != 0x2D && c != 0x2E { nonZero = true }
        }
        guard digit || allHex, nonZero else { return nil }
        if allHex { return t.count <= 32 ? normalizeID(bytes: t) : nil }
        return String(decoding: t, as: UTF8.self)
    }

    /// Hex of one of `lengths`, not all zero, normalised.
    static func hexID(_ t: UnsafeBufferPointer<UInt8>, lengths: [Int]) -> String? {
        guard lengths.contains(t.count), t.allSatisfy(isHex), t.contains(where: { $0 != 0x30 }) else { return nil }
        return normalizeID(bytes: t)
    }

    /// Datadog writes 64-bit IDs in decimal: the same ID as 16 hex digits (the low half of
    /// an OpenTelemetry 128-bit trace ID, which `LogCorrelation.sameTrace` matches).
    static func decimal64(_ t: UnsafeBufferPointer<UInt8>) -> String? {
        guard !t.isEmpty, t.count <= 20, t.allSatisfy(isDigit) else { return nil }
        var v: UInt64 = 0
        for c in t {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            guard !o1, !o2 else { return nil }
            v = s
        }
        guard v != 0 else { return nil }
        return hex16(v)
    }

    static func hex16(_ v: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0x30, count: 16)
        var x = v
        for i in (0..<16).reversed() { out[i] = digits[Int(x & 15)]; x >>= 4 }
        return String(decoding: out, as: UTF8.self)
    }

    /// An AWS X-Ray trace ID `1-5759e988-bd862e3fe1be46a994272793` (version, 8 hex digits of
    /// epoch seconds, 24 hex digits unique) as the 32-hex ID OpenTelemetry uses for it: the
    /// OpenTelemetry AWS X-Ray propagator joins epoch and unique part, so spans exported
    /// through OpenTelemetry carry `5759e988bd862e3fe1be46a994272793`.
    static func xrayTraceID(_ t: UnsafeBufferPointer<UInt8>) -> String? {
        guard t.count == 35, t[0] == 0x31, t[1] == 0x2D, t[10] == 0x2D else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        for i in 2..<35 where i != 10 {
            guard isHex(t[i]) else { return nil }
            out.append(t[i] >= 0x41 && t[i] <= 0x46 ? t[i] | 0x20 : t[i])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `Root=1-…;Parent=<16 hex>;Sampled=1` (and ALB's `Self=…;Root=…`).
    static func amznHeader(_ h: UnsafeBufferPointer<UInt8>) -> (trace: String, span: String?)? {
        var trace: String?, span: String?
        var i = 0
        while i < h.count {
            var e = i
            while e < h.count, h[e] != 0x3B { e += 1 }
            let part = UnsafeBufferPointer(rebasing: h[i..<e])
            if part.count > 5, part.hasPrefix("Root=") || part.hasPrefix("root=") {
                trace = xrayTraceID(UnsafeBufferPointer(rebasing: part[5...]))
            } else if part.count > 7, part.hasPrefix("Parent=") || part.hasPrefix("parent=") {
                span = hexID(UnsafeBufferPointer(rebasing: part[7...]), lengths: [16])
            }
            i = e + 1
        }
        guard let trace else { return nil }
        return (trace, span)
    }

    /// W3C `traceparent`: `00-<32 hex>-<16 hex>-<2 hex>`.
    static func traceparent(_ t: UnsafeBufferPointer<UInt8>) -> (trace: String, span: String?)? {
        guard t.count == 55, t[2] == 0x2D, t[35] == 0x2D, t[52] == 0x2D,
              let trace = hexID(UnsafeBufferPointer(rebasing: t[3..<35]), lengths: [32]) else { return nil }
        return (trace, hexID(UnsafeBufferPointer(rebasing: t[36..<52]), lengths: [16]))
    }

    /// A SkyWalking trace ID, kept as written: `a1b2c3.45.16000000000000001` (dotted parts of
    /// letters and digits). Not hex, so never folded.
    static func skyWalkingID(_ t: UnsafeBufferPointer<UInt8>) -> String? {
        guard t.count >= 10, t.count <= 96 else { return nil }
        var dots = 0, digit = false
        for c in t {
            if c == 0x2E { dots += 1 } else if isDigit(c) { digit = true } else if !isLetter(c) { return nil }
        }
        guard dots >= 2, digit else { return nil }
        return String(decoding: t, as: UTF8.self)
    }

    /// `SW_CTX:[service,instance,traceId,segmentId,span]`: the trace ID is the third part.
    static func swContext(_ b: UnsafeBufferPointer<UInt8>, at open: Int, into r: inout LogRecord) -> Int? {
        var parts: [Range<Int>] = []
        var i = open + 1, s = open + 1
        while i < b.count, i - open < 400, b[i] != 0x5D {
            if b[i] == 0x2C { parts.append(s..<i); s = i + 1 }
            i += 1
        }
        guard i < b.count, b[i] == 0x5D else { return nil }
        parts.append(s..<i)
        guard parts.count == 5 else { return nil }
        let t = UnsafeBufferPointer(rebasing: b[parts[2]])
        guard let id = explicit(t) ?? skyWalkingID(t) else { return nil }
        set(&r, trace: id, span: nil)
        return i + 1
    }

    /// Spring Sleuth / Micrometer brackets: `[app,trace,span]`, `[app,trace,span,export]`,
    /// `[trace,span]`, and Spring Boot 3.2's `[trace-span]`. Returns where the scan goes on
    /// when the bracket held IDs.
    static func bracket(_ b: UnsafeBufferPointer<UInt8>, at open: Int, into r: inout LogRecord) -> Int? {
        var close = open + 1
        var commas = 0, hexRun = 0, longestHex = 0
        while close < b.count, close - open <= 200 {
            let c = b[close]
            if c == 0x5D { break }
            if c == 0x5B || c == 0x3D { return nil }
            if c == 0x2C { commas += 1; if commas > 3 { return nil } }
            if isHex(c) { hexRun += 1; longestHex = max(longestHex, hexRun) } else { hexRun = 0 }
            close += 1
        }
        // Most brackets are thread names (`[main]`, `[http-nio-8080-exec-1]`): no 16-digit hex run.
        guard close < b.count, b[close] == 0x5D, longestHex >= 16 else { return nil }
        // Parts, trimmed of spaces.
        var parts: [UnsafeBufferPointer<UInt8>] = []
        var s = open + 1
        for i in (open + 1)...close where i == close || b[i] == 0x2C {
            var a = s, e = i
            while a < e, b[a] == 0x20 { a += 1 }
            while e > a, b[e - 1] == 0x20 { e -= 1 }
            parts.append(UnsafeBufferPointer(rebasing: b[a..<e]))
            s = i + 1
        }
        var trace: String?, span: String?
        switch parts.count {
        case 1:
            // `[trace-span]`
            let p = parts[0]
            guard p.count == 49 || p.count == 33, p[p.count - 17] == 0x2D else { return nil }
            trace = hexID(UnsafeBufferPointer(rebasing: p[0..<(p.count - 17)]), lengths: [16, 32])
            span = hexID(UnsafeBufferPointer(rebasing: p[(p.count - 16)...]), lengths: [16])
        case 2:
            trace = hexID(parts[0], lengths: [16, 32])
            span = hexID(parts[1], lengths: [16])
        default:
            trace = hexID(parts[1], lengths: [16, 32])
            span = hexID(parts[2], lengths: [16])
        }
        guard let trace, let span else { return nil }
        set(&r, trace: trace, span: span)
        return close + 1
    }

    // MARK: Structured fields

    /// The priority `JSONLinesFormat.classify` gives Datadog's keys, whose IDs are decimal.
    static let datadogKeyPriority: UInt8 = 3
    /// The priority of a bare `trace` / `span` key, whose value must be a hex ID.
    static let bareKeyPriority: UInt8 = 6

    /// Sets a record's IDs from the best trace and span fields of a JSON or logfmt record
    /// (raw value bytes and their `classify` priorities); without either, scans the message.
    static func structured(trace: UnsafeBufferPointer<UInt8>?, tracePriority: UInt8,
                           span: UnsafeBufferPointer<UInt8>?, spanPriority: UInt8,
                           message: UnsafeBufferPointer<UInt8>?, into r: inout LogRecord) {
        var spanFromTrace: String?
        if let trace, let (t, s) = structuredTrace(trace, datadog: tracePriority == datadogKeyPriority,
                                                   strict: tracePriority == bareKeyPriority) {
            r.traceID = t
            spanFromTrace = s
        }
        if let span {
            r.spanID = structuredSpan(span, datadog: spanPriority == datadogKeyPriority, strict: spanPriority == bareKeyPriority)
        }
        if r.spanID == nil { r.spanID = spanFromTrace }
        if r.traceID == nil, r.spanID == nil, let message { scan(message, into: &r) }
    }

    /// The trace ID in a JSON or logfmt value under a trace key (`datadog`: one of
    /// Datadog's keys, decimal; `strict`: a bare `trace`, only hex IDs). Also reads a
    /// W3C `traceparent` or an `X-Amzn-Trace-Id` value, whose span ID comes back too.
    static func structuredTrace(_ v: UnsafeBufferPointer<UInt8>, datadog: Bool = false, strict: Bool = false) -> (trace: String, span: String?)? {
        var a = 0, e = v.count
        while a < e, v[a] == 0x20 { a += 1 }
        while e > a, v[e - 1] == 0x20 { e -= 1 }
        let t = UnsafeBufferPointer(rebasing: v[a..<e])
        if let x = xrayTraceID(t) { return (x, nil) }
        if let p = traceparent(t) { return p }
        if t.contains(0x3B), let h = amznHeader(t) { return h }
        if strict { return hexID(t, lengths: [16, 32]).map { ($0, nil) } }
        if datadog, let d = decimal64(t) { return (d, nil) }
        guard let id = structuredID(t) else { return nil }
        return (id, nil)
    }

    /// A span ID in a JSON or logfmt value.
    static func structuredSpan(_ v: UnsafeBufferPointer<UInt8>, datadog: Bool = false, strict: Bool = false) -> String? {
        if strict { return hexID(v, lengths: [16]) }
        if datadog, let d = decimal64(v) { return d }
        return structuredID(v)
    }

    /// A structured field names its content: any value but an empty or placeholder one
    /// (`""`, `-`, `null`, `none`, `N/A`, all zeros) is the ID, as written.
    static func structuredID(_ t: UnsafeBufferPointer<UInt8>) -> String? {
        guard !t.isEmpty, t.count <= 256, t.contains(where: { $0 != 0x30 }) else { return nil }
        if t.count <= 4 {
            switch lowerWord(t) {
            case "-", "null", "none", "n/a", "nil", "0": return nil
            default: break
            }
        }
        return normalizeID(bytes: t)
    }
}

/// A trace ID as a user types it, in the form records carry: an X-Ray ID
/// (`1-5759e988-bd862e3f…`) becomes its 32-hex OpenTelemetry form; others are
/// normalised as IDs are (hex lower-cased, other text kept).
public func traceIDQuery(_ s: String) -> String {
    var bytes = Array(s.utf8)
    return bytes.withUnsafeMutableBufferPointer { b in
        TraceContext.xrayTraceID(UnsafeBufferPointer(b)) ?? normalizeID(s)
    }
}
