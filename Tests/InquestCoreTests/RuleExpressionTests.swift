import Testing
@testable import InquestCore

@Suite("Rule expressions")
struct RuleExpressionTests {
    func comparison(_ text: String) throws -> RuleComparison {
        let e = try RuleExpressionParser.parse(text)
        guard case .compare(let c) = e else {
            Testing.Issue.record("not a single comparison: \(e)")
            return RuleComparison(metric: "", op: .greater, threshold: .value(0))
        }
        return c
    }

    func error(_ text: String) -> RuleExpressionError? {
        do throws(RuleExpressionError) {
            _ = try RuleExpressionParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: ComparisonOp.allCases)
    func everyOperator(_ op: ComparisonOp) throws {
        let c = try comparison("requests \(op.rawValue) 10")
        #expect(c.op == op)
        #expect(c.threshold == .value(10))
        #expect(c.metric == "requests")
    }

    @Test func operatorSemantics() {
        #expect(ComparisonOp.greater.holds(2, 1) && !ComparisonOp.greater.holds(1, 1))
        #expect(ComparisonOp.greaterOrEqual.holds(1, 1) && !ComparisonOp.greaterOrEqual.holds(0.5, 1))
        #expect(ComparisonOp.less.holds(0, 1) && !ComparisonOp.less.holds(1, 1))
        #expect(ComparisonOp.lessOrEqual.holds(1, 1) && !ComparisonOp.lessOrEqual.holds(2, 1))
        #expect(ComparisonOp.equal.holds(1, 1) && !ComparisonOp.equal.holds(2, 1))
        #expect(ComparisonOp.notEqual.holds(2, 1) && !ComparisonOp.notEqual.holds(1, 1))
    }

    @Test func selectorWithEveryMatcher() throws {
        let c = try comparison(#"error_rate{service="payment", operation!="GET /health", service=~"pay.*", operation!~'POST \.+',} > 0.05"#)
        #expect(c.metric == "error_rate")
        #expect(c.matchers == [
            LabelMatcher("service", .equal, "payment"),
            LabelMatcher("operation", .notEqual, "GET /health"),
            LabelMatcher("service", .matches, "pay.*"),
            LabelMatcher("operation", .notMatches, #"POST \.+"#),
        ])
        #expect(c.threshold == .value(0.05))
        #expect(try comparison("count{} >= 1").matchers.isEmpty)
    }

    @Test func escapedQuotes() throws {
        let c = try comparison(#"count{pattern="say \"hi\""} > 1"#)
        #expect(c.matchers.first?.value == #"say "hi""#)
    }

    @Test(arguments: [
        ("error_rate > 5%", 0.05),
        ("error_rate > 0.5%", 0.005),
        ("p99 > 800ms", 0.8),
        ("p95 > 2s", 2),
        ("p50 > 1m", 60),
        ("p90 > 250us", 0.00025),
        ("p90 > 1.5", 1.5),
        ("count > 1e3", 1000),
        ("rate < -1", -1),
    ])
    func units(_ text: String, _ expected: Double) throws {
        guard case .value(let v) = try comparison(text).threshold else { Testing.Issue.record("not a value"); return }
        #expect(abs(v - expected) < 1e-12, "\(text)")
    }

    @Test(arguments: ["2× baseline", "2x baseline", "2 x baseline", "2 * baseline", "2×baseline", "2xbaseline", "2 ×  baseline"])
    func baselineForms(_ threshold: String) throws {
        #expect(try comparison("rate{level=\"error\"} > \(threshold)").threshold == .baseline(factor: 2))
    }

    @Test func bareBaselineAndFraction() throws {
        #expect(try comparison("requests < baseline").threshold == .baseline(factor: 1))
        #expect(try comparison("requests < 0.5x baseline").threshold == .baseline(factor: 0.5))
        #expect(try RuleExpressionParser.parse("p99 > 3x baseline").usesBaseline)
        #expect(try !RuleExpressionParser.parse("p99 > 3").usesBaseline)
    }

    @Test func andBindsTighterThanOr() throws {
        let e = try RuleExpressionParser.parse("requests > 1 or errors > 2 and p99 > 1s")
        guard case .or(.compare(let a), .and(.compare(let b), .compare(let c))) = e else {
            Testing.Issue.record("wrong tree: \(e)"); return
        }
        #expect([a.metric, b.metric, c.metric] == ["requests", "errors", "p99"])
        let grouped = try RuleExpressionParser.parse("(requests > 1 or errors > 2) and p99 > 1s")
        guard case .and(.or, .compare) = grouped else { Testing.Issue.record("wrong tree: \(grouped)"); return }
        #expect(grouped.comparisons.map(\.metric) == ["requests", "errors", "p99"])
    }

    @Test(arguments: [
        // (expression, offset of the mistake, part of the message)
        ("err_rate > 1", 0, "unknown metric 'err_rate'; known metrics: count, rate, requests"),
        ("error_rate{svc=\"a\"} > 1", 11, "unknown label 'svc' for error_rate; its labels: service, operation"),
        ("error_rate{service=\"payment\" > 0.05", 29, "expected ',' or '}'"),
        ("error_rate{service=\"payment} > 0.05", 19, "string not closed"),
        ("error_rate{service=payment} > 0.05", 19, "expected a quoted value"),
        ("error_rate{service==\"a\"} > 1", 18, "labels take a single '='"),
        ("error_rate{service=~\"(\"} > 1", 21, "invalid regular expression"),
        ("error_rate", 10, "expected a comparison"),
        ("error_rate = 1", 11, "to compare a value use '=='"),
        ("error_rate >", 12, "expected a threshold after '>'"),
        ("error_rate > 800ms", 13, "a duration compares with a latency metric"),
        ("p99 > 5%", 6, "a percentage compares with a ratio"),
        ("p99 > 800 ms", 10, "write the unit right after the number: 800ms"),
        ("p99 > 800mss", 9, "unknown unit 'mss'"),
        ("rate > 2x", 9, "expected 'baseline'"),
        ("rate > -2x baseline", 7, "cannot be negative"),
        ("rate > 1 rate > 2", 9, "join comparisons with 'and' or 'or'"),
        ("rate > 1 && rate > 2", 9, "join comparisons with 'and' or 'or'"),
        ("(rate > 1", 9, "expected ')'"),
        ("rate > 1 and", 12, "expected a metric"),
        ("rate > 1 $", 9, "unexpected character '$'"),
    ])
    func errors(_ text: String, _ offset: Int, _ message: String) {
        let e = error(text)
        #expect(e?.offset == offset, "\(text): \(e?.description ?? "no error")")
        #expect(e?.message.contains(message) == true, "\(text): \(e?.message ?? "no error")")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "(", count: 10_000) + "rate > 1" + String(repeating: ")", count: 10_000)
        #expect(error(text)?.message.contains("nested too deep") == true)
    }

    @Test func offsetsCountUnicodeScalars() {
        // "é" is one scalar: the unknown metric after it is at offset 10.
        #expect(error("count{pattern=\"é\"} > 1 and nope > 1")?.offset == 27)
    }

    /// Random expressions from the language's own pieces: each parses or fails with an
    /// offset inside the text, and never traps.
    @Test func randomInputNeverTraps() {
        let pieces = ["error_rate", "p99", "count", "{", "}", "(", ")", ",", "service", "=", "!=", "=~", "!~", "==", ">", ">=",
                      "<", "<=", "\"a\"", "'(", "\"", "\\", "5%", "800ms", "2x", "×", "*", "baseline", "and", "or", "-",
                      "1e", "1e309", ".", "µs", " ", "\n", "é", "$", "&&"]
        var rng = SimRandom(seed: 7)
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 12)
            let text = (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            do throws(RuleExpressionError) {
                _ = try RuleExpressionParser.parse(text)
            } catch {
                #expect(error.offset >= 0 && error.offset <= text.unicodeScalars.count, "\(text): \(error)")
            }
        }
    }
}
