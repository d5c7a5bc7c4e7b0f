import Testing
@testable import InquestCore

@Suite("Rule files")
struct RuleFileTests {
    func errors(_ yaml: String) -> [RuleFileError] {
        do throws(RuleFileErrors) {
            let rules = try RuleFile.parse(yaml)
            Testing.Issue.record("parsed: \(rules.map(\.name))")
            return []
        } catch {
            return error.errors
        }
    }

    /// The single error of a file, as `LINE:COLUMN: message`.
    func error(_ yaml: String) -> String {
        let e = errors(yaml)
        #expect(e.count == 1, "\(e)")
        return e.first?.description ?? "no error"
    }

    @Test func groupsAndTopLevelRules() throws {
        let rules = try RuleFile.parse("""
            groups:
              - name: checkout
                rules:
                  - alert: PaymentErrors
                    expr: error_rate{service="payment"} > 0.05
                    for: 10m
                    severity: page
                    summary: "payment fails"
                  - alert: SlowCheckout
                    expr: 'p99{service="checkout"} > 800ms'
                    labels: {severity: ticket}
                    annotations:
                      summary: slow
            rules:
              - alert: ErrorSpike
                expr: rate{level="error"} > 2× baseline
                baseline: 2h
            """)
        #expect(rules.map(\.name) == ["PaymentErrors", "SlowCheckout", "ErrorSpike"])
        #expect(rules[0].group == "checkout" && rules[2].group == nil)
        #expect(rules[0].forNanos == 600_000_000_000)
        #expect(rules[0].severity == "page" && rules[0].summary == "payment fails")
        #expect(rules[1].severity == "ticket" && rules[1].summary == "slow")
        #expect(rules[1].forNanos == 0)
        #expect(rules[2].baselineNanos == 7_200_000_000_000)
        #expect(rules[0].line == 4)
        #expect(rules[0].expr == #"error_rate{service="payment"} > 0.05"#)
    }

    @Test func forZeroAndCompoundDurations() throws {
        let rules = try RuleFile.parse("""
            rules:
              - {alert: A, expr: count > 1, for: 0}
              - {alert: B, expr: count > 1, for: 1h30m}
            """)
        #expect(rules.map(\.forNanos) == [0, 5_400_000_000_000])
    }

    @Test func yamlSyntaxErrorUsesLibyamlsMark() {
        let e = error("""
            rules:
              - alert: A
                expr: "count > 1
              - alert: B
            """)
        // An unclosed quote: the stream ends inside it; the context names where it opened.
        #expect(e == "4:13: YAML: found unexpected end of stream (while scanning a quoted scalar at line 3, column 11)")
        // A key indented one column short of its rule: libyaml points at the key.
        #expect(error("rules:\n  - alert: A\n   expr: x\n") == "3:4: YAML: did not find expected '-' indicator (while parsing a block collection at line 2, column 3)")
    }

    @Test func unknownKeyPointsAtTheKey() {
        #expect(error("""
            rules:
              - alert: A
                expr: count > 1
                severty: page
            """) == "4:5: unknown key 'severty' in a rule; allowed: alert, expr, for, severity, summary, description, baseline, labels, annotations")
        #expect(error("grups: []\n").hasPrefix("1:1: unknown key 'grups' at the top of the file"))
        #expect(error("groups:\n  - name: g\n    interval: 1m\n    rules: []\n").hasPrefix("3:5: unknown key 'interval' in a group"))
    }

    @Test func missingAlertOrExprPointsAtTheRule() {
        #expect(error("rules:\n  - expr: count > 1\n") == "2:5: rule without `alert:` (its name)")
        #expect(error("rules:\n  - alert: A\n    severity: page\n") == "2:5: rule 'A' without `expr:`")
        #expect(error("rules:\n  - alert:\n    expr: count > 1\n") == "2:11: `alert:` is empty")
    }

    @Test func badDurations() {
        #expect(error("rules:\n  - alert: A\n    expr: count > 1\n    for: 10 minutes\n")
            == "4:10: `for:` '10 minutes' is not a duration: use e.g. 30s, 10m, 1h30m, 1d")
        #expect(error("rules:\n  - alert: A\n    expr: count > 1\n    for: 5\n") == "4:10: `for:` '5' needs a unit: e.g. 30s, 10m, 1h")
        #expect(error("rules:\n  - alert: A\n    expr: count > 1\n    for: -5m\n").hasPrefix("4:10: `for:` '-5m' is not a duration"))
        #expect(error("rules:\n  - alert: A\n    expr: count > 2x baseline\n    baseline: 0s\n") == "4:15: `baseline:` must be longer than 0")
    }

    @Test func expressionErrorColumnsInPlainQuotedAndBlockScalars() {
        // Plain: `expr: ` puts the expression at column 11; the unknown label at offset 11.
        #expect(error("rules:\n  - alert: A\n    expr: error_rate{svc=\"a\"} > 1\n").hasPrefix("3:22: expr: unknown label 'svc'"))
        // Double-quoted with escaped quotes: one more for the opening quote, one per escape.
        #expect(error("rules:\n  - alert: A\n    expr: \"error_rate{service=\\\"a\\\"} > 1 and nope > 1\"\n")
            .hasPrefix("3:46: expr: unknown metric 'nope'"))
        // Single-quoted.
        #expect(error("rules:\n  - alert: A\n    expr: 'p99 > 5%'\n").hasPrefix("3:18: expr: a percentage"))
        // A literal block over two lines: the second line's mistake is on the file's line 5.
        #expect(error("rules:\n  - alert: A\n    expr: |\n      requests > 10\n        and p99 > 800 ms\n")
            .hasPrefix("5:23: expr: write the unit right after the number"))
        // Folded plain scalar over two lines.
        #expect(error("rules:\n  - alert: A\n    expr: requests > 10\n      and p99 >\n").hasPrefix("4:16: expr: expected a threshold"))
    }

    @Test func duplicateAlertNames() {
        #expect(error("""
            groups:
              - name: a
                rules:
                  - alert: Same
                    expr: count > 1
              - name: b
                rules:
                  - alert: Same
                    expr: count > 2
            """) == "8:16: duplicate alert name 'Same' (first at line 4)")
    }

    @Test func duplicateKeys() {
        #expect(error("rules:\n  - alert: A\n    expr: count > 1\n    expr: count > 2\n") == "4:5: duplicate key 'expr' (first at line 3)")
    }

    @Test func allMistakesAreListedInOrder() {
        let e = errors("""
            rules:
              - alert: A
                expr: nope > 1
              - alert: B
                expr: count > 1
                for: soon
              - alert: A
                expr: count > 1
            """)
        #expect(e.map { "\($0.line):\($0.column)" } == ["3:11", "6:10", "7:12"])
    }

    @Test func shapesAndEmptyFiles() {
        #expect(error("") == "1:1: no rules: expected `groups:` (each with `rules:`) or a top-level `rules:` list")
        #expect(error("rules: []\n").hasPrefix("1:1: no rules"))
        #expect(error("- a\n- b\n") == "1:1: the rule file: expected a mapping with `groups:` or `rules:`, found a list")
        #expect(error("rules:\n  alert: A\n").hasPrefix("2:3: `rules:`: expected a list of rules"))
        #expect(error("rules:\n  - just text\n") == "2:5: a rule: expected a mapping with `alert:` and `expr:`, found 'just text'")
        #expect(error("rules:\n  - alert: [a, b]\n    expr: count > 1\n") == "2:12: `alert:` expects text, found a list")
        #expect(error("rules:\n  - alert: A\n    expr: count > 1\n    baseline: 1h\n").hasPrefix("4:5: `baseline:` is set but"))
    }
}

@Suite("Rule files, hostile")
struct RuleFileHostileTests {
    func errors(_ yaml: String) -> [RuleFileError] {
        do throws(RuleFileErrors) {
            _ = try RuleFile.parse(yaml)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func deepNestingIsRefusedBeforeTheComposerRecurses() {
        let flow = errors("rules: " + String(repeating: "[", count: 100_000))
        #expect(flow.first?.description == "1:1: nested more than 200 levels deep; a rule file needs a handful")
        let compact = errors("rules:\n" + String(repeating: "- ", count: 50_000) + "x\n")
        #expect(compact.first?.line == 2)
        // Ordinary files, brackets in expressions and regular expressions included, pass.
        #expect(RuleFile.tooDeep("rules:\n  - alert: A\n    expr: count{service=~\"[a-z]+\"} > 1 # [[[\n") == nil)
    }

    @Test func aliasesCannotMakeTheWalkExponential() {
        // A thousand groups of a thousand copies of one rule, in a few lines.
        let thousand = { (alias: String) in "[" + Array(repeating: "*" + alias, count: 1000).joined(separator: ", ") + "]" }
        let yaml = """
            rules:
              - &r {alert: A, expr: count > 1}
            groups: [\(Array(repeating: "{name: g, rules: &rs \(thousand("r"))}", count: 1).joined()), \(Array(repeating: "{name: h, rules: *rs}", count: 999).joined(separator: ", "))]
            """
        let e = errors(yaml)
        #expect(e.count <= RuleFile.maxErrors + 1)
        #expect(e.contains { $0.message == "too many mistakes; stopped reading here" })
    }
}
