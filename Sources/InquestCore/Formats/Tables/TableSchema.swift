#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the columns of a CSV/TSV table with a header mean, decided from their names.
///
/// Names are compared folded: case ignored, `_`, `.`, `-` and spaces dropped, and a unit
/// in brackets (`CpuUsage(m)`, `Duration [ms]`) taken apart from the name. A table is
/// a **span table** when it has trace ID and span ID columns, a **log table** when it
/// has a time column and a message column, and a **metric table** when it has a time
/// column and numeric columns; `--span-columns role=Name,…` overrides the choice of
/// any role.
public struct TableSchema: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case spans, logs, metrics }

    /// The roles a column can play; other columns become attributes, fields or metrics.
    public enum Role: String, Sendable, CaseIterable {
        case trace, span, parent, service, pod, operation, start, end, duration, status, statusMessage = "status_message", kind
        case time, message, level
    }

    public struct Column: Sendable {
        /// The header cell as written.
        public var name: String
        /// Folded name without unit (`cpuusagerate`).
        public var key: String
        /// The unit in brackets, if any (`%`, `m`, `ms`).
        public var unit: String?
    }

    public var kind: Kind
    public var delimiter: UInt8
    public var columns: [Column]
    /// Column index of each role found.
    public var roles: [Role: Int]
    /// The header line's bytes (a repeated header inside the file is not a row).
    public var header: [UInt8]
    /// For a metric table: the columns holding numbers (metrics), decided from sample rows.
    public var metricColumns: [Int] = []
    /// `role=Column` overrides that name no column of this table.
    public var unmatched: [String] = []

    /// What readers note about the header: overrides that matched nothing.
    var headerIssue: Issue? {
        guard !unmatched.isEmpty else { return nil }
        return Issue(line: 1, reason: "--span-columns \(unmatched.joined(separator: ", ")): no such column (columns: \(columns.map(\.name).joined(separator: ", ")))")
    }

    public func column(_ r: Role) -> Int? { roles[r] }

    /// `trace=TraceID span=SpanID …`, as `inspect` shows the mapping.
    public var description: String {
        Role.allCases.compactMap { r in roles[r].map { "\(r.rawValue)=\(columns[$0].name)" } }.joined(separator: " ")
    }

    // MARK: Names

    /// Splits a header cell into its folded key and its unit in brackets.
    static func fold(_ name: String) -> Column {
        var key: [UInt8] = []
        var unit: String?
        var inUnit = false
        var unitBytes: [UInt8] = []
        for c in name.utf8 {
            if inUnit {
                if c == 0x29 || c == 0x5D { inUnit = false; unit = String(decoding: unitBytes, as: UTF8.self) } else { unitBytes.append(c) }
                continue
            }
            switch c {
            case 0x28, 0x5B: inUnit = true; unitBytes.removeAll()
            case 0x5F, 0x2E, 0x2D, 0x20, 0x09, 0x22: continue
            case 65...90: key.append(c | 0x20)
            default: key.append(c)
            }
        }
        return Column(name: name, key: String(decoding: key, as: UTF8.self), unit: unit)
    }

    /// Folded names for each role, most specific first.
    static let names: [Role: [String]] = [
        .trace: ["traceid", "trace", "tracesid"],
        .span: ["spanid", "span", "spansid"],
        .parent: ["parentid", "parentspanid", "parentspan", "parent", "parentsid", "references"],
        .service: ["servicename", "service", "resourceservicename", "localservicename", "app", "application"],
        .pod: ["podname", "pod", "k8spodname", "kubernetespodname"],
        .operation: ["operationname", "operation", "spanname", "name", "methodname", "method", "url", "endpoint", "endpointname"],
        .start: ["starttimeunixnano", "starttime", "start", "startunixnano", "starttimestamp", "starttimemicros", "starttimemillis", "timestamp"],
        .end: ["endtimeunixnano", "endtime", "end", "endunixnano", "endtimestamp"],
        .duration: ["duration", "durationnano", "durationnanos", "durationns", "durationus", "durationmicros", "durationms", "durationmillis", "elapsed", "latency"],
        .status: ["iserror", "statuscode", "status", "error", "haserror", "otelstatuscode"],
        .statusMessage: ["statusmessage", "statusdescription", "errormessage"],
        .kind: ["kind", "spankind"],
        .time: ["time", "timestamp", "timeunixnano", "ts", "datetime", "date", "eventtime", "observedtimeunixnano", "logtime", "at"],
        .message: ["log", "message", "msg", "content", "body", "line", "text"],
        .level: ["level", "severity", "severitytext", "loglevel", "levelname"],
    ]

    /// Columns that hold the entity of a metric table (a label, never a metric).
    static let entityKeys: Set<String> = ["podname", "pod", "servicename", "service", "instance", "entity", "host", "hostname",
                                          "node", "nodename", "container", "containername", "job", "namespace", "app", "application"]

    /// Roles given by `--span-columns role=Name,…` (names as written, compared folded).
    public typealias Overrides = [String: String]

    /// Parses `trace=TraceID,span=SpanID` into overrides; nil with the bad part named.
    public static func parseOverrides(_ s: String) -> Result<Overrides, TableError> {
        var out: Overrides = [:]
        for part in s.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, !kv[1].isEmpty else { return .failure(TableError("'\(part)' is not role=Column")) }
            let role = kv[0].trimmingSpaces.lowercased().replacing("-", with: "_")
            guard Role(rawValue: role) != nil else {
                return .failure(TableError("unknown role '\(kv[0])' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"))
            }
            out[role] = String(kv[1]).trimmingSpaces
        }
        return .success(out)
    }

    // MARK: Deciding

    /// The schema of a table from its header line and a few data rows, or nil when the
    /// first line is not a header of a table Inquest understands. An override naming a
    /// column the table lacks is left in `unmatched` (readers say so), not fatal.
    static func detect(header: UnsafeBufferPointer<UInt8>, rows: [UnsafeBufferPointer<UInt8>],
                       overrides: Overrides = [:]) -> TableSchema? {
        guard header.count >= 3, header.count <= 64 * 1024 else { return nil }
        // The delimiter: tabs when the header has any, else commas (at least one).
        var tabs = 0, commas = 0
        for c in header { if c == 0x09 { tabs += 1 } else if c == 0x2C { commas += 1 } }
        let delimiter: UInt8 = tabs > 0 ? 0x09 : 0x2C
        guard max(tabs, commas) >= 1 else { return nil }
        var row = CSVRow(delimiter: delimiter)
        guard row.split(header) == .row, row.count >= 2 else { return nil }
        var columns: [Column] = []
        for k in 0..<row.count {
            let name = row.string(k, in: header).trimmingSpaces
            // A header cell is a name: not empty, short, not a number, no braces or `=`.
            guard !name.isEmpty, name.utf8.count <= 80, !name.utf8.contains(where: { $0 == 0x7B || $0 == 0x3D || $0 < 0x20 && $0 != 0x09 }),
                  Double(name) == nil else { return nil }
            columns.append(fold(name))
        }
        // Data rows must have the header's width (a sample of them).
        var widthOK = 0, sampled = 0
        for r in rows where !r.isBlank() {
            sampled += 1
            if row.split(r) == .row, row.count == columns.count { widthOK += 1 }
            else if row.split(r) == .openQuote { widthOK += 1 }  // a field cut by the end of the head
        }
        guard sampled == 0 || widthOK * 10 >= sampled * 8 else { return nil }

        var roles: [Role: Int] = [:]
        var used = Set<Int>()
        var unmatched: [String] = []
        for (role, column) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let r = Role(rawValue: role) else { continue }
            let key = fold(column).key
            if let i = columns.firstIndex(where: { $0.name == column }) ?? columns.firstIndex(where: { $0.key == key }) {
                roles[r] = i; used.insert(i)
            } else {
                unmatched.append("\(role)=\(column)")
            }
        }
        func find(_ r: Role) {
            guard roles[r] == nil, let candidates = names[r] else { return }
            for name in candidates {
                if let i = columns.indices.first(where: { !used.contains($0) && columns[$0].key == name }) {
                    roles[r] = i; used.insert(i); return
                }
            }
        }
        // Span roles first: a span table's `timestamp` is its start, not a log time.
        for r in [Role.trace, .span, .parent, .pod, .service, .operation, .start, .end, .duration, .status, .statusMessage, .kind] { find(r) }
        // A log table carries trace and span IDs and a time too: spans need a parent, an end,
        // a duration or an operation as well, and no message column.
        let hasMessage = columns.contains { names[.message]?.contains($0.key) == true } && overrides.isEmpty
        let isSpans = roles[.trace] != nil && roles[.span] != nil && (roles[.start] != nil || roles[.duration] != nil)
            && (roles[.parent] != nil || roles[.end] != nil || roles[.duration] != nil || roles[.operation] != nil) && !hasMessage
        if isSpans {
            return TableSchema(kind: .spans, delimiter: delimiter, columns: columns, roles: roles, header: Array(header), unmatched: unmatched)
        }
        // Not spans: start again for logs and metrics (keep overrides and IDs).
        var logRoles: [Role: Int] = [:]
        used = []
        for (r, i) in roles where overrides[r.rawValue] != nil || r == .trace || r == .span || r == .service || r == .pod {
            logRoles[r] = i; used.insert(i)
        }
        roles = logRoles
        for r in [Role.time, .message, .level] { find(r) }
        // A time column may also be named for its start.
        if roles[.time] == nil, let i = columns.indices.first(where: { !used.contains($0) && ["starttime", "starttimeunixnano", "timeunixnano", "timestampunixnano"].contains(columns[$0].key) }) {
            roles[.time] = i; used.insert(i)
        }
        guard roles[.time] != nil else { return nil }
        if roles[.message] != nil {
            return TableSchema(kind: .logs, delimiter: delimiter, columns: columns, roles: roles, header: Array(header), unmatched: unmatched)
        }
        return TableSchema(kind: .metrics, delimiter: delimiter, columns: columns, roles: roles, header: Array(header), unmatched: unmatched)
    }
}

/// A table that cannot be read as asked (an override naming a missing column).
public struct TableError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\u{FEFF}" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

// MARK: Values

enum TableValues {
    /// A time cell: RFC 3339 / ISO, Go's `time.Time` text (`2022-08-23 14:00:28.66 +0000 UTC
    /// m=+7260.64`), or a number since the epoch whose unit is named (`unit`: from the column
    /// name) or told from its magnitude.
    static func time(_ b: UnsafeBufferPointer<UInt8>, unitHint: Int64?, parser: TimestampParser) -> Timestamp? {
        var s = 0, e = b.count
        while s < e, b[s] == 0x20 { s += 1 }
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x0D { e -= 1 }
        guard e > s else { return nil }
        let v = UnsafeBufferPointer(rebasing: b[s..<e])
        if let n = integer(v) {
            if let unit = unitHint {
                let (x, o) = n.multipliedReportingOverflow(by: unit)
                return o ? nil : Timestamp(nanos: x, precision: unit >= 1_000_000_000 ? 0 : unit >= 1_000_000 ? 3 : unit >= 1000 ? 6 : 9)
            }
            return TimestampParser.fromEpoch(Double(n)).map { t in
                // Nanoseconds as an integer are exact: Double would round them.
                n >= 100_000_000_000_000_000 ? Timestamp(nanos: n, precision: 9) : t
            }
        }
        if let d = double(v) { return TimestampParser.fromEpoch(unitHint.map { d * Double($0) / 1e9 } ?? d) }
        guard let (t, used) = parser.parse(v) else { return nil }
        if used == v.count { return t }
        // Go's time.Time String(): ` +0000 UTC m=+7260.64` after the time.
        var i = used
        var offset: Int64?
        if i + 6 <= v.count, v[i] == 0x20, v[i + 1] == 0x2B || v[i + 1] == 0x2D,
           let oh = TimestampParser.num(v, i + 2, 2), let om = TimestampParser.num(v, i + 4, 2) {
            offset = (v[i + 1] == 0x2D ? -1 : 1) * Int64(oh * 3600 + om * 60)
            i += 6
        }
        // A zone abbreviation, and the monotonic clock reading.
        if i < v.count, v[i] == 0x20 {
            var k = i + 1
            while k < v.count, (v[k] >= 65 && v[k] <= 90) { k += 1 }
            if k > i + 1 { i = k }
        }
        if i + 3 < v.count, v[i] == 0x20, v[i + 1] == 0x6D, v[i + 2] == 0x3D { i = v.count }
        guard i == v.count else { return nil }
        guard let off = offset else { return t }
        // The zone the parser took already (UTC): nothing to read again.
        if off == parser.defaultOffset { return t }
        // Re-read with the zone the text named.
        var p = parser
        p.defaultOffset = off
        return p.parse(UnsafeBufferPointer(rebasing: v[0..<used])).map(\.0)
    }

    /// Nanoseconds per unit named in a column (`StartTimeUnixNano`, `Duration(ms)`), or nil.
    static func unit(of c: TableSchema.Column) -> Int64? {
        if let u = c.unit?.lowercased() {
            switch u {
            case "ns", "nano", "nanos", "nanoseconds": return 1
            case "us", "µs", "micros", "microseconds": return 1000
            case "ms", "millis", "milliseconds": return 1_000_000
            case "s", "sec", "secs", "seconds": return 1_000_000_000
            default: break
            }
        }
        let k = c.key
        if k.hasSuffix("nano") || k.hasSuffix("nanos") || k.hasSuffix("ns") { return 1 }
        if k.hasSuffix("micros") || k.hasSuffix("us") || k.hasSuffix("micro") { return 1000 }
        if k.hasSuffix("millis") || k.hasSuffix("ms") || k.hasSuffix("milli") { return 1_000_000 }
        if k.hasSuffix("seconds") || k.hasSuffix("secs") || k.hasSuffix("sec") { return 1_000_000_000 }
        return nil
    }

    /// A decimal integer (optional sign), or nil.
    @inline(__always) static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = b.count
        guard n > 0, n <= 19, let p = b.baseAddress else { return nil }
        var i = 0
        var neg = false
        if p[0] == 0x2D { neg = true; i = 1 } else if p[0] == 0x2B { i = 1 }
        guard i < n else { return nil }
        // Wrapping as Int64 arithmetic would (19 digits can pass Int64.max).
        var v: UInt64 = 0
        while i + 8 <= n {
            let chunk = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            guard eightDigits(chunk) else { return nil }
            v = v &* 100_000_000 &+ valueOfEightDigits(chunk)
            i += 8
        }
        while i < n {
            let d = p[i] &- 48
            guard d <= 9 else { return nil }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        let x = Int64(bitPattern: v)
        return neg ? 0 &- x : x
    }

    /// A number as written in tables (`12`, `-0.5`, `1e-3`, `NaN`, `+Inf`), or nil when the
    /// bytes are not one. Missing values (`NaN`, empty) come back as `.nan`.
    static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var s = 0, e = b.count
        while s < e, b[s] == 0x20 { s += 1 }
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x0D { e -= 1 }
        guard e > s else { return .nan }
        let v = UnsafeBufferPointer(rebasing: b[s..<e])
        if let d = decimal(v) { return d }
        if let n = integer(v), abs(n) < 1 << 53 { return Double(n) }
        guard v.count <= 64 else { return nil }
        // Digits, sign, point and exponent only; then C's exact strtod on a NUL-terminated
        // copy on the stack (no String made for a cell).
        for c in v where !((c >= 48 && c <= 57) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45) {
            // No word of "no value" or infinity is longer than "+infinity".
            guard v.count <= 9 else { return nil }
            if isMissing(v) { return .nan }
            let w = lowerWord(v)
            switch w {
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: return nil
            }
        }
        if isMissing(v) { return .nan }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: v.count + 1) { buf -> Double? in
            guard let base = buf.baseAddress else { return nil }
            for i in 0..<v.count { base[i] = CChar(bitPattern: v[i]) }
            base[v.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let d = strtod(base, &end)
            guard let end, end == base + v.count else { return nil }
            return d
        }
    }

    /// Powers of ten that a `Double` holds exactly, and powers of five a `UInt64` holds.
    static let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }
    static let powersOfFive: [UInt64] = (0...27).map { k in (0..<k).reduce(UInt64(1)) { x, _ in x * 5 } }

    /// `[+-]digits.digits` with at most 19 significant digits and at most 27 after the
    /// point, correctly rounded as `strtod` rounds it; nil for anything else (no point,
    /// an exponent, more digits), which the caller reads the slower way.
    ///
    /// A value is m / 10^k with m < 2^64. When m ≤ 2^53 and k ≤ 22 both are exact
    /// doubles and one IEEE division rounds correctly (Clinger's fast path). Otherwise
    /// 10^k = 5^k · 2^k and m · 2^s / 5^k is divided in 128-bit integers, leaving 63 or 64
    /// bits of quotient and a remainder: enough to round to 53 bits, half to even.
    @inline(__always) static func decimal(_ v: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = v.count
        guard n > 1, n <= 64, let p = v.baseAddress else { return nil }
        let negative = p[0] == 0x2D
        let start = negative || p[0] == 0x2B ? 1 : 0
        var i = start
        // m from every digit; leading zeros leave it 0, so it wraps only past 19 significant digits.
        var m: UInt64 = 0
        @inline(__always) func digits() {
            while i + 8 <= n {
                let chunk = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                guard Self.eightDigits(chunk) else { break }
                m = m &* 100_000_000 &+ Self.valueOfEightDigits(chunk)
                i += 8
            }
            while i < n {
                let d = p[i] &- 48
                if d > 9 { break }
                m = m &* 10 &+ UInt64(d)
                i += 1
            }
        }
        digits()
        let intDigits = i - start
        guard i < n, p[i] == 0x2E else { return nil }
        i += 1
        let fracStart = i
        digits()
        guard i == n else { return nil }
        let fraction = n - fracStart
        guard intDigits + fraction > 0, fraction <= 27 else { return nil }
        if intDigits + fraction > 19 {
            // Significant digits: those after the leading zeros.
            var k = start
            while k < n, p[k] == 0x30 || p[k] == 0x2E { k += 1 }
            guard n - k - (k <= fracStart - 1 ? 1 : 0) <= 19 else { return nil }
        }
        if m == 0 { return negative ? -0.0 : 0.0 }
        let x: Double
        if m <= 1 << 53, fraction <= 22 {
            x = Double(m) / exactPowersOfTen[fraction]
        } else if let y = eiselLemire(m, fraction, negative: negative) {
            return y
        } else {
            let d = powersOfFive[fraction]
            let lm = 64 - m.leadingZeroBitCount, ld = 64 - d.leadingZeroBitCount
            let s = 63 + ld - lm
            let hi: UInt64 = s == 0 ? 0 : s >= 64 ? m &<< UInt64(s - 64) : m &>> UInt64(64 - s)
            let lo: UInt64 = s >= 64 ? 0 : m &<< UInt64(s)
            let (q, r) = divide(high: hi, low: lo, by: d)
            let shift = 64 - q.leadingZeroBitCount - 53
            var mantissa = q &>> UInt64(shift)
            let rest = q & ((1 &<< UInt64(shift)) - 1), half: UInt64 = 1 &<< UInt64(shift - 1)
            if rest > half || (rest == half && (r != 0 || mantissa & 1 == 1)) { mantissa += 1 }
            // 2^e for a normal e (here between about -160 and 11), built from its bits.
            let e = shift - s - fraction
            x = Double(mantissa) * Double(bitPattern: UInt64(1023 + e) &<< 52)
        }
        return negative ? -x : x
    }

    /// 10^-q for q in 0...27 as a 128-bit mantissa with its top bit set, rounded down:
    /// ⌊2^(127 + b) / 5^q⌋ where 5^q has b bits (long division by 64-bit words).
    static let powersOfTenDown: [(hi: UInt64, lo: UInt64)] = powersOfFive.map { d in
        if d == 1 { return (1 << 63, 0) }
        let bits = 64 - d.leadingZeroBitCount
        let (q1, r1) = divide(high: 1 &<< UInt64(bits - 1), low: 0, by: d)
        let (q0, _) = divide(high: r1, low: 0, by: d)
        return (q1, q0)
    }

    /// m / 10^q (m > 0, q ≤ 27) by the Eisel-Lemire algorithm (as Go's strconv and
    /// fast_float have it): one or two 64×64-bit products with 10^-q, correctly rounded,
    /// or nil in the rare cases it cannot decide (the caller divides exactly instead).
    @inline(__always) static func eiselLemire(_ m: UInt64, _ q: Int, negative: Bool) -> Double? {
        let clz = m.leadingZeroBitCount
        let man = m &<< UInt64(clz)
        var exp2 = UInt64(bitPattern: Int64(((217_706 * -q) >> 16) + 64 + 1023 - clz))
        let power = powersOfTenDown[q]
        var (xHi, xLo) = man.multipliedFullWidth(by: power.hi)
        if xHi & 0x1FF == 0x1FF && xLo &+ man < man {
            let (yHi, yLo) = man.multipliedFullWidth(by: power.lo)
            var mergedHi = xHi
            let mergedLo = xLo &+ yHi
            if mergedLo < xLo { mergedHi &+= 1 }
            if mergedHi & 0x1FF == 0x1FF && mergedLo &+ 1 == 0 && yLo &+ man < man { return nil }
            xHi = mergedHi
            xLo = mergedLo
        }
        let msb = xHi &>> 63
        var mantissa = xHi &>> (msb + 9)
        exp2 &-= 1 ^ msb
        // Half-way between two doubles: undecided here.
        if xLo == 0 && xHi & 0x1FF == 0 && mantissa & 3 == 1 { return nil }
        mantissa += mantissa & 1
        mantissa &>>= 1
        if mantissa &>> 53 > 0 {
            mantissa &>>= 1
            exp2 &+= 1
        }
        if exp2 &- 1 >= 0x7FF - 1 { return nil }
        var bits = exp2 &<< 52 | mantissa & 0x000F_FFFF_FFFF_FFFF
        if negative { bits |= 1 << 63 }
        return Double(bitPattern: bits)
    }

    /// Eight ASCII digits in a little-endian word (as fast_float tests them).
    @inline(__always) static func eightDigits(_ w: UInt64) -> Bool {
        ((w &+ 0x4646_4646_4646_4646) | (w &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0
    }

    /// The value of eight ASCII digits in a little-endian word, first digit first.
    @inline(__always) static func valueOfEightDigits(_ w: UInt64) -> UInt64 {
        var v = w &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v &>> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        return (((v & mask) &* 0x000F_4240_0000_0064) &+ (((v &>> 16) & mask) &* 0x0000_2710_0000_0001)) &>> 32
    }

    /// (high·2^64 + low) / v and its remainder, for high < v, with two 64-bit divisions
    /// of 32-bit digits (Knuth's algorithm D as in Hacker's Delight, `divlu`):
    /// `dividingFullWidth` calls a 128-bit division routine that takes hundreds of steps.
    @inline(__always) static func divide(high u1: UInt64, low u0: UInt64, by v0: UInt64) -> (UInt64, UInt64) {
        let b: UInt64 = 1 << 32
        let s = UInt64(v0.leadingZeroBitCount)
        let v = v0 &<< s
        let vn1 = v &>> 32, vn0 = v & 0xFFFF_FFFF
        let un32 = s == 0 ? u1 : (u1 &<< s) | (u0 &>> (64 - s))
        let un10 = u0 &<< s
        let un1 = un10 &>> 32, un0 = un10 & 0xFFFF_FFFF
        var q1 = un32 / vn1
        var rhat = un32 &- q1 &* vn1
        while q1 >= b || q1 &* vn0 > b &* rhat &+ un1 {
            q1 -= 1
            rhat += vn1
            if rhat >= b { break }
        }
        let un21 = (un32 &* b &+ un1) &- q1 &* v
        var q0 = un21 / vn1
        rhat = un21 &- q0 &* vn1
        while q0 >= b || q0 &* vn0 > b &* rhat &+ un0 {
            q0 -= 1
            rhat += vn1
            if rhat >= b { break }
        }
        let r = ((un21 &* b &+ un0) &- q0 &* v) &>> s
        return (q1 &* b &+ q0, r)
    }

    /// Spellings of "no value" in exported tables.
    static func isMissing(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        guard v.count <= 4 else { return false }
        switch lowerWord(v) {
        case "nan", "-nan", "null", "none", "n/a", "na", "-", "": return true
        default: return false
        }
    }
}

extension TableSchema {
    /// The schema of the table an input starts with, when it is of `kind`; else the input
    /// is marked unreadable with the roles missing and the columns found. The mapping
    /// chosen goes into `stats` for `inspect`.
    static func required(_ kind: Kind, head: [UInt8], unit: InputUnit, stats: inout InputStats) -> TableSchema? {
        guard let schema = head.withUnsafeBufferPointer({ FormatRegistry.tableSchema($0, columns: unit.limits.tableColumns) }),
              schema.kind == kind else {
            stats.note(Issue(line: 1, reason: missingColumns(head: head, kind: kind)))
            stats.unreadable = true
            return nil
        }
        stats.columns = schema.description
        if let i = schema.headerIssue { stats.note(i) }
        return schema
    }

    /// Why the table at the start of `head` is not of `kind`: the roles missing and the
    /// columns found, for a table forced by name.
    static func missingColumns(head: [UInt8], kind: Kind) -> String {
        var end = head.firstIndex(of: 0x0A) ?? head.count
        if end > 0, head[end - 1] == 0x0D { end -= 1 }
        let header = String(decoding: head[0..<min(end, 2000)], as: UTF8.self)
        let need: String
        switch kind {
        case .spans: need = "trace ID, span ID and start or duration columns"
        case .logs: need = "time and message columns"
        case .metrics: need = "a time column and numeric columns"
        }
        return "not a \(kind == .spans ? "span" : kind == .logs ? "log" : "metric") table: needs \(need); columns found: \(header)"
    }
}
