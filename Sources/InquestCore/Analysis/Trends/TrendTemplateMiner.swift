/// The template miner behind the `pattern` label of `report`: `PatternMiner`
/// (Analysis/Patterns), as the aggregator uses it — a cluster number per message while
/// streaming, and each cluster's final pattern (ID and template) at the end.
final class TrendTemplateMiner {
    let miner = PatternMiner()

    init() {}

    /// The cluster number of a message (its first line).
    @inline(__always)
    func add(_ message: String) -> Int { miner.add(message) }

    /// The pattern (stable ID and template) of each cluster number handed out.
    func patterns(clusters: Int) -> [(id: String, template: String)?] {
        let table = miner.finish()
        return (0..<clusters).map { c in
            let i = table.patternIndex(forCluster: c)
            guard i >= 0, i < table.patterns.count else { return nil }
            return (table.patterns[i].id, table.patterns[i].template)
        }
    }
}
