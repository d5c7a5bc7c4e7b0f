import ArgumentParser
import InquestCore

enum DepsOutput: String, ExpressibleByArgument, CaseIterable { case text, json, dot, mermaid }

extension Inquest {
    /// The service dependency graph.
    struct Deps: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deps",
            abstract: "Show the service dependency graph: calls, errors, error rate and p50/p99 latency per edge.",
            discussion: """
                Uninstrumented peers named by client spans (peer.service, db.name/db.system, \
                server.address, Zipkin remoteEndpoint) appear as nodes of their own. \
                --output dot is for Graphviz (dot -Tsvg), mermaid for Markdown pages.
                """
        )

        @OptionGroup var input: InputOptions
        @OptionGroup var range: TimeRangeOptions
        @OptionGroup var outputOptions: OutputOptions

        @Option(help: "Output: text, json, dot (Graphviz) or mermaid.")
        var output: DepsOutput = .text

        @Option(help: ArgumentHelp("Write the mergeable partial result for these inputs to this file (- for standard output) instead of the graph; combine partials with inquest merge. Each task's inputs must hold whole traces.", valueName: "file"))
        var partial: String?

        func run() throws {
            let loaded = LoadedTraces.load(input, detail: .summary)
            var traces = loaded.traces
            let newest = traces.map(\.end).max()
            if let s = range.sinceBound?.resolve(newest: newest) { traces = traces.filter { $0.start >= s } }
            if let u = range.untilBound?.resolve(newest: newest) { traces = traces.filter { $0.start <= u } }
            if let partial {
                let out = try Output.open(partial == "-" ? nil : partial)
                PartialResult.deps(DependencyGraph.Partial(traces)).write(to: &out.buffered)
                out.close()
                loaded.finish()
            }
            let graph = DependencyGraph.build(traces)
            let out = try Output.open(outputOptions.outFile)
            switch output {
            case .text:
                let tty = outputOptions.writesToTerminal
                DependencyRenderer.text(graph, style: outputOptions.style(toTerminal: tty), width: tty ? Terminal.width : 80, to: &out.buffered)
            case .json: DependencyRenderer.json(graph, to: &out.buffered)
            case .dot: DependencyRenderer.dot(graph, to: &out.buffered)
            case .mermaid: DependencyRenderer.mermaid(graph, to: &out.buffered)
            }
            out.close()
            loaded.finish()
        }
    }
}
