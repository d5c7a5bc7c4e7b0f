/// Renders the dependency graph as a table, JSON, Graphviz dot or Mermaid.
public enum DependencyRenderer {
    public static func text(_ g: DependencyGraph, style: Style, width: Int, to out: inout some TextOutputStream) {
        let callsW = 7, errW = 7, rateW = 6, pW = 8
        let pairW = max(24, width - (callsW + errW + rateW + 2 * pW + 5))
        out.write(style.bold(fit("CALLER → CALLEE", pairW) + " " + fit("CALLS", callsW, alignRight: true) + " " + fit("ERRORS", errW, alignRight: true)
                             + " " + fit("ERR%", rateW, alignRight: true) + " " + fit("P50", pW, alignRight: true) + " " + fit("P99", pW, alignRight: true)) + "\n")
        for e in g.edges {
            let pair = fit(e.caller + " → " + e.callee + (e.dependency ? " (uninstrumented)" : ""), pairW)
            let rate = fit(e.calls == 0 ? "-" : String(format1(e.errorRate * 100)) + "%", rateW, alignRight: true)
            var line = pair + " " + fit(grouped(e.calls), callsW, alignRight: true) + " "
            let errs = fit(e.errors == 0 ? "-" : grouped(e.errors), errW, alignRight: true)
            line += (e.errors > 0 ? style.paint(errs, .red) : style.dim(errs)) + " "
            line += (e.errorRate >= 0.05 ? style.paint(rate, .red, bold: true) : rate) + " "
            line += fit(e.latency.quantile(0.5).map { Duration.format(nanos: $0) } ?? "-", pW, alignRight: true) + " "
            line += fit(e.latency.quantile(0.99).map { Duration.format(nanos: $0) } ?? "-", pW, alignRight: true)
            out.write(line + "\n")
        }
        out.write(style.dim("\(plural(g.services.count, "service")), \(plural(g.dependencies.count, "uninstrumented dependency", "uninstrumented dependencies")), \(plural(g.edges.count, "edge"))") + "\n")
    }

    static func format1(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    public static func json(_ g: DependencyGraph, to out: inout some TextOutputStream) {
        var j = JSONOut()
        j.beginObject()
        j.beginArray("nodes")
        for s in g.services { j.beginObject(); j.field("name", s); j.field("dependency", false); j.endObject() }
        for d in g.dependencies { j.beginObject(); j.field("name", d); j.field("dependency", true); j.endObject() }
        j.endArray()
        j.beginArray("edges")
        for e in g.edges {
            j.beginObject()
            j.field("caller", e.caller)
            j.field("callee", e.callee)
            j.field("dependency", e.dependency)
            j.field("calls", e.calls)
            j.field("errors", e.errors)
            j.field("error_rate", (e.errorRate * 10000).rounded() / 10000)
            if let p = e.latency.quantile(0.5) { j.field("p50_us", p / 1000) }
            if let p = e.latency.quantile(0.99) { j.field("p99_us", p / 1000) }
            j.endObject()
        }
        j.endArray()
        j.endObject()
        out.write(j.text + "\n")
    }

    static func label(_ e: DependencyGraph.Edge) -> String {
        var l = "\(e.calls) calls"
        if e.errors > 0 { l += ", \(e.errors) errors (\(format1(e.errorRate * 100))%)" }
        if let p = e.latency.quantile(0.99) { l += ", p99 \(Duration.format(nanos: p))" }
        return l
    }

    public static func dot(_ g: DependencyGraph, to out: inout some TextOutputStream) {
        out.write("digraph dependencies {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
        for s in g.services { out.write("  \(JSONWriter.quoted(s));\n") }
        for d in g.dependencies { out.write("  \(JSONWriter.quoted(d)) [shape=cylinder, style=dashed];\n") }
        for e in g.edges {
            var attrs = "label=\(JSONWriter.quoted(label(e)))"
            if e.errorRate >= 0.05 { attrs += ", color=red, fontcolor=red" }
            out.write("  \(JSONWriter.quoted(e.caller)) -> \(JSONWriter.quoted(e.callee)) [\(attrs)];\n")
        }
        out.write("}\n")
    }

    public static func mermaid(_ g: DependencyGraph, to out: inout some TextOutputStream) {
        var ids: [String: String] = [:]
        func id(_ name: String) -> String {
            if let i = ids[name] { return i }
            let i = "n\(ids.count)"
            ids[name] = i
            return i
        }
        func text(_ s: String) -> String { printable(s).replacingOccurrences(of: "\"", with: "#quot;") }
        out.write("flowchart LR\n")
        for s in g.services { out.write("  \(id(s))[\"\(text(s))\"]\n") }
        for d in g.dependencies { out.write("  \(id(d))[(\"\(text(d))\")]\n") }
        for (k, e) in g.edges.enumerated() {
            out.write("  \(id(e.caller)) -->|\"\(text(label(e)))\"| \(id(e.callee))\n")
            if e.errorRate >= 0.05 { out.write("  linkStyle \(k) stroke:#d33,color:#d33\n") }
        }
    }
}
