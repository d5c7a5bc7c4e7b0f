/// NCSA common and combined access logs, as Apache httpd and nginx write them:
/// `host ident user [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326 "referer" "agent"`,
/// with any further quoted or bare fields (request time, upstream) kept as fields.
///
/// The level follows the status: 5xx error, 4xx warn, others info. The message is the
/// request line, status and size.
public struct AccessLogFormat: LineFormat {
    public var name: String { "access" }
    public init() {}

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { parses(line) }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        let n = line.count
        var i = 0
        func word() -> Range<Int>? {
            let s = i
            while i < n, line[i] != 0x20 { i += 1 }
            guard i > s, i < n else { return nil }
            let w = s..<i
            i += 1
            return w
        }
        guard let host = word(), let ident = word(), let user = word() else { return .skip("not an access log line") }
        _ = ident
        guard i < n, line[i] == 0x5B else { return .skip("no [time] in the access log line") }
        guard let (t, used) = context.time.parseAccess(UnsafeBufferPointer(rebasing: line[(i + 1)...])) else {
            return .skip("bad access log time")
        }
        i += 1 + used
        guard i + 2 < n, line[i] == 0x5D, line[i + 1] == 0x20, line[i + 2] == 0x22 else { return .skip("bad access log time") }
        r.timestamp = t
        i += 3
        let rs = i
        while i < n {
            if line[i] == 0x5C { i += 2; continue }
            if line[i] == 0x22 { break }
            i += 1
        }
        guard i < n else { return .skip("unclosed request in the access log line") }
        let request = rs..<i
        i += 2
        guard i <= n else { return .skip("no status in the access log line") }
        let ss = i
        while i < n, line[i] >= 48, line[i] <= 57 { i += 1 }
        guard i - ss == 3 else { return .skip("bad status in the access log line") }
        let status = Int(line[ss] - 48) * 100 + Int(line[ss + 1] - 48) * 10 + Int(line[ss + 2] - 48)
        r.level = status >= 500 ? .error : status >= 400 ? .warn : .info
        var size = i..<i
        if i < n, line[i] == 0x20 {
            i += 1
            let bs = i
            while i < n, line[i] != 0x20 { i += 1 }
            size = bs..<i
        }
        let needs = context.needs
        if needs.contains(.message) {
            r.message = line.string(request) + " " + line.string(ss..<(ss + 3)) + (size.isEmpty ? "" : " " + line.string(size))
        }
        if needs.contains(.service) { r.service = context.fallbackService }
        if needs.contains(.fields) {
            var f: [LogRecord.Field] = [LogRecord.Field("client", line.string(host))]
            let u = line.string(user)
            if u != "-" { f.append(LogRecord.Field("user", u)) }
            let parts = line.string(request).split(separator: " ", maxSplits: 2)
            if parts.count >= 2 {
                f.append(LogRecord.Field("method", String(parts[0])))
                f.append(LogRecord.Field("path", String(parts[1])))
                if parts.count == 3 { f.append(LogRecord.Field("protocol", String(parts[2]))) }
            }
            f.append(LogRecord.Field("status", String(status)))
            if !size.isEmpty { f.append(LogRecord.Field("bytes", line.string(size))) }
            // Quoted extras: referer, user agent, then anything else.
            var names = ["referer", "user_agent"]
            var extra = 0
            while i < n {
                while i < n, line[i] == 0x20 { i += 1 }
                guard i < n else { break }
                let v: Range<Int>
                if line[i] == 0x22 {
                    i += 1
                    let s = i
                    while i < n, line[i] != 0x22 { if line[i] == 0x5C { i += 1 }; i += 1 }
                    v = s..<min(i, n)
                    i += 1
                } else {
                    let s = i
                    while i < n, line[i] != 0x20 { i += 1 }
                    v = s..<i
                }
                let name = names.isEmpty ? "field\(extra)" : names.removeFirst()
                extra += 1
                let value = line.string(v)
                if value != "-" { f.append(LogRecord.Field(name, value)) }
            }
            r.fields = f
        }
        return .record
    }
}
