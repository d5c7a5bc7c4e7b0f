import ArgumentParser
import InquestCore

/// Reads the span dumps among the inputs and assembles traces; reports damage on stderr.
struct LoadedTraces {
    var traces: [Trace]
    var load: SpanLoad
    var problems: [InputDiscovery.Problem]

    static func load(_ input: InputOptions) -> LoadedTraces {
        let (units, problems) = input.discover()
        let load = SpanLoader.load(units, format: input.format)
        let traces = TraceAssembler.assemble(load.spans)
        return LoadedTraces(traces: traces, load: load, problems: problems)
    }

    var skipped: Int { load.stats.reduce(0) { $0 + $1.skipped } }

    /// Reports skipped spans and unreadable inputs; exits 3 when no span could be read.
    func finish() throws {
        reportProblems(load.stats + load.unreadable, problems)
        if load.stats.isEmpty {
            Output.stderr.write("inquest: no span dumps among the inputs (Jaeger, Zipkin or OTLP JSON)\n")
            Output.stderr.flush()
        }
        if load.stats.isEmpty || load.stats.allSatisfy(\.unreadable) { throw ExitCode(Exit.noInput) }
    }
}
