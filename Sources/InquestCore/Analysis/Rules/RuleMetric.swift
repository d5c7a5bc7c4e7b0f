/// The metrics a rule expression may name: the catalogue of `SeriesProvider`, with the
/// labels each carries and the kind of value it is, so that thresholds are checked
/// against the metric before any data is read (`p99 > 800ms` is fine, `count > 800ms`
/// is a mistake).
public struct RuleMetric: Sendable, Hashable {
    /// What a metric's values are: the kind decides which thresholds make sense.
    public enum Kind: Sendable, Hashable {
        /// A number of records or requests in a bucket.
        case count
        /// Per second.
        case rate
        /// A share between 0 and 1 (`5%` is allowed).
        case ratio
        /// Request latency in seconds (`800ms` is allowed).
        case latency
        /// A series of a metric dump (`CpuUsageRate{pod=~"cart.*"}`), in its own unit, with any labels.
        case gauge
    }

    /// A metric series read from the inputs.
    public static func series(_ name: String) -> RuleMetric { RuleMetric(name: name, kind: .gauge, labels: []) }

    public var name: String
    public var kind: Kind
    public var labels: [String]

    /// Every metric, in the order of the `SeriesProvider` catalogue.
    public static let all: [RuleMetric] = {
        let logLabels = ["service", "level", "pattern"]
        let requestLabels = ["service", "operation"]
        return [
            RuleMetric(name: "count", kind: .count, labels: logLabels),
            RuleMetric(name: "rate", kind: .rate, labels: logLabels),
            RuleMetric(name: "requests", kind: .count, labels: requestLabels),
            RuleMetric(name: "request_rate", kind: .rate, labels: requestLabels),
            RuleMetric(name: "errors", kind: .count, labels: requestLabels),
            RuleMetric(name: "error_rate", kind: .ratio, labels: requestLabels),
            RuleMetric(name: "p50", kind: .latency, labels: requestLabels),
            RuleMetric(name: "p90", kind: .latency, labels: requestLabels),
            RuleMetric(name: "p95", kind: .latency, labels: requestLabels),
            RuleMetric(name: "p99", kind: .latency, labels: requestLabels),
        ]
    }()

    public static func named(_ name: String) -> RuleMetric? { all.first { $0.name == name } }

    /// `count, rate, …` for messages.
    public static var names: String { all.map(\.name).joined(separator: ", ") }

    /// `p50, p90, p95, p99` for messages.
    static var latencyNames: String { all.filter { $0.kind == .latency }.map(\.name).joined(separator: ", ") }
}
