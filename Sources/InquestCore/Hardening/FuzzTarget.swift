/// The readers under fuzzing, one target each. Every target feeds the bytes to one
/// reader exactly as a file would arrive and then checks the invariants that must
/// hold for any input: nothing is lost (records = parsed + skipped) and every trace
/// assembled keeps all its spans. A broken invariant traps, which libFuzzer reports.
///
/// Used by the libFuzzer executable (`Sources/InquestFuzz`) and by the regression
/// tests that replay every input a fuzzer ever crashed on.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case json, jsonLines = "json-lines", logfmt, syslog, access, plain, text, docker = "docker-json", cri
    case otlpLogs = "otlp-logs", detect
    case jaeger, zipkin = "zipkin-v2", zipkinV1 = "zipkin-v1", otlpTraces = "otlp-traces"
    case gzip, tar, rules, patterns, partial, redact, convert
    case spanTable = "span-table", logTable = "log-table", metricTable = "metric-table", prometheus, prometheusAPI = "prometheus-api"

    /// Small limits so that a fuzzer's input cannot make a run slow for reasons we
    /// already bound (they are tested on their own).
    static var limits: InputLimits {
        var l = InputLimits()
        l.maxLineBytes = 1 << 16
        l.maxDecompressedBytes = 8 << 20
        l.maxDocumentBytes = 8 << 20
        l.blockSize = 1 << 12
        return l
    }

    /// Feeds one input to the target's reader and checks the invariants.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .json:
            let tape = JSONTape(bytes: bytes, maxDepth: 64)
            if tape.error == nil { precondition(tape.root != nil, "a document without error has a root") }
        case .jsonLines: logs(bytes, .logLines(JSONLinesFormat()))
        case .logfmt: logs(bytes, .logLines(LogfmtFormat()))
        case .syslog: logs(bytes, .logLines(SyslogFormat()))
        case .access: logs(bytes, .logLines(AccessLogFormat()))
        case .plain: logs(bytes, .logLines(PlainTextFormat()))
        case .text: logs(bytes, .logLines(TextLinesFormat()))
        case .docker: logs(bytes, .logLines(DockerJSONFormat()))
        case .cri: logs(bytes, .logLines(CRIFormat()))
        case .otlpLogs: logs(bytes, .otlpLogs)
        case .detect: logs(bytes, nil)
        case .jaeger: spans(bytes, .jaeger)
        case .zipkin: spans(bytes, .zipkinV2)
        case .zipkinV1: spans(bytes, .zipkinV1)
        case .otlpTraces: spans(bytes, .otlpTraces)
        case .gzip: gzip(bytes)
        case .tar: tar(bytes)
        case .rules: _ = try? RuleFile.parse(String(decoding: bytes, as: UTF8.self))
        case .patterns:
            let miner = PatternMiner()
            var n = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                line.withUnsafeBufferPointer { _ = miner.add(bytes: $0) }
                n += 1
            }
            let table = miner.finish()
            precondition(table.patterns.reduce(0) { $0 + $1.count } == n, "every message is in one pattern")
        case .partial: partial(bytes)
        case .redact: redact(bytes)
        case .convert: convert(bytes)
        case .spanTable: spans(bytes, .spanTable)
        case .logTable: logs(bytes, .logLines(LogTableFormat(schema: nil)))
        case .metricTable: metrics(bytes, .table)
        case .prometheus: metrics(bytes, .prometheus)
        case .prometheusAPI: metrics(bytes, .prometheusAPI)
        }
    }

    /// A metric dump: every sample counted once, as a point of a series or as skipped.
    func metrics(_ bytes: [UInt8], _ format: MetricFormat) {
        let unit = InputUnit.memory(bytes, name: "fuzz.metrics", limits: Self.limits)
        guard let r = try? MetricReader.read(unit: unit, format: .metrics(format)) else { return }
        let s = r.stats
        precondition(s.records == s.parsed + s.skipped, "records = parsed + skipped")
        precondition(r.series.reduce(0) { $0 + $1.points.count } == s.parsed, "every sample read is a point")
        for series in r.series {
            for k in series.points.indices.dropFirst() { precondition(series.points[k - 1].time <= series.points[k].time, "points in time order") }
            _ = MetricSummary(series)
        }
    }

    /// A partial result file, read, merged with itself and rendered as `merge` would.
    func partial(_ bytes: [UInt8]) {
        guard let p = try? PartialResult.read(bytes, path: "fuzz.json") else { return }
        var text = ""
        switch p {
        case .report(let r):
            guard let m = try? PartialResult.mergeReports([r, r]), let data = try? m.aggregate.data() else { return }
            var report = TrendReport(data, baseline: m.baseline)
            report.addMetrics(m.metrics)
            let ctx = ReportRenderer.Context(skipped: m.skipped, inputs: m.inputs)
            ReportRenderer.text(report, context: ctx, style: Style(enabled: true), width: 80, to: &text)
            ReportRenderer.json(report, context: ctx, to: &text)
            ReportHTMLRenderer.render(report, context: ctx, to: &text)
            OpenMetricsRenderer.render(data, to: &text)
        case .deps, .patterns:
            guard let merged = try? PartialResult.merge([p, p]) else { return }
            if case .deps(let d) = merged {
                let graph = d.graph()
                DependencyRenderer.text(graph, style: Style(enabled: true), width: 80, to: &text)
                DependencyRenderer.json(graph, to: &text)
            }
            if case .patterns(let miner) = merged {
                let table = miner.finish()
                let renderer = PatternRenderer(style: Style(enabled: true), width: 80, time: TimeDisplay(), compare: table.baselineLines > 0)
                renderer.text(table, limit: nil, to: &text)
                renderer.json(table, skipped: 0, to: &text)
            }
        }
    }

    /// What `convert` does, checked both ways: the spans of any dump, written as Jaeger,
    /// Zipkin and OTLP, read back every one; log records written as OTLP read back too.
    func convert(_ bytes: [UInt8]) {
        let unit = InputUnit.memory(bytes, name: "fuzz.json", limits: Self.limits)
        if let read = try? SpanReader.read(unit: unit), read.stats.parsed > 0 {
            let spans = SpanWriting.deduplicated(read.spans).spans
            for (format, as_) in [(SpanOutputFormat.jaeger, SpanFormat.jaeger), (.zipkin, .zipkinV2), (.otlp, .otlpTraces)] {
                var text = ""
                switch format {
                case .jaeger: JaegerWriter.write(spans, to: &text)
                case .zipkin: ZipkinWriter.write(spans, to: &text)
                case .otlp: OTLPTraceWriter.write(spans, to: &text)
                }
                let back = InputUnit.memory(Array(text.utf8), name: "back.json", limits: Self.limits)
                let again = try? SpanReader.read(unit: back, format: .spans(as_))
                precondition(again?.stats.parsed == spans.count && again?.stats.skipped == 0,
                             "\(format): \(spans.count) spans written, \(again?.stats.parsed ?? -1) read back")
            }
            return
        }
        guard let reader = try? LogReader(unit: unit, format: nil, needs: .all, checkUTF8: true), !reader.format.isSpans else { return }
        var writer = OTLPLogWriter()
        var text = ""
        writer.begin(to: &text)
        var n = 0
        while let r = reader.next() { writer.write(r, to: &text); n += 1 }
        writer.end(to: &text)
        guard n > 0 else { return }
        let back = InputUnit.memory(Array(text.utf8), name: "back.json", limits: Self.limits)
        guard let again = try? LogReader(unit: back, format: .otlpLogs, needs: .all, checkUTF8: true) else {
            preconditionFailure("OTLP logs written could not be opened")
        }
        var m = 0
        while again.next() != nil { m += 1 }
        precondition(m == n && again.stats.skipped == 0, "otlp logs: \(n) records written, \(m) read back")
    }

    /// Lines redacted as text and as JSON; a line that is a JSON document stays one.
    func redact(_ bytes: [UInt8]) {
        var rules = RedactionRules()
        if let p = try? UserPatternDetector("[A-Z]{2}[0-9]{6}") { rules.patterns = [p] }
        let plain = Redactor(rules: rules, pseudonymizer: nil)
        let keyed = (try? Pseudonymizer(key: Array("fuzzing key, 16+ bytes".utf8))).map { Redactor(rules: rules, pseudonymizer: $0) }
        var carried = JSONLineRewriter()
        var out: [UInt8] = [], counts = RedactionCounts()
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            line.withUnsafeBufferPointer { b in
                out.removeAll(keepingCapacity: true)
                plain.rewriteText(b, into: &out, counts: &counts)
                keyed?.rewriteText(b, into: &out, counts: &counts)
                _ = carried.rewrite(b, redactor: plain, into: &out, counts: &counts)
                // One JSON document on the line: what the rewriter writes must parse too.
                guard JSONTape(bytes: Array(b), maxDepth: 64).error == nil else { return }
                var fresh = JSONLineRewriter(maxDepth: 64)
                out.removeAll(keepingCapacity: true)
                if fresh.rewrite(b, redactor: keyed ?? plain, into: &out, counts: &counts) {
                    precondition(JSONTape(bytes: out, maxDepth: 64).error == nil, "redacted JSON stays JSON")
                }
            }
        }
    }

    func logs(_ bytes: [UInt8], _ format: DetectedFormat?) {
        let unit = InputUnit.memory(bytes, name: "fuzz.log", limits: Self.limits)
        guard let reader = try? LogReader(unit: unit, format: format, needs: .all, checkUTF8: true) else { return }
        if reader.format.isSpans { return }
        var n = 0
        while reader.next() != nil { n += 1 }
        let s = reader.stats
        precondition(s.records == s.parsed + s.skipped, "records = parsed + skipped")
        precondition(n == s.parsed, "every parsed record was returned")
    }

    func spans(_ bytes: [UInt8], _ format: SpanFormat) {
        let unit = InputUnit.memory(bytes, name: "fuzz.json", limits: Self.limits)
        guard let result = try? SpanReader.read(unit: unit, format: .spans(format)) else { return }
        let s = result.stats
        precondition(s.records == s.parsed + s.skipped, "records = parsed + skipped")
        let count = result.spans.count
        let traces = TraceAssembler.assemble(result.spans)
        let kept = traces.reduce(0) { $0 + $1.nodes.count + $1.mergedDuplicates }
        precondition(kept >= count, "assembly keeps every span")
    }

    func gzip(_ bytes: [UInt8]) {
        guard let gz = try? GzipSource(input: MemorySource(bytes), path: "fuzz.gz", chunkSize: 1 << 12) else { return }
        gz.maxOutput = 8 << 20
        drain(gz)
    }

    func tar(_ bytes: [UInt8]) {
        let reader = TarReader(source: MemorySource(bytes))
        var members = 0
        while members < 1000, let m = try? reader.nextMember() {
            _ = m
            drain(reader.memberSource())
            members += 1
        }
    }

    func drain(_ source: any ByteSource) {
        var buffer = [UInt8](repeating: 0, count: 1 << 12)
        var total = 0
        while total < 16 << 20 {
            let n = buffer.withUnsafeMutableBytes { (try? source.read(into: $0)) ?? 0 }
            if n == 0 {
                // A damaged stream may resume after a break; anything else is the end.
                if source.takeBreak() != nil { continue }
                break
            }
            total += n
        }
    }
}
