/// Jaeger JSON: a UI download (`{"traceID", "spans", "processes"}`), a list of them, or
/// the query API's `{"data": [traces]}` — also several such documents one after another.
/// Times in microseconds; `references` give CHILD_OF parents and FOLLOWS_FROM links;
/// an `error=true` tag (or `otel.status_code=ERROR`) marks an error.
///
/// Read straight from the bytes with `JSONScanner`, without a tree: Jaeger exports are
/// the largest span dumps people have (hundreds of MB), and only a span's own fields
/// become `String`s. With `.summary` detail, span logs are skipped and only the tags
/// that analysis uses are kept.
enum JaegerFormat {
    /// Tags kept in `.summary` detail: the ones errors, kinds, peers and HTTP status come from.
    static let summaryTags: [[UInt8]] = ["error", "http.status_code", "http.response.status_code", "peer.service", "db.system",
        "db.name", "server.address", "net.peer.name", "otel.status_code", "otel.status_description", "span.kind",
        "http.method", "http.route"].map { Array($0.utf8) }

    /// The tags that set a span's kind and status, read even at `.minimal` detail.
    static func isStatusTag(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            key.count == s.utf8CodeUnitCount && memcmp(key.baseAddress!, s.utf8Start, key.count) == 0
        }
        switch key.count {
        case 5: return eq("error")
        case 9: return eq("span.kind")
        case 16: return eq("otel.status_code")
        case 23: return eq("otel.status_description")
        default: return false
        }
    }

    static func keepInSummary(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let f = key.first, f == 0x65 || f == 0x68 || f == 0x70 || f == 0x64 || f == 0x73 || f == 0x6F || f == 0x6E else { return false }
        if key.starts(with: "error.".utf8) || key.starts(with: "exception.".utf8) { return true }
        for t in summaryTags where t.count == key.count && t.elementsEqual(key) { return true }
        return false
    }

    struct Builder {
        var span = Span(traceID: "", spanID: "")
        var processID: String?
        var hasTrace = false, hasID = false, hasStart = false
    }

    /// Reads every trace in `bytes` (a file mapped in memory, or read into an array).
    static func read(_ bytes: UnsafeRawBufferPointer, path: String, detail: SpanDetail, lines: LineIndex,
                     into out: inout [Span], bad: inout [Issue], issues: inout [Issue]) {
        // Large exports: read on every core, each core from a trace boundary guessed in
        // its share of the file. The guess is checked: each part must end exactly where
        // the next began; otherwise the file is read again from the start, in one pass.
        if bytes.count > 8 << 20, let parallel = readInParts(bytes, path: path, detail: detail, lines: lines) {
            out.append(contentsOf: parallel.spans)
            bad.append(contentsOf: parallel.bad)
            return
        }
        do {
            let raw = bytes
            var s = JSONScanner(raw)
            var interner = Interner()
            while true {
                s.skipWhitespace()
                if s.atEnd { break }
                let start = s.pos
                if !value(&s, path: path, detail: detail, lines: lines, interner: &interner, into: &out, bad: &bad) {
                    issues.append(Issue(line: lines.line(at: min(s.pos, bytes.count)), reason: s.atEnd ? "JSON ends early (file cut off?)" : "JSON cut off or malformed here; spans before this point are kept"))
                    break
                }
                if s.pos == start { break }
            }
        }
    }

    /// Where the first trace of `{"data": [...]}` or `[...]` begins.
    static func firstTraceOffset(_ s: inout JSONScanner) -> Int? {
        s.skipWhitespace()
        if s.consume(0x5B) { s.skipWhitespace(); return s.peek() == 0x7B ? s.pos : nil }
        var at: Int?
        _ = s.forEachMember { sc, key in
            if sc.equals(key, "data") {
                if sc.consume(0x5B) { sc.skipWhitespace(); if sc.peek() == 0x7B { at = sc.pos } }
                return false
            }
            return sc.skipValue() != nil
        }
        return at
    }

    /// A likely start of a trace object at or after `from`: `{"traceID"` after a comma.
    static func guessBoundary(_ b: UnsafeRawBufferPointer, from: Int) -> Int? {
        let needle = Array("\"traceID\"".utf8)
        var i = from
        let base = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while i + needle.count < b.count {
            guard let p = memchr(base + i, 0x22, b.count - i) else { return nil }
            let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if at + needle.count <= b.count, memcmp(base + at, needle, needle.count) == 0 {
                var k = at - 1
                while k > 0, base[k] == 0x20 || base[k] == 0x0A || base[k] == 0x0D || base[k] == 0x09 { k -= 1 }
                if k > 0, base[k] == 0x7B {
                    var c = k - 1
                    while c > 0, base[c] == 0x20 || base[c] == 0x0A || base[c] == 0x0D || base[c] == 0x09 { c -= 1 }
                    // A trace, not a span (spans start with "traceID" too): "spans" follows the ID.
                    if base[c] == 0x2C {
                        var s = JSONScanner(UnsafeRawBufferPointer(rebasing: b[(at + needle.count)...]))
                        if s.consume(0x3A), { s.skipWhitespace(); return s.scanString() != nil }(), s.consume(0x2C) {
                            s.skipWhitespace()
                            if let key = s.scanString(), s.equals(key.range, "spans") { return k }
                        }
                    }
                }
            }
            i = at + 1
        }
        return nil
    }

    static func readInParts(_ bytes: UnsafeRawBufferPointer, path: String, detail: SpanDetail, lines: LineIndex) -> (spans: [Span], bad: [Issue])? {
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard parts > 1 else { return nil }
        let starts: [Int]? = { (raw: UnsafeRawBufferPointer) -> [Int]? in
            var s = JSONScanner(raw)
            guard let first = firstTraceOffset(&s) else { return nil }
            var starts = [first]
            for k in 1..<parts {
                guard let b = guessBoundary(raw, from: max(starts[k - 1] + 1, bytes.count * k / parts)) else { break }
                starts.append(b)
            }
            return starts
        }(bytes)
        guard let starts, starts.count > 1 else { return nil }
        let shared = SharedBytes(raw: bytes)
        struct Part: Sendable { var spans: [Span] = []; var bad: [Issue] = []; var endedAt = -1; var closed = false }
        let box = ResultBox<Part>(count: starts.count)
        DispatchQueue.concurrentPerform(iterations: starts.count) { k in
            var part = Part()
            let stop = k + 1 < starts.count ? starts[k + 1] : Int.max
            var interner = Interner()
            // Strings of its own for each part: spans shared between cores would make their
            // reference counts bounce between caches.
            let path = String(decoding: Array(path.utf8), as: UTF8.self)
            func run() {
                var s = JSONScanner(shared.raw)
                s.pos = starts[k]
                while true {
                    guard trace(&s, path: path, detail: detail, lines: lines, interner: &interner, into: &part.spans, bad: &part.bad) else { return }
                    s.skipWhitespace()
                    if s.consume(0x2C) {
                        s.skipWhitespace()
                        if s.pos >= stop { part.endedAt = s.pos; return }
                        continue
                    }
                    if s.consume(0x5D) { part.closed = true; part.endedAt = s.pos }
                    return
                }
            }
            run()
            box.set(k, part)
        }
        var results = box.take()
        guard results.count == starts.count else { return nil }
        for k in results.indices {
            let last = k == results.count - 1
            if last ? !results[k].closed : results[k].endedAt != starts[k + 1] { return nil }
        }
        var chunks: [[Span]] = []
        for k in results.indices {
            chunks.append(results[k].spans)
            results[k].spans = []
        }
        return (moveConcatenating(&chunks), results.flatMap(\.bad))
    }

    /// A top-level value: `{"data": [...]}`, an array of traces, or one trace.
    static func value(_ s: inout JSONScanner, path: String, detail: SpanDetail, lines: LineIndex, interner: inout Interner,
                      into out: inout [Span], bad: inout [Issue]) -> Bool {
        s.skipWhitespace()
        if s.peek() == 0x5B { return traces(&s, path: path, detail: detail, lines: lines, interner: &interner, into: &out, bad: &bad) }
        // Peek at the object's members: `data` holds traces; otherwise the object is a trace.
        let save = s.pos
        var isEnvelope = false
        var probe = s
        _ = probe.forEachMember { sc, key in
            if sc.equals(key, "data") { isEnvelope = true; return false }
            if sc.equals(key, "spans") || sc.equals(key, "traceID") { return false }
            return sc.skipValue() != nil
        }
        s.pos = save
        if !isEnvelope { return trace(&s, path: path, detail: detail, lines: lines, interner: &interner, into: &out, bad: &bad) }
        var ok = true
        let parsed = s.forEachMember { sc, key in
            if sc.equals(key, "data"), sc.peek() == 0x5B {
                ok = traces(&sc, path: path, detail: detail, lines: lines, interner: &interner, into: &out, bad: &bad)
                return ok
            }
            return sc.skipValue() != nil
        }
        return parsed && ok
    }

    static func traces(_ s: inout JSONScanner, path: String, detail: SpanDetail, lines: LineIndex, interner: inout Interner,
                       into out: inout [Span], bad: inout [Issue]) -> Bool {
        guard s.consume(0x5B) else { return false }
        s.skipWhitespace()
        if s.consume(0x5D) { return true }
        while true {
            guard trace(&s, path: path, detail: detail, lines: lines, interner: &interner, into: &out, bad: &bad) else { return false }
            s.skipWhitespace()
            if s.consume(0x2C) { continue }
            return s.consume(0x5D)
        }
    }

    static func str(_ s: inout JSONScanner) -> String? {
        guard let r = s.scanString() else { return nil }
        return s.string(r.range, escaped: r.escaped)
    }

    /// One trace object; its spans are appended once its processes are known.
    static func trace(_ s: inout JSONScanner, path: String, detail: SpanDetail, lines: LineIndex, interner: inout Interner,
                      into out: inout [Span], bad: inout [Issue]) -> Bool {
        var traceID: String?
        var processes: [String: String] = [:]
        var processTags: [String: [LogRecord.Field]] = [:]
        var spans: [Builder] = []
        let first = out.count
        let ok = s.forEachMember { sc, key in
            if sc.equals(key, "traceID") {
                guard let v = str(&sc) else { return sc.skipValue() != nil }
                traceID = v
            } else if sc.equals(key, "spans") {
                guard sc.consume(0x5B) else { return sc.skipValue() != nil }
                sc.skipWhitespace()
                if sc.consume(0x5D) { return true }
                while true {
                    sc.skipWhitespace()
                    let at = sc.pos
                    var b = Builder()
                    guard span(&sc, &b, detail: detail, interner: &interner) else {
                        bad.append(Issue(line: lines.line(at: at), reason: "span cut off or malformed"))
                        return false
                    }
                    b.span.location = SourceLocation(path: path, line: lines.line(at: at))
                    if !b.hasID || !(b.hasTrace || traceID != nil) {
                        bad.append(Issue(line: b.span.location.line, reason: "span without traceID or spanID"))
                    } else if !b.hasStart {
                        bad.append(Issue(line: b.span.location.line, reason: "span without startTime"))
                    } else {
                        spans.append(b)
                    }
                    sc.skipWhitespace()
                    if sc.consume(0x2C) { continue }
                    return sc.consume(0x5D)
                }
            } else if sc.equals(key, "processes") {
                return sc.forEachMember { ps, pid in
                    let id = ps.string(pid, escaped: false)
                    return ps.forEachMember { p, k in
                        if p.equals(k, "serviceName"), let name = str(&p) { processes[id] = interner.intern(name); return true }
                        if detail == .full, p.equals(k, "tags") {
                            var tb = Builder()
                            guard tags(&p, &tb, detail: .full) else { return false }
                            if !tb.span.attributes.isEmpty { processTags[id] = tb.span.attributes }
                            return true
                        }
                        return p.skipValue() != nil
                    }
                }
            } else {
                return sc.skipValue() != nil
            }
            return true
        }
        let tid = traceID.map { interner.intern(normalizeID($0)) }
        for k in spans.indices {
            // Moved, not copied (see TraceAssembler).
            var span = Span.placeholder
            swap(&span, &spans[k].span)
            if !spans[k].hasTrace, let tid { span.traceID = tid }
            if span.service == "unknown", let pid = spans[k].processID, let name = processes[pid] { span.service = name }
            if span.resource.isEmpty, let pid = spans[k].processID, let tags = processTags[pid] { span.resource = tags }
            if span.parentID == nil, let i = span.links.firstIndex(where: { $0.type == .childOf && $0.traceID == span.traceID }) {
                span.parentID = span.links[i].spanID
                span.links.remove(at: i)
            }
            out.append(span)
        }
        _ = first
        return ok
    }

    /// One span object.
    static func span(_ s: inout JSONScanner, _ b: inout Builder, detail: SpanDetail, interner: inout Interner) -> Bool {
        s.forEachMember { sc, key in
            switch key.count {
            case 6 where sc.equals(key, "spanID"):
                guard let r = sc.scanString() else { return false }
                b.span.spanID = idString(sc.bytes(r.range)); b.hasID = true
            case 7 where sc.equals(key, "traceID"):
                guard let r = sc.scanString() else { return false }
                b.span.traceID = interner.id(sc.bytes(r.range)); b.hasTrace = true
            case 13 where sc.equals(key, "operationName"):
                guard let r = sc.scanString() else { return false }
                b.span.operation = r.escaped ? interner.intern(sc.string(r.range, escaped: true)) : interner.intern(bytes: sc.bytes(r.range))
            case 9 where sc.equals(key, "startTime"):
                guard let r = sc.skipValue(), let v = JSONScanner.parseInteger(sc.bytes(r)) else { return false }
                b.span.start = Timestamp(nanos: Timestamp.nanos(micros: v) ?? .max, precision: 6); b.hasStart = true
            case 8 where sc.equals(key, "duration"):
                guard let r = sc.skipValue() else { return false }
                let v = JSONScanner.parseInteger(sc.bytes(r)) ?? 0
                b.span.durationNanos = Timestamp.nanos(micros: max(0, v)) ?? .max
            case 9 where sc.equals(key, "processID"):
                guard let v = str(&sc) else { return false }
                b.processID = v
            case 7 where sc.equals(key, "process"):
                guard sc.peek() == 0x7B else { return sc.skipValue() != nil }
                return sc.forEachMember { p, k in
                    if p.equals(k, "serviceName"), let name = str(&p) { b.span.service = interner.intern(name); return true }
                    if detail == .full, p.equals(k, "tags") {
                        var tb = Builder()
                        guard tags(&p, &tb, detail: .full) else { return false }
                        b.span.resource = tb.span.attributes
                        return true
                    }
                    return p.skipValue() != nil
                }
            case 12 where sc.equals(key, "parentSpanID"):
                guard let v = str(&sc) else { return sc.skipValue() != nil }
                if !v.isEmpty && v != "0" && b.span.parentID == nil { b.span.parentID = normalizeID(v) }
            case 10 where sc.equals(key, "references"):
                guard sc.consume(0x5B) else { return sc.skipValue() != nil }
                sc.skipWhitespace()
                if sc.consume(0x5D) { return true }
                while true {
                    var type = Span.Reference.RefType.childOf
                    var tid: String?, sid: String?
                    guard sc.forEachMember({ r, k in
                        if r.equals(k, "refType") {
                            guard let v = r.scanString() else { return false }
                            type = r.equals(v.range, "FOLLOWS_FROM") ? .followsFrom : .childOf
                            return true
                        }
                        if r.equals(k, "traceID") { guard let v = r.scanString() else { return false }; tid = interner.id(r.bytes(v.range)); return true }
                        if r.equals(k, "spanID") { guard let v = r.scanString() else { return false }; sid = idString(r.bytes(v.range)); return true }
                        return r.skipValue() != nil
                    }) else { return false }
                    if let sid {
                        if type == .childOf, b.span.parentID == nil, tid == nil || !b.hasTrace || tid == b.span.traceID {
                            // The usual case, without allocating a list of links for every span.
                            b.span.parentID = sid
                            if let tid, !b.hasTrace { b.span.traceID = tid; b.hasTrace = true }
                        } else {
                            b.span.links.append(Span.Reference(type: type, traceID: tid ?? b.span.traceID, spanID: sid))
                        }
                    }
                    sc.skipWhitespace()
                    if sc.consume(0x2C) { continue }
                    return sc.consume(0x5D)
                }
            case 4 where sc.equals(key, "tags"):
                return tags(&sc, &b, detail: detail)
            case 4 where sc.equals(key, "logs"):
                if detail == .summary { return sc.skipValue() != nil }
                return logs(&sc, &b)
            default:
                return sc.skipValue() != nil
            }
            return true
        }
    }

    static func tags(_ s: inout JSONScanner, _ b: inout Builder, detail: SpanDetail) -> Bool {
        guard s.consume(0x5B) else { return s.skipValue() != nil }
        s.skipWhitespace()
        if s.consume(0x5D) { return true }
        while true {
            var keyRange: Range<Int>?
            var keyEscaped = false
            // The value is kept as a range: most tags are dropped below summary detail.
            var valueRange: Range<Int>?
            var valueIsString = false, valueEscaped = false
            guard s.forEachMember({ t, k in
                if t.equals(k, "key") {
                    guard let r = t.scanString() else { return false }
                    keyRange = r.range; keyEscaped = r.escaped
                    return true
                }
                if t.equals(k, "value") {
                    t.skipWhitespace()
                    if t.peek() == 0x22 {
                        guard let r = t.scanString() else { return false }
                        valueRange = r.range; valueIsString = true; valueEscaped = r.escaped
                    } else {
                        guard let r = t.skipValue() else { return false }
                        valueRange = r
                    }
                    return true
                }
                return t.skipValue() != nil
            }) else { return false }
            if let kr = keyRange, let vr = valueRange {
                let kb = s.bytes(kr)
                if detail == .full || (detail == .summary && keepInSummary(kb)) || (detail == .minimal && isStatusTag(kb)) {
                    let v = valueIsString ? s.string(vr, escaped: valueEscaped) : String(decoding: s.bytes(vr), as: UTF8.self)
                    let key = s.string(kr, escaped: keyEscaped)
                    switch key {
                    case "span.kind": b.span.kind = Span.Kind(rawValue: v.lowercased()) ?? .unspecified
                    case "error": if v == "true" { b.span.status = .error }
                    case "otel.status_code":
                        if v == "ERROR" { b.span.status = .error } else if v == "OK" && b.span.status != .error { b.span.status = .ok }
                    case "otel.status_description": b.span.statusMessage = v
                    case "otel.scope.name", "otel.library.name": b.span.scopeName = v
                    case "otel.scope.version", "otel.library.version": b.span.scopeVersion = v
                    default: break
                    }
                    if detail != .minimal {
                        // Types from the JSON value (Jaeger's own `type` member says the same).
                        var type = LogRecord.Field.ValueType.string
                        if !valueIsString, let c = s.bytes(vr).first {
                            if c == 0x74 || c == 0x66 { type = .bool }
                            else if c == 0x2D || (c >= 0x30 && c <= 0x39) { type = Int64(v) != nil ? .int : .double }
                        }
                        b.span.attributes.append(LogRecord.Field(key, v, type: type))
                    }
                }
            }
            s.skipWhitespace()
            if s.consume(0x2C) { continue }
            return s.consume(0x5D)
        }
    }

    static func logs(_ s: inout JSONScanner, _ b: inout Builder) -> Bool {
        guard s.consume(0x5B) else { return s.skipValue() != nil }
        s.skipWhitespace()
        if s.consume(0x5D) { return true }
        while true {
            var ts: Int64?
            var fields: [LogRecord.Field] = []
            guard s.forEachMember({ l, k in
                if l.equals(k, "timestamp") {
                    guard let r = l.skipValue() else { return false }
                    ts = JSONScanner.parseInteger(l.bytes(r))
                    return true
                }
                if l.equals(k, "fields") {
                    var builder = Builder()
                    guard tags(&l, &builder, detail: .full) else { return false }
                    fields = builder.span.attributes
                    return true
                }
                return l.skipValue() != nil
            }) else { return false }
            let name = fields.first(where: { $0.key == "event" || $0.key == "message" })?.value ?? "log"
            b.span.events.append(Span.Event(time: Timestamp(nanos: ts.flatMap { Timestamp.nanos(micros: $0) } ?? b.span.start.nanos, precision: 6), name: name, attributes: fields))
            s.skipWhitespace()
            if s.consume(0x2C) { continue }
            return s.consume(0x5D)
        }
    }
}

/// An ID from its bytes: lowercase hex as it is (the common case, no copy), else normalised.
@inline(__always)
func idString(_ b: UnsafeBufferPointer<UInt8>) -> String {
    var plain = b.count != 32
    if !plain {
        plain = false
        for i in 0..<16 where b[i] != 0x30 { plain = true; break }
    }
    if plain {
        for c in b where !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) { plain = false; break }
    }
    return plain ? String(decoding: b, as: UTF8.self) : normalizeID(bytes: b)
}

/// Joins arrays of spans by moving their elements (no reference-count traffic).
func moveConcatenating(_ parts: inout [[Span]]) -> [Span] {
    var out: [Span] = []
    out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
    for p in parts.indices {
        var part = parts[p]
        parts[p] = []  // now `part` holds the only reference: swaps do not copy it
        for i in part.indices {
            var s = Span.placeholder
            swap(&s, &part[i])
            out.append(s)
        }
    }
    return out
}

/// How much of each span to keep: everything; what analysis uses (no span logs; only
/// error, kind, peer and HTTP tags); or what a trace listing uses (kind and status, no tags).
/// Only the Jaeger reader, made for the largest dumps, reads less; the others keep everything.
public enum SpanDetail: Sendable, Equatable { case full, summary, minimal }

/// Bytes that worker threads only read.
struct SharedBytes: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
}

/// Line numbers for byte offsets, from an index of line starts built once.
public struct LineIndex: Sendable {
    let starts: [Int]
    let firstLine: Int

    public init(_ bytes: UnsafeRawBufferPointer, firstLine: Int = 1) {
        self.firstLine = firstLine
        let b = bytes.bindMemory(to: UInt8.self)
        guard let base = b.baseAddress else { starts = [0]; return }
        // Newlines found in slices on every core (a 100 MB dump takes a while on one).
        let parts = b.count > 16 << 20 ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        let box = ResultBox<[Int]>(count: parts)
        let shared = SharedBytes(raw: bytes)
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let base = shared.raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let lo = shared.raw.count * k / parts, hi = shared.raw.count * (k + 1) / parts
            var found: [Int] = []
            var i = lo
            while i < hi, let p = memchr(base + i, 0x0A, hi - i) {
                let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                found.append(at + 1)
                i = at + 1
            }
            box.set(k, found)
        }
        _ = base
        starts = [0] + box.take().flatMap { $0 }
    }

    public func line(at offset: Int) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return firstLine + lo
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
