/// One alert rule of a rule file, checked and ready to evaluate.
public struct AlertRule: Sendable, Equatable {
    /// The `alert:` name, unique in the file.
    public var name: String
    /// The group it was written in, if any.
    public var group: String?
    /// The expression as written.
    public var expr: String
    public var expression: RuleExpression
    /// How long the condition must hold before the rule fires (`for:`), in nanoseconds.
    public var forNanos: Int64
    /// The trailing window of `N× baseline` (`baseline:`), in nanoseconds; nil for the
    /// default of `RuleBacktest.defaultBaselineBuckets` buckets.
    public var baselineNanos: Int64?
    /// `severity:` (or `labels: {severity: …}`), nil when not given.
    public var severity: String?
    /// `summary:` (or `annotations: {summary: …}`).
    public var summary: String?
    /// Line of the rule in its file.
    public var line: Int

    public init(name: String, group: String? = nil, expr: String, expression: RuleExpression, forNanos: Int64 = 0,
                baselineNanos: Int64? = nil, severity: String? = nil, summary: String? = nil, line: Int = 0) {
        self.name = name; self.group = group; self.expr = expr; self.expression = expression
        self.forNanos = forNanos; self.baselineNanos = baselineNanos; self.severity = severity
        self.summary = summary; self.line = line
    }

    /// A rule from an expression, for tests and callers building rules in code.
    public init(_ name: String, _ expr: String, for forNanos: Int64 = 0, severity: String? = nil) throws(RuleExpressionError) {
        self.init(name: name, expr: expr, expression: try RuleExpressionParser.parse(expr), forNanos: forNanos, severity: severity)
    }
}
