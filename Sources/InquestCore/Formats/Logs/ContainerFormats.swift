/// Parses the line a container runtime wrapped: JSON, logfmt, a timestamped text
/// line, or bare text. The runtime's own time is used when the line has none.
func parseInner(_ inner: UnsafeBufferPointer<UInt8>, outerTime: Timestamp?, stream: String?,
                into r: inout LogRecord, context: inout ParseContext) -> LineResult {
    var result: LineResult = .skip("")
    if inner.first == 0x7B {
        var probe = r
        result = JSONLinesFormat().parse(inner, into: &probe, context: &context)
        if result == .record { r = probe }
    }
    if result != .record, LogfmtFormat().accepts(inner) {
        result = LogfmtFormat().parse(inner, into: &r, context: &context)
    }
    if result != .record {
        result = PlainTextFormat().parse(inner, into: &r, context: &context)
        if result != .record {
            // A level word among the first tokens (`05:18:42.995 INFO  - …`), else guessed from words.
            r.level = leadingLevel(inner) ?? inferLevel(inner)
            if context.needs.contains(.message) { r.message = String(decoding: inner, as: UTF8.self) }
            if context.needs.contains(.service) { r.service = context.fallbackService }
            if context.needs.contains(.trace) { extractIDs(inner, into: &r) }
            result = .record
        }
    }
    if r.timestamp == nil { r.timestamp = outerTime }
    if let stream, context.needs.contains(.fields) { r.fields.append(LogRecord.Field("stream", stream)) }
    return result
}

/// Docker's json-file driver: `{"log":"line\n","stream":"stdout","time":"…"}`.
/// The inner line is unwrapped and parsed; lines Docker split at 16 KiB (no trailing
/// newline in `log`) are joined with the next part.
public struct DockerJSONFormat: LineFormat {
    public var name: String { "docker-json" }
    public init() {}

    func fields(_ line: UnsafeBufferPointer<UInt8>) -> (log: String, stream: String, time: Range<Int>?, s: JSONScanner)? {
        var s = JSONScanner(UnsafeRawBufferPointer(line))
        var log: String?
        var stream = ""
        var time: Range<Int>?
        let ok = s.forEachMember { sc, key in
            if sc.equals(key, "log") {
                guard let v = sc.scanString() else { return false }
                log = sc.string(v.range, escaped: v.escaped)
            } else if sc.equals(key, "stream") {
                guard let v = sc.scanString() else { return false }
                stream = sc.string(v.range, escaped: false)
            } else if sc.equals(key, "time") {
                guard let v = sc.scanString() else { return false }
                time = v.range
            } else {
                return sc.skipValue() != nil
            }
            return true
        }
        guard ok, let log else { return nil }
        return (log, stream, time, s)
    }

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let f = fields(line) else { return false }
        return f.time != nil && !f.stream.isEmpty
    }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        guard let f = fields(line) else { return .skip("not a Docker json-file record") }
        var text = f.log
        if !text.hasSuffix("\n") {
            context.partial.append(contentsOf: text.utf8)
            if context.partial.count > 16 << 20 { context.partial.removeAll(); return .skip("partial line longer than 16 MiB") }
            return .ignored
        }
        text.removeLast()
        if text.hasSuffix("\r") { text.removeLast() }
        var bytes = context.partial
        context.partial.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: text.utf8)
        let outer = f.time.flatMap { context.time.parse(f.s.bytes($0))?.0 }
        return bytes.withUnsafeBufferPointer { parseInner($0, outerTime: outer, stream: f.stream, into: &r, context: &context) }
    }
}

/// The CRI format (containerd, CRI-O; `/var/log/pods`): `TIME STREAM F|P LINE`.
/// `P` marks a partial line joined with the following parts.
public struct CRIFormat: LineFormat {
    public var name: String { "cri" }
    public init() {}

    func split(_ line: UnsafeBufferPointer<UInt8>, _ time: TimestampParser) -> (Timestamp, String, Bool, Int)? {
        guard let (t, used) = time.parseISO(line), used < line.count, line[used] == 0x20 else { return nil }
        var i = used + 1
        let ss = i
        while i < line.count, line[i] != 0x20 { i += 1 }
        let stream = line.string(ss..<i)
        guard stream == "stdout" || stream == "stderr", i + 2 <= line.count else { return nil }
        i += 1
        guard line[i] == 0x46 || line[i] == 0x50 else { return nil }
        let partial = line[i] == 0x50
        i += 1
        if i < line.count { guard line[i] == 0x20 else { return nil }; i += 1 }
        return (t, stream, partial, i)
    }

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { split(line, TimestampParser()) != nil }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        guard let (t, stream, partial, at) = split(line, context.time) else { return .skip("not a CRI log line") }
        let content = UnsafeBufferPointer(rebasing: line[at...])
        if partial {
            context.partial.append(contentsOf: content)
            if context.partial.count > 16 << 20 { context.partial.removeAll(); return .skip("partial line longer than 16 MiB") }
            return .ignored
        }
        if context.partial.isEmpty {
            return parseInner(content, outerTime: t, stream: stream, into: &r, context: &context)
        }
        var bytes = context.partial
        context.partial.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: content)
        return bytes.withUnsafeBufferPointer { parseInner($0, outerTime: t, stream: stream, into: &r, context: &context) }
    }
}

/// A level word (`INFO`, `warn`, `E`…) among the first four tokens of a line that has no
/// timestamp Inquest reads, as a time-of-day prefix (`05:18:42.995 INFO  - …`) leaves it.
func leadingLevel(_ line: UnsafeBufferPointer<UInt8>) -> Level? {
    var level: Level?
    let head = UnsafeBufferPointer(rebasing: line[0..<min(line.count, 80)])
    PlainTextFormat.forEachField(head, from: 0, count: 4) { _, f in
        guard f.count >= 4, f.count <= 8, let l = Level(bytes: UnsafeBufferPointer(rebasing: head[f])), l != .unknown else { return true }
        level = l
        return false
    }
    return level
}
