import Foundation

/// Wide metric tables: CSV or TSV with a header, a time column, entity columns (pod,
/// service, instance…) and one metric per numeric column, one row per scrape — what
/// monitoring exports and incident data sets hold (`Time,PodName,CpuUsageRate(%),…`).
///
/// A series is a numeric column for one set of entity values; without an entity column
/// the entity is the file's name (`cartservice-579f59597d-wc2lz_metric.csv` → labels
/// `pod` and `service`; otherwise `entity`). The metric's name is the column's, less its
/// unit in brackets (kept as the series' unit). `NaN` and empty cells are missing values.
/// A second time column (`TimeStamp` beside `Time`) is not a metric.
enum MetricTableFormat {
    /// Columns holding numbers in the sampled rows (at least one, and nothing else but
    /// missing values), other than times and entities.
    static func metricColumns(_ schema: TableSchema, rows: [UnsafeBufferPointer<UInt8>]) -> [Int] {
        let timeKeys = Set(TableSchema.names[.time] ?? [])
        let mapped = Set(schema.roles.values)
        var candidates = schema.columns.indices.filter {
            !mapped.contains($0) && !timeKeys.contains(schema.columns[$0].key) && !TableSchema.entityKeys.contains(schema.columns[$0].key)
        }
        // A metric column holds numbers in most sampled rows (a damaged cell in one row
        // does not make it a label); a label column holds words.
        var numbers = [Int](repeating: 0, count: schema.columns.count)
        var words = [Int](repeating: 0, count: schema.columns.count)
        var row = CSVRow(delimiter: schema.delimiter)
        var anyRow = false
        for r in rows where !r.isBlank() {
            guard row.split(r) == .row, row.count == schema.columns.count else { continue }
            anyRow = true
            for c in candidates {
                if let v = TableValues.double(row.bytes(c, in: r)) { if !v.isNaN { numbers[c] += 1 } } else { words[c] += 1 }
            }
        }
        // With no rows to look at, every other column is taken as a metric.
        guard anyRow else { return candidates }
        candidates = candidates.filter { numbers[$0] > 0 && words[$0] * 2 <= numbers[$0] }
        return candidates
    }

    /// Prometheus-style label name for an entity column.
    static func labelName(_ c: TableSchema.Column) -> String {
        switch c.key {
        case "podname", "pod", "k8spodname": return "pod"
        case "servicename", "service": return "service"
        case "nodename", "node": return "node"
        case "hostname", "host": return "host"
        case "containername", "container": return "container"
        default: return c.key
        }
    }

    /// A metric name from a column name: letters, digits and `_` (`CpuUsageRate(%)` → `CpuUsageRate`).
    static func metricName(_ c: TableSchema.Column) -> String {
        var out = ""
        var inUnit = false
        for ch in c.name.unicodeScalars {
            if ch == "(" || ch == "[" { inUnit = true; continue }
            if ch == ")" || ch == "]" { inUnit = false; continue }
            if inUnit { continue }
            if ch.properties.isAlphabetic && ch.isASCII || ("0"..."9").contains(ch) || ch == "_" || ch == ":" { out.unicodeScalars.append(ch) }
            else if !out.isEmpty, out.last != "_" { out += "_" }
        }
        while out.hasSuffix("_") { out.removeLast() }
        if let f = out.unicodeScalars.first, ("0"..."9").contains(f) { out = "_" + out }
        return out.isEmpty ? "value" : out
    }

    /// The entity named by a file: its name less extensions and a `_metric(s)` suffix.
    static func entityLabels(fileStem stem: String) -> [(key: String, value: String)] {
        var s = stem
        for suffix in ["_metrics", "_metric", "-metrics", "-metric", ".metrics", ".metric"] where s.hasSuffix(suffix) && s.count > suffix.count {
            s.removeLast(suffix.count)
            break
        }
        if let w = PodName.workload(s) { return [("pod", s), ("service", w)] }
        return [("entity", s)]
    }

    /// How one table's rows become samples: the columns and their meaning.
    struct Plan {
        let schema: TableSchema
        let timeColumn: Int
        let timeUnit: Int64?
        let metrics: [Int]
        /// Entity columns and any other column that is not a number or a time.
        let labelColumns: [Int]
        let parser = TimestampParser()
    }

    /// The samples of a run of rows, grouped by their label values (first seen first); a
    /// table is read as one such run, or as one a slice on every core, joined in order.
    struct Samples: TableSliceState {
        let plan: Plan
        var groupIndex: [[String]: Int] = [:]
        /// Label values of each group, in the order first seen.
        var groups: [[String]] = []
        /// Each group's rows: their times, and their values a row after another.
        var rows: [(times: [Int64], values: [Double])] = []
        /// Damaged rows, in line order.
        var skips: [Issue] = []
        var samples = 0
        /// Groups by the bytes of their label cells (hashed), each spelling seen.
        var byBytes: [UInt64: [(spelling: [[UInt8]], group: Int)]] = [:]
        var values: [Double] = []

        /// The bytes this run of rows is expected to span (0: unknown), and those seen:
        /// a group's arrays are sized for its share of the rest once, instead of doubling
        /// (each doubling copies them and touches fresh pages).
        let expectedBytes: Int
        var bytesSeen = 0, rowsSeen = 0

        init(plan: Plan, expectedBytes: Int = 0) {
            self.plan = plan
            self.expectedBytes = expectedBytes
        }

        /// Room for the rest of group g's rows, when its arrays are full.
        mutating func reserve(_ g: Int) {
            let have = rows[g].times.count
            guard expectedBytes > 0, rowsSeen >= 256, have == rows[g].times.capacity, bytesSeen < expectedBytes else { return }
            let expected = Int(Double(have) * Double(expectedBytes) / Double(bytesSeen) * 1.05) + 16
            guard expected > 2 * have else { return }
            rows[g].times.reserveCapacity(expected)
            rows[g].values.reserveCapacity(expected * plan.metrics.count)
        }

        mutating func bad(number: Int, reason: String) { skips.append(Issue(line: number, reason: reason)) }

        mutating func shiftLines(by offset: Int) { for i in skips.indices { skips[i].line += offset } }

        mutating func row(_ line: UnsafeBufferPointer<UInt8>, number: Int, row: CSVRow) {
            let plan = plan
            guard let t = TableValues.time(row.bytes(plan.timeColumn, in: line), unitHint: plan.timeUnit, parser: plan.parser) else {
                bad(number: number, reason: "\(plan.schema.columns[plan.timeColumn].name): '\(cellText(row.bytes(plan.timeColumn, in: line)))' is not a time")
                return
            }
            values.removeAll(keepingCapacity: true)
            for c in plan.metrics {
                guard let v = TableValues.double(row.bytes(c, in: line)) else {
                    bad(number: number, reason: "\(plan.schema.columns[c].name): '\(cellText(row.bytes(c, in: line)))' is not a number")
                    return
                }
                values.append(v)
            }
            // Label cells are looked up as bytes (a hash of them, then a comparison): a
            // String is made only for a spelling not seen before.
            var h: UInt64 = 0xcbf29ce484222325
            for c in plan.labelColumns {
                for x in row.bytes(c, in: line) { h = (h ^ UInt64(x)) &* 0x100000001b3 }
                h = (h ^ 0x1F) &* 0x100000001b3
            }
            var found: Int?
            if let candidates = byBytes[h] {
                for (spelling, group) in candidates where spelling.count == plan.labelColumns.count {
                    var equal = true
                    for (k, c) in plan.labelColumns.enumerated() {
                        let b = row.bytes(c, in: line)
                        if b.count != spelling[k].count || !spelling[k].withUnsafeBufferPointer({ $0.elementsEqual(b) }) { equal = false; break }
                    }
                    if equal { found = group; break }
                }
            }
            let g: Int
            if let found { g = found } else {
                let labelValues = plan.labelColumns.map { row.string($0, in: line).trimmingSpaces }
                if let known = groupIndex[labelValues] { g = known } else {
                    g = groups.count
                    groupIndex[labelValues] = g
                    groups.append(labelValues)
                    rows.append(([], []))
                }
                byBytes[h, default: []].append((plan.labelColumns.map { Array(row.bytes($0, in: line)) }, g))
            }
            rowsSeen += 1
            bytesSeen += line.count + 1
            reserve(g)
            rows[g].times.append(t.nanos)
            rows[g].values.append(contentsOf: values)
            samples += values.count
        }

        /// The points of group g's metric k, in row order.
        func points(group g: Int, metric k: Int) -> [MetricSeries.Point] {
            let (times, values) = rows[g]
            let width = plan.metrics.count
            return [MetricSeries.Point](unsafeUninitializedCapacity: times.count) { buf, count in
                values.withUnsafeBufferPointer { v in
                    for r in times.indices { buf.initializeElement(at: r, to: MetricSeries.Point(time: times[r], value: v[r * width + k])) }
                }
                count = times.count
            }
        }
    }

    /// - Parameters sliceMinimum, parts: when to read in slices and how many (tests).
    static func read(_ lines: inout LineReader, schema: TableSchema, unit: InputUnit,
                     into out: inout MetricCollector, stats: inout InputStats,
                     sliceMinimum: Int = TableSlices.minimumBytes, parts sliceCount: Int? = nil) {
        let metrics = schema.metricColumns
        guard let timeColumn = schema.roles[.time] else { return }
        let metricSet = Set(metrics)
        let timeKeys = Set(TableSchema.names[.time] ?? [])
        let labelColumns = schema.columns.indices.filter {
            $0 != timeColumn && !metricSet.contains($0) && !timeKeys.contains(schema.columns[$0].key)
        }
        let plan = Plan(schema: schema, timeColumn: timeColumn, timeUnit: TableValues.unit(of: schema.columns[timeColumn]),
                        metrics: metrics, labelColumns: labelColumns)
        let fileLabels = labelColumns.isEmpty ? entityLabels(fileStem: unit.stem) : []
        let names = metrics.map { metricName(schema.columns[$0]) }
        let units = metrics.map { schema.columns[$0].unit }
        var groups: [[String]: Int] = [:]
        /// The index of the first of the series of one set of label values (made on first sight).
        func series(_ labelValues: [String]) -> Int {
            if let g = groups[labelValues] { return g }
            var labels: [(key: String, value: String)] = fileLabels
            for (k, c) in labelColumns.enumerated() where !labelValues[k].isEmpty {
                let name = labelName(schema.columns[c])
                labels.append((name, labelValues[k]))
                if name == "pod", !labelColumns.contains(where: { labelName(schema.columns[$0]) == "service" }) {
                    labels.append(("service", PodName.service(labelValues[k])))
                }
            }
            let base = out.series.count
            for (k, name) in names.enumerated() { out.series.append(MetricSeries(name: name, labels: labels, unit: units[k])) }
            groups[labelValues] = base
            return base
        }
        // A large plain file is read in slices on every core; else in one pass.
        var issues: [Issue] = []
        let parts: [Samples]
        let fileBytes = unit.uncompressedSizeHint.map { Int(clamping: $0) } ?? 0
        let slice = fileBytes / max(1, sliceCount ?? min(ProcessInfo.processInfo.activeProcessorCount, 8))
        if let sliced = TableSlices.read(unit, schema: schema, minimumBytes: sliceMinimum, parts: sliceCount,
                                          make: { _ in Samples(plan: plan, expectedBytes: slice) }) {
            parts = sliced
        } else {
            var one = Samples(plan: plan, expectedBytes: fileBytes)
            TableRows.forEach(&lines, schema: schema, maxRowBytes: 16 << 20, issues: &issues) { event in
                switch event {
                case .bad(let number, let reason): one.bad(number: number, reason: reason)
                case .row(let line, let number, let row): one.row(line, number: number, row: row)
                }
            }
            parts = [one]
        }
        // Series made in the order their labels are first seen (slices in file order), then
        // each series' points gathered from the slices that hold them, on every core.
        var order: [Int] = []
        var sources: [Int: [(part: Int, group: Int)]] = [:]
        for (p, part) in parts.enumerated() {
            for (g, labelValues) in part.groups.enumerated() {
                let base = series(labelValues)
                if sources[base] == nil { order.append(base) }
                sources[base, default: []].append((p, g))
            }
            // A damaged row loses the samples of all its metric cells: one issue, every sample counted.
            for skip in part.skips {
                stats.skip(line: skip.line, reason: skip.reason)
                stats.records += max(0, metrics.count - 1)
                stats.skipped += max(0, metrics.count - 1)
            }
            stats.records += part.samples
            stats.parsed += part.samples
        }
        let tasks = order.flatMap { base in metrics.indices.map { k in (slot: base + k, metric: k, from: sources[base] ?? []) } }
        let shared = UnsafeSendable((parts: parts, tasks: tasks))
        let chunks = min(tasks.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        if chunks > 0 {
            out.series.withUnsafeMutableBufferPointer { buffer in
                let slots = SharedSeries(buffer: buffer)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let (parts, tasks) = shared.value
                    for t in tasks[(tasks.count * c / chunks)..<(tasks.count * (c + 1) / chunks)] {
                        for (p, g) in t.from {
                            if slots.buffer[t.slot].points.isEmpty {
                                slots.buffer[t.slot].points = parts[p].points(group: g, metric: t.metric)
                                let more = t.from.reduce(0) { $0 + parts[$1.part].rows[$1.group].times.count }
                                slots.buffer[t.slot].points.reserveCapacity(more)
                            } else {
                                slots.buffer[t.slot].points += parts[p].points(group: g, metric: t.metric)
                            }
                        }
                    }
                }
            }
        }
        for i in issues { stats.note(i) }
    }
}
