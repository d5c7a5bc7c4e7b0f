/// The condition of an alert rule: comparisons of a series with a threshold, joined
/// with `and` / `or`.
///
/// ```
/// error_rate{service="payment"} > 5%
/// p99{service="checkout", operation=~"POST .*"} > 800ms for the latency metrics
/// rate{level="error"} > 2× baseline
/// requests{service="frontend"} > 10 and error_rate{service="frontend"} > 0.1
/// ```
///
/// `and` binds tighter than `or`; parentheses group. See `RuleExpressionParser` for the
/// grammar and `RuleBacktest` for how it is evaluated bucket by bucket.
public indirect enum RuleExpression: Sendable, Equatable {
    case compare(RuleComparison)
    case and(RuleExpression, RuleExpression)
    case or(RuleExpression, RuleExpression)

    /// The comparisons in source order.
    public var comparisons: [RuleComparison] {
        switch self {
        case .compare(let c): return [c]
        case .and(let a, let b), .or(let a, let b): return a.comparisons + b.comparisons
        }
    }

    /// True when some comparison is against the series' baseline.
    public var usesBaseline: Bool {
        comparisons.contains { if case .baseline = $0.threshold { true } else { false } }
    }
}

/// One `selector OP threshold`.
public struct RuleComparison: Sendable, Equatable {
    public var metric: String
    public var matchers: [LabelMatcher]
    public var op: ComparisonOp
    public var threshold: Threshold

    public init(metric: String, matchers: [LabelMatcher] = [], op: ComparisonOp, threshold: Threshold) {
        self.metric = metric; self.matchers = matchers; self.op = op; self.threshold = threshold
    }

    /// `error_rate{service="payment"}`, as PromQL writes a selector.
    public var selector: String {
        matchers.isEmpty ? metric : metric + "{" + matchers.map(\.description).joined(separator: ", ") + "}"
    }
}

/// `>`, `>=`, `<`, `<=`, `==`, `!=`.
public enum ComparisonOp: String, Sendable, CaseIterable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "==", notEqual = "!="

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        case .equal: return value == threshold
        case .notEqual: return value != threshold
        }
    }

    /// Whether `a` departs further from the threshold than `b` in this comparison's
    /// direction: higher for `>`, lower for `<`, further away for `!=`. Picks the peak.
    func isWorse(_ a: Double, than b: Double, threshold: Double) -> Bool {
        switch self {
        case .greater, .greaterOrEqual: return a > b
        case .less, .lessOrEqual: return a < b
        case .notEqual: return abs(a - threshold) > abs(b - threshold)
        case .equal: return false
        }
    }
}

/// What a series is compared with.
public enum Threshold: Sendable, Equatable {
    /// A fixed value in the metric's unit (ratios as fractions, latency in seconds).
    case value(Double)
    /// A multiple of the series' own trailing median (`2× baseline`).
    case baseline(factor: Double)
}
