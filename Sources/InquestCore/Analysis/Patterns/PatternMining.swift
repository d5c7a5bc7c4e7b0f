/// Reads log inputs into a `PatternMiner`: each input in order, each record in file
/// order, the message part of every record that passes the filter, whatever the format.
public struct PatternMining {
    public var filter = LogFilter()
    public var format: DetectedFormat?
    public var time = TimestampParser()
    /// Records before this time count as the baseline.
    public var split: Timestamp?
    /// Keep the pattern of every record (for `--assign`).
    public var assign = false
    public var options = PatternMiner.Options()

    /// One record's place and pattern, in input order.
    public struct Assignment: Sendable {
        public var input: Int32
        public var line: Int32
        var cluster: Int32
    }

    public struct Result: Sendable {
        public var table: PatternTable
        /// Per input (current inputs first, then baseline inputs).
        public var stats: [InputStats]
        /// With `assign`: one entry per record of the current inputs, in input order;
        /// `pattern(of:)` names its pattern.
        public var assignments: [Assignment]

        public func pattern(of a: Assignment) -> MinedPattern? {
            let i = table.patternIndex(forCluster: Int(a.cluster))
            return i >= 0 && i < table.patterns.count ? table.patterns[i] : nil
        }
    }

    public init() {}

    public func run(_ units: [InputUnit], baseline: [InputUnit] = []) -> Result {
        let (miner, stats, assignments) = mine(units, baseline: baseline)
        return Result(table: miner.finish(), stats: stats, assignments: assignments)
    }

    /// Reads the inputs into a miner without finishing it (for a partial result).
    public func mine(_ units: [InputUnit], baseline: [InputUnit] = []) -> (miner: PatternMiner, stats: [InputStats], assignments: [Assignment]) {
        let miner = PatternMiner(options: options)
        var stats: [InputStats] = []
        var assignments: [Assignment] = []
        let needs = RecordNeeds.message.union(filter.needs)
        for (side, list) in [(false, units), (true, baseline)] {
            for (i, unit) in list.enumerated() {
                let reader: LogReader
                do {
                    reader = try LogReader(unit: unit, format: format, needs: needs, time: time)
                } catch {
                    stats.append(.unreadable(unit, error.message))
                    continue
                }
                if reader.format.isSpans {
                    var s = reader.stats
                    s.kind = "spans"
                    stats.append(s)
                    continue
                }
                let checkFilter = !filter.isEmpty
                while let r = reader.next() {
                    if checkFilter && !filter.matches(r) { continue }
                    let inBaseline = side || (split.map { s in r.timestamp.map { $0 < s } ?? false } ?? false)
                    let c = miner.add(r.message, at: r.timestamp, level: r.level, baseline: inBaseline)
                    if assign && !side {
                        assignments.append(Assignment(input: Int32(truncatingIfNeeded: i),
                                                      line: Int32(truncatingIfNeeded: r.location.line),
                                                      cluster: Int32(truncatingIfNeeded: c)))
                    }
                }
                stats.append(reader.stats)
            }
        }
        return (miner, stats, assignments)
    }
}
