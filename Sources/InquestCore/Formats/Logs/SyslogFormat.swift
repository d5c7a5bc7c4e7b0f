/// Syslog as files hold it: RFC 3164 (`Nov  3 09:23:38 host tag[pid]: message`, with
/// or without `<PRI>`, also with an RFC 3339 timestamp as rsyslog writes it) and
/// RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`).
///
/// RFC 3164 has no year: it is taken from the context (the file's modification year)
/// and rolled forward when the month goes back (December to January). Lines that
/// start with white space continue the previous record. Without a priority, the level
/// is guessed from the message words.
public struct SyslogFormat: LineFormat {
    public var name: String { "syslog" }
    public init() {}

    public func accepts(_ line: UnsafeBufferPointer<UInt8>) -> Bool { parses(line) }

    public func parse(_ line: UnsafeBufferPointer<UInt8>, into r: inout LogRecord, context: inout ParseContext) -> LineResult {
        if line.isBlank() { return .ignored }
        if line[0] == 0x20 || line[0] == 0x09 { return .continuation }
        var i = 0
        var pri: Int?
        if line[0] == 0x3C {
            var v = 0
            var j = 1
            while j < line.count, j < 5, line[j] >= 48, line[j] <= 57 { v = v * 10 + Int(line[j] - 48); j += 1 }
            guard j < line.count, line[j] == 0x3E, j > 1, v <= 191 else { return .skip("bad syslog priority") }
            pri = v
            i = j + 1
        }
        let rest = UnsafeBufferPointer(rebasing: line[i...])
        var host = 0..<0, app = 0..<0, msgStart = 0
        var proc: Range<Int>?
        if pri != nil, rest.count > 2, rest[0] >= 0x31, rest[0] <= 0x39, rest[1] == 0x20 {
            // RFC 5424.
            var fieldsAt: [Range<Int>] = []
            var k = 2
            for _ in 0..<5 {
                let s = k
                while k < rest.count, rest[k] != 0x20 { k += 1 }
                fieldsAt.append(s..<k)
                k += 1
            }
            guard fieldsAt.count == 5, k <= rest.count + 1 else { return .skip("RFC 5424 header cut short") }
            let tsb = UnsafeBufferPointer(rebasing: rest[fieldsAt[0]])
            if !(tsb.count == 1 && tsb[0] == 0x2D) {
                guard let (t, _) = context.time.parseISO(tsb) else { return .skip("bad RFC 5424 timestamp") }
                r.timestamp = t
            }
            host = fieldsAt[1]; app = fieldsAt[2]; proc = fieldsAt[3]
            // Structured data: "-" or [..]...
            var m = min(k, rest.count)
            if m < rest.count, rest[m] == 0x5B {
                var inQuote = false
                while m < rest.count {
                    let c = rest[m]
                    if c == 0x5C { m += 2; continue }
                    if c == 0x22 { inQuote.toggle() }
                    if !inQuote && c == 0x5D && (m + 1 >= rest.count || rest[m + 1] != 0x5B) { m += 1; break }
                    m += 1
                }
                if needs(context, .fields) && m <= rest.count {
                    r.fields.append(LogRecord.Field("structured_data", rest.string((min(k, rest.count))..<min(m, rest.count))))
                }
            } else if m < rest.count, rest[m] == 0x2D { m += 1 }
            if m < rest.count, rest[m] == 0x20 { m += 1 }
            msgStart = min(m, rest.count)
            // Drop a UTF-8 BOM before the message.
            if msgStart + 3 <= rest.count, rest[msgStart] == 0xEF, rest[msgStart + 1] == 0xBB, rest[msgStart + 2] == 0xBF { msgStart += 3 }
        } else {
            // RFC 3164.
            var k: Int
            if let (t, used, month) = context.time.parseSyslog(rest, year: context.syslogYear) {
                var ts = t
                // A first record after the file was last written (a day's slack for time
                // zones) is from the year before: Dec lines in a file closed in January.
                if context.lastSyslogMonth == 0, let limit = context.syslogNotAfter, t.nanos > limit.nanos &+ 86_400_000_000_000 {
                    context.syslogYear -= 1
                    if let again = context.time.parseSyslog(rest, year: context.syslogYear) { ts = again.0 }
                }
                // The month went back by more than half a year: a new year began.
                if context.lastSyslogMonth > month + 6 {
                    context.syslogYear += 1
                    if let again = context.time.parseSyslog(rest, year: context.syslogYear) { ts = again.0 }
                }
                context.lastSyslogMonth = month
                context.yearUsed = true
                r.timestamp = ts
                k = used
            } else if let (t, used) = context.time.parseISO(rest), used >= 19 {
                r.timestamp = t
                k = used
            } else {
                return .skip("no syslog timestamp")
            }
            guard k < rest.count, rest[k] == 0x20 else { return .skip("no host after the timestamp") }
            k += 1
            let hs = k
            while k < rest.count, rest[k] != 0x20 { k += 1 }
            host = hs..<k
            guard k < rest.count else { return .skip("no message after the host") }
            k += 1
            // TAG[PID]: — the tag is up to 48 printable characters ending at ':' or '[';
            // macOS writes names with a space or two (`Microsoft Word[12]:`, `syslogd 1.4.1:`)
            // and some processes put more after the pid (`launchd[1] (com.x[5]): …`).
            let ts = k
            var spaces = 0
            while k < rest.count, rest[k] != 0x3A, rest[k] != 0x5B, k - ts <= 48 {
                if rest[k] == 0x20 { spaces += 1; if spaces > 2 { break } }
                k += 1
            }
            guard k < rest.count, k > ts, rest[k] == 0x3A || rest[k] == 0x5B, rest[k - 1] != 0x20 else { return .skip("no 'tag:' after the host") }
            app = ts..<k
            if rest[k] == 0x5B {
                let ps = k + 1
                while k < rest.count, rest[k] != 0x5D { k += 1 }
                guard k < rest.count else { return .skip("no ']' after the process id") }
                proc = ps..<k
                // `]:` ends the tag; without the colon the message starts after the bracket.
                if k + 1 < rest.count, rest[k + 1] == 0x3A { k += 1 }
            }
            k += 1
            if k < rest.count, rest[k] == 0x20 { k += 1 }
            msgStart = min(k, rest.count)
        }
        let msg = UnsafeBufferPointer(rebasing: rest[msgStart...])
        if let pri { r.level = Level(syslog: pri & 7) } else { r.level = inferLevel(msg) }
        if needs(context, .message) { r.message = String(decoding: msg, as: UTF8.self) }
        if needs(context, .trace) { extractIDs(msg, into: &r) }
        if needs(context, .service) {
            let a = rest.string(app)
            r.service = a.isEmpty || a == "-" ? context.fallbackService : a
        }
        if needs(context, .fields) {
            r.fields.append(LogRecord.Field("host", rest.string(host)))
            if let proc { r.fields.append(LogRecord.Field("pid", rest.string(proc))) }
            if let pri { r.fields.append(LogRecord.Field("facility", String(pri >> 3))) }
        }
        return .record
    }

    @inline(__always) func needs(_ c: ParseContext, _ n: RecordNeeds) -> Bool { c.needs.contains(n) }
}
