/// Prometheus text exposition (0.0.4) and OpenMetrics, as scraped from `/metrics` and
/// saved, or as `report --output openmetrics` writes: `# HELP`, `# TYPE`, `# UNIT` and
/// `# EOF` lines, and samples `name{label="value",…} value [timestamp]`.
///
/// A file may hold several scrapes: the same series again at later timestamps. A
/// timestamp is milliseconds in Prometheus's format and seconds in OpenMetrics; the two
/// are told apart by magnitude. A sample without one is dated at the file's modification
/// time (said once). Exemplars (` # {…} v`) are left out.
enum PrometheusTextFormat {
    struct Sample {
        var name: String
        var labels: [(key: String, value: String)]
        var value: Double
        var time: Timestamp?
    }

    enum Line {
        case comment
        case sample(Sample)
        case bad(String)
    }

    /// True when most of the first lines are exposition lines, with a `# TYPE`/`# HELP`
    /// among them or every line a sample.
    static func looksLike(_ head: [UInt8]) -> Bool {
        var samples = 0, comments = 0, typed = false, other = 0, lines = 0
        head.withUnsafeBufferPointer { buf in
            var s = 0
            for i in buf.indices where buf[i] == 0x0A || i == buf.count - 1 {
                let e = buf[i] == 0x0A ? i : i + 1
                let line = trimmed(UnsafeBufferPointer(rebasing: buf[s..<e]))
                s = i + 1
                if line.isEmpty { continue }
                lines += 1
                if lines > 64 { break }
                if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") || line.hasPrefix("# UNIT ") { typed = true; comments += 1; continue }
                if line.first == 0x23 { comments += 1; continue }
                if case .sample = parse(line) { samples += 1 } else { other += 1 }
            }
        }
        guard samples > 0 else { return false }
        if typed { return other * 4 <= samples }
        return other == 0 && samples >= 3
    }

    @inline(__always) static func isNameStart(_ c: UInt8) -> Bool { isLetter(c) || c == 0x5F || c == 0x3A }
    @inline(__always) static func isNameByte(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 48 && c <= 57) }

    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Line {
        let n = line.count
        if n == 0 || line[0] == 0x23 { return .comment }
        var i = 0
        guard isNameStart(line[0]) else { return .bad("not a metric name") }
        while i < n, isNameByte(line[i]) { i += 1 }
        let name = line.string(0..<i)
        var labels: [(key: String, value: String)] = []
        if i < n, line[i] == 0x7B {
            i += 1
            while true {
                while i < n, line[i] == 0x20 || line[i] == 0x2C { i += 1 }
                guard i < n else { return .bad("labels not closed") }
                if line[i] == 0x7D { i += 1; break }
                let ks = i
                while i < n, isNameByte(line[i]) { i += 1 }
                guard i > ks, i + 1 < n, line[i] == 0x3D, line[i + 1] == 0x22 else { return .bad("label without =\"value\"") }
                let key = line.string(ks..<i)
                i += 2
                var value: [UInt8] = []
                var closed = false
                while i < n {
                    let c = line[i]
                    if c == 0x5C, i + 1 < n {
                        let e = line[i + 1]
                        value.append(e == 0x6E ? 0x0A : e)
                        i += 2
                        continue
                    }
                    if c == 0x22 { closed = true; i += 1; break }
                    value.append(c)
                    i += 1
                }
                guard closed else { return .bad("label value not closed") }
                labels.append((key, String(decoding: value, as: UTF8.self)))
            }
        }
        guard i < n, line[i] == 0x20 || line[i] == 0x09 else { return .bad("no value") }
        while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        let vs = i
        while i < n, line[i] != 0x20, line[i] != 0x09 { i += 1 }
        guard let v = TableValues.double(UnsafeBufferPointer(rebasing: line[vs..<i])), i > vs else {
            return .bad("'\(line.string(vs..<i))' is not a number")
        }
        while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        var time: Timestamp?
        if i < n, line[i] != 0x23 {
            let ts = i
            while i < n, line[i] != 0x20, line[i] != 0x09 { i += 1 }
            let b = UnsafeBufferPointer(rebasing: line[ts..<i])
            guard let d = TableValues.double(b), !d.isNaN, let t = TimestampParser.fromEpoch(d) else {
                return .bad("'\(line.string(ts..<i))' is not a timestamp")
            }
            time = t
            while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        }
        // Only an exemplar (`# {…} v`) may follow.
        guard i == n || line[i] == 0x23 else { return .bad("text after the timestamp") }
        return .sample(Sample(name: name, labels: labels, value: v, time: time))
    }

    static func read(_ lines: inout LineReader, unit: InputUnit, into out: inout MetricCollector, stats: inout InputStats) {
        let fileTime = unit.modificationTime.map { Timestamp(seconds: $0) }
        var undated = 0
        var units: [String: String] = [:]
        while true {
            let event: LineReader.Event?
            do { event = try lines.next() } catch {
                stats.note(Issue(line: lines.lineNumber, reason: error.message))
                break
            }
            guard let event else { break }
            switch event {
            case .skipped(let number, let reason): stats.skip(line: number, reason: reason)
            case .line(let raw, let number):
                let line = trimmed(raw.bindMemory(to: UInt8.self))
                if line.hasPrefix("# UNIT ") {
                    let parts = String(decoding: line, as: UTF8.self).split(separator: " ")
                    if parts.count >= 4 { units[String(parts[2])] = String(parts[3]) }
                    continue
                }
                switch parse(line) {
                case .comment: continue
                case .bad(let reason): stats.skip(line: number, reason: reason)
                case .sample(let s):
                    guard let t = s.time ?? fileTime else {
                        stats.skip(line: number, reason: "sample without a timestamp, and no file time to date it")
                        continue
                    }
                    if s.time == nil { undated += 1 }
                    out.add(name: s.name, labels: s.labels, unit: units[s.name], point: MetricSeries.Point(time: t.nanos, value: s.value))
                    stats.records += 1
                    stats.parsed += 1
                }
            }
        }
        for i in lines.streamIssues where !stats.errors.contains(i) { stats.note(i) }
        if undated > 0 { stats.note(Issue(line: 0, reason: "\(undated) samples without a timestamp dated at the file's modification time")) }
    }
}
