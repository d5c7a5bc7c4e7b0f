import ArgumentParser
import InquestCore
import Foundation

/// Reads the span dumps among the inputs and assembles traces; reports damage on stderr.
struct LoadedTraces {
    var traces: [Trace]
    var load: SpanLoad
    var problems: [InputDiscovery.Problem]

    /// - Parameter detail: `.summary` skips span logs and most tags (listing, graphs).
    /// - Parameter paths: other paths to read with the same options (a baseline), instead of `input.paths`.
    static func load(_ input: InputOptions, paths: [String]? = nil, detail: SpanDetail = .full, options: TraceAssembler.Options = .init(),
                     include: (@Sendable (UnsafeBufferPointer<Span>, [Int]) -> Bool)? = nil) -> LoadedTraces {
        let (units, problems) = paths.map { input.discover(paths: $0) } ?? input.discover()
        var load = SpanLoader.load(units, format: input.format, detail: detail)
        // Hand the spans over (not shared), so assembly moves them instead of copying.
        let spans = load.spans
        load.spans = []
        var options = options
        options.maxSpansPerTrace = input.maxSpansPerTrace
        let traces = TraceAssembler.assemble(spans, options: options, include: include)

        return LoadedTraces(traces: traces, load: load, problems: problems)
    }

    var skipped: Int { load.stats.reduce(0) { $0 + $1.skipped } }

    /// Reports skipped spans and unreadable inputs, and ends the process: with 3 when no
    /// span could be read, else 0. Ending here spares freeing a large heap of spans one by
    /// one, which takes longer than building it.
    func finish(status: Int32? = nil) -> Never {
        reportProblems(load.stats + load.unreadable, problems)
        for t in traces where t.leftOutSpans > 0 {
            Output.stderr.write("inquest: trace \(t.traceID): \(grouped(t.leftOutSpans)) spans beyond --max-spans-per-trace \(t.nodes.count + t.mergedDuplicates) left out\n")
        }
        if load.stats.isEmpty {
            Output.stderr.write("inquest: no span dumps among the inputs (Jaeger, Zipkin or OTLP JSON)\n")
        }
        Output.stdout.flush()
        Output.stderr.flush()
        exit(status ?? (load.stats.isEmpty || load.stats.allSatisfy(\.unreadable) ? Exit.noInput : Exit.ok))
    }
}
