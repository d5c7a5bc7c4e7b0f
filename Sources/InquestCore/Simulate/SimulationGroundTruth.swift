/// What really happened in a simulated incident, for scoring `rca`, `report` and
/// `traces` against: written to `ground-truth.json`.
public struct SimulationGroundTruth: Sendable {
    public struct Phase: Sendable {
        public var name: String
        public var start: Timestamp
        public var end: Timestamp
    }

    public struct Decoy: Sendable {
        public var service: String
        public var dependency: String?
        public var operation: String?
        public var kind: String
        public var start: Timestamp?
        public var end: Timestamp?
        public var description: String
    }

    public var config: SimulationConfig
    /// From the first sign (stripe-api slowing down) to full recovery.
    public var incidentStart: Timestamp
    public var incidentEnd: Timestamp
    /// From the first failed checkout on.
    public var errorsStart: Timestamp
    public var phases: [Phase]
    /// The instrumented service where errors are first raised, and its operation.
    public var rootService = "payment"
    public var rootOperation = "POST /charge"
    public var rootKind = "error"
    /// The uninstrumented peer behind it, named by payment's client spans.
    public var rootDependency = "stripe-api"
    public var rootDependencyOperation = "POST /v1/charges"
    public var propagation = ["stripe-api", "payment", "checkout", "api-gateway", "frontend"]
    public var decoys: [Decoy]
    public var totalTraces: Int
    public var totalSpans: Int
    /// Traces whose user request got a 5xx, in start order.
    public var failedTraceIDs: [String]
    /// User-visible responses by HTTP status.
    public var statusCounts: [(status: Int, count: Int)]
    /// How traces are spread over the span files.
    public var spanSplit: String
    public var files: [SimulatedFile] = []
    /// Set for a fault-injection incident (`--fault`), which writes its own layout.
    public var fault: SimFaultTruth? = nil

    /// The ground truth as JSON: indented, or on one line (as written to
    /// `ground-truth.json`, so that Inquest reading the whole directory sees one JSON
    /// record there rather than dozens of broken lines).
    public func json(pretty: Bool = false) -> String {
        let text = indentedJSON()
        guard !pretty else { return text }
        // Strings never hold a raw newline (they are escaped), so every newline and the
        // indentation after it are layout.
        var out = ""
        var atLineStart = false
        for c in text {
            if c == "\n" { atLineStart = true; continue }
            if atLineStart && c == " " { continue }
            atLineStart = false
            out.append(c)
        }
        return out + "\n"
    }

    private func indentedJSON() -> String {
        if let fault { return faultJSON(fault) }
        func ts(_ t: Timestamp?) -> String { t.map { JSONWriter.quoted($0.rfc3339(digits: 0)) } ?? "null" }
        func q(_ s: String?) -> String { s.map(JSONWriter.quoted) ?? "null" }
        var o = "{\n"
        o += "  \"generator\": {\"command\": \"inquest simulate\", \"seed\": \(config.seed), \"start\": \(ts(config.start)), "
        o += "\"duration_s\": \(config.durationSeconds), \"requests\": \(config.requests)},\n"
        o += "  \"incident\": {\n"
        o += "    \"start\": \(ts(incidentStart)),\n"
        o += "    \"end\": \(ts(incidentEnd)),\n"
        o += "    \"errors_start\": \(ts(errorsStart)),\n"
        o += "    \"summary\": \(q("stripe-api (the third-party payment API, not instrumented) first slows down, then times out, then refuses connections; payment's POST /charge fails after one retry, checkout fails, api-gateway answers 502 and the frontend shows 502 on POST /checkout.")),\n"
        o += "    \"phases\": [\n"
        for (i, p) in phases.enumerated() {
            o += "      {\"name\": \(q(p.name)), \"start\": \(ts(p.start)), \"end\": \(ts(p.end))}" + (i + 1 < phases.count ? ",\n" : "\n")
        }
        o += "    ]\n  },\n"
        o += "  \"root_cause\": {\"service\": \(q(rootService)), \"operation\": \(q(rootOperation)), \"kind\": \(q(rootKind)), "
        o += "\"dependency\": \(q(rootDependency)), \"dependency_operation\": \(q(rootDependencyOperation)), "
        o += "\"accepted\": [\(q(rootDependency)), \(q(rootService))]},\n"
        o += "  \"propagation\": [\(propagation.map(q).joined(separator: ", "))],\n"
        o += "  \"decoys\": [\n"
        for (i, d) in decoys.enumerated() {
            o += "    {\"service\": \(q(d.service)), \"dependency\": \(q(d.dependency)), \"operation\": \(q(d.operation)), "
            o += "\"kind\": \(q(d.kind)), \"start\": \(ts(d.start)), \"end\": \(ts(d.end)), \"description\": \(q(d.description))}"
            o += i + 1 < decoys.count ? ",\n" : "\n"
        }
        o += "  ],\n"
        o += "  \"responses\": {" + statusCounts.map { "\"\($0.status)\": \($0.count)" }.joined(separator: ", ") + "},\n"
        o += "  \"traces\": {\"total\": \(totalTraces), \"spans\": \(totalSpans), \"failed\": \(failedTraceIDs.count), "
        o += "\"split\": \(q(spanSplit)),\n"
        o += "    \"failed_trace_ids\": [\n"
        for (i, id) in failedTraceIDs.enumerated() {
            o += "      \(q(id))" + (i + 1 < failedTraceIDs.count ? ",\n" : "\n")
        }
        o += "    ]\n  },\n"
        o += "  \"files\": [\n"
        for (i, f) in files.enumerated() {
            o += "    {\"path\": \(q(f.path)), \"kind\": \(q(f.kind)), \"format\": \(q(f.format)), "
            o += "\"compression\": \(q(f.compression.rawValue)), \"service\": \(q(f.service)), \"records\": \(f.records)"
            if f.kind == "spans" { o += ", \"traces\": \(f.traces)" }
            if f.gzipMembers > 0 { o += ", \"gzip_members\": \(f.gzipMembers)" }
            if !f.members.isEmpty {
                o += ", \"members\": ["
                o += f.members.map { "{\"name\": \(q($0.name)), \"records\": \($0.records), \"bytes\": \($0.bytes)}" }.joined(separator: ", ")
                o += "]"
            }
            o += ", \"note\": \(q(f.note))}" + (i + 1 < files.count ? ",\n" : "\n")
        }
        o += "  ]\n}\n"
        return o
    }

    private func faultJSON(_ f: SimFaultTruth) -> String {
        func ts(_ t: Timestamp?) -> String { t.map { JSONWriter.quoted($0.rfc3339(digits: 0)) } ?? "null" }
        func q(_ s: String?) -> String { s.map(JSONWriter.quoted) ?? "null" }
        func list(_ xs: [String]) -> String { "[" + xs.map(q).joined(separator: ", ") + "]" }
        var o = "{\n"
        o += "  \"generator\": {\"command\": \"inquest simulate\", \"seed\": \(config.seed), \"start\": \(ts(config.start)), "
        o += "\"duration_s\": \(config.durationSeconds), \"requests\": \(config.requests), \"fault\": \(q(f.kind.rawValue)), "
        o += "\"span_format\": \(q(f.spanFormats.rawValue))"
        if f.extended {
            o += ", \"faults\": \(list(f.faults.map(\.kind.rawValue))), \"signals\": \(q(f.signals.rawValue)), "
            o += "\"span_status\": \(f.spanStatus), \"metric_format\": \(q(f.metricFormat?.rawValue))"
        }
        o += "},\n"
        o += "  \"incident\": {\"start\": \(ts(incidentStart)), \"end\": \(ts(incidentEnd)), \"fault_rate\": \(f.faultRate)},\n"
        o += "  \"root_cause\": {\"service\": \(q(f.service)), \"operation\": \(q(f.operation)), \"kind\": \(q(f.causeKind)), "
        o += "\"dependency\": \(f.isDependency), \"caller\": \(q(rootService)), \"accepted\": \(list(f.extended ? f.faults.first?.accepted ?? f.accepted : f.accepted))"
        if f.extended, let first = f.faults.first { o += ", \"accepted_kinds\": \(list(first.kind.acceptedCauseKinds))" }
        o += "},\n"
        o += "  \"accepted\": \(list(f.accepted)),\n"
        if f.extended {
            // Every fault (two with --fault A,B); `accepted` above is the union of theirs.
            o += "  \"root_causes\": [\n"
            for (i, x) in f.faults.enumerated() {
                o += "    {\"fault\": \(q(x.kind.rawValue)), \"service\": \(q(x.service)), \"operation\": \(q(x.operation)), "
                o += "\"kind\": \(q(x.causeKind)), \"accepted_kinds\": \(list(x.kind.acceptedCauseKinds)), \"dependency\": \(x.isDependency), "
                o += "\"caller\": \(q(x.caller)), \"accepted\": \(list(x.accepted)), \"start\": \(ts(x.start)), \"end\": \(ts(x.end)), "
                o += "\"fault_rate\": \(x.faultRate), \"slowdown\": \(x.slowdown.map { "\($0)" } ?? "null"), "
                o += "\"delay_ms\": \(x.delayMillis.map { "\($0)" } ?? "null"), \"affected_traces\": \(x.affectedTraces), "
                o += "\"visible_in\": \(list(x.visibleIn)), \"description\": \(q(x.description))}"
                o += i + 1 < f.faults.count ? ",\n" : "\n"
            }
            o += "  ],\n"
        }
        o += "  \"chain\": \(list(f.chain)),\n"
        o += "  \"noise\": {\"retries\": \(f.retries), \"clock_skew\": "
        o += f.skewService.map { "{\"service\": \(q($0)), \"offset_ms\": \(f.skewMillis)}" } ?? "null"
        o += "},\n"
        o += "  \"decoys\": [\n"
        for (i, d) in decoys.enumerated() {
            o += "    {\"service\": \(q(d.service)), \"operation\": \(q(d.operation)), \"kind\": \(q(d.kind)), "
            o += "\"start\": \(ts(d.start)), \"end\": \(ts(d.end)), \"description\": \(q(d.description))}"
            o += i + 1 < decoys.count ? ",\n" : "\n"
        }
        o += "  ],\n"
        o += "  \"responses\": {" + statusCounts.map { "\"\($0.status)\": \($0.count)" }.joined(separator: ", ") + "},\n"
        o += "  \"traces\": {\"total\": \(totalTraces), \"spans\": \(totalSpans), \"failed\": \(failedTraceIDs.count), "
        o += "\"split\": \(q(spanSplit)),\n"
        o += "    \"failed_trace_ids\": \(list(failedTraceIDs)),\n"
        o += "    \"affected_trace_ids\": \(list(f.affectedTraceIDs))\n  },\n"
        if f.extended {
            o += "  \"files\": [" + files.map { "{\"path\": \(q($0.path)), \"kind\": \(q($0.kind)), \"format\": \(q($0.format)), \"service\": \(q($0.service)), \"records\": \($0.records), \"traces\": \($0.traces)}" }.joined(separator: ", ") + "]\n"
        } else {
            o += "  \"files\": [" + files.map { "{\"path\": \(q($0.path)), \"format\": \(q($0.format)), \"records\": \($0.records), \"traces\": \($0.traces)}" }.joined(separator: ", ") + "]\n"
        }
        o += "}\n"
        return o
    }
}
