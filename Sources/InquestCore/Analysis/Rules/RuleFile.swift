import Foundation
internal import Yams

/// Reads a YAML rule file into checked `AlertRule`s, reporting every mistake with the
/// line and column where it is.
///
/// ```yaml
/// groups:                     # or a top-level `rules:` list, or both
///   - name: checkout
///     rules:
///       - alert: PaymentErrors
///         expr: error_rate{service="payment"} > 5%
///         for: 10m              # optional; absent or 0 fires at once
///         severity: page        # optional (also `labels: {severity: page}`)
///         summary: "…"          # optional (also `annotations: {summary: …}`)
///         baseline: 1d          # optional window for `N× baseline`
/// ```
///
/// YAML syntax errors stop at the first (libyaml's position); all other mistakes —
/// unknown or repeated keys, a missing `alert` or `expr`, a bad duration, an expression
/// error (its column inside the expression mapped to the file), a repeated alert name —
/// are collected, so one run lists them all.
public enum RuleFile {
    /// Keys a rule may have. `labels` and `annotations` are Prometheus' places for
    /// `severity` and `summary`/`description`.
    static let ruleKeys = ["alert", "expr", "for", "severity", "summary", "description", "baseline", "labels", "annotations"]
    static let groupKeys = ["name", "rules"]
    static let topKeys = ["groups", "rules"]

    /// Parses rule-file text.
    /// - Throws: `RuleFileErrors`, sorted by position, when anything is wrong.
    /// - Parameter series: names of metric series in the inputs, which expressions may name.
    public static func parse(_ text: String, series: Set<String> = []) throws(RuleFileErrors) -> [AlertRule] {
        if let line = tooDeep(text) {
            throw RuleFileErrors([RuleFileError(line: line, column: 1, message: "nested more than \(maxDepth) levels deep; a rule file needs a handful")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw RuleFileErrors([syntaxError(e)])
        } catch {
            throw RuleFileErrors([RuleFileError(line: 1, column: 1, message: "cannot read as YAML: \(error)")])
        }
        var reader = Reader(text)
        reader.series = series
        reader.read(root)
        if reader.errors.isEmpty && reader.rules.isEmpty {
            let at = root?.mark
            reader.fail(at, "no rules: expected `groups:` (each with `rules:`) or a top-level `rules:` list")
        }
        guard reader.errors.isEmpty else {
            throw RuleFileErrors(reader.errors.enumerated()
                .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
                .map(\.element))
        }
        return reader.rules
    }

    /// Reads and parses a rule file; invalid UTF-8 is repaired (and then usually fails to parse).
    /// - Throws: `RuleFileErrors`; a file that cannot be read is one error at line 0.
    public static func load(path: String, series: Set<String> = []) throws(RuleFileErrors) -> [AlertRule] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular,
              let data = FileManager.default.contents(atPath: path) else {
            throw RuleFileErrors([RuleFileError(line: 0, column: 0, message: "cannot read the rule file")])
        }
        guard (attributes[.size] as? Int ?? 0) <= maxBytes, data.count <= maxBytes else {
            throw RuleFileErrors([RuleFileError(line: 0, column: 0, message: "the rule file is larger than \(maxBytes >> 20) MiB")])
        }
        return try parse(String(decoding: data, as: UTF8.self), series: series)
    }

    /// Deepest nesting let through to the YAML composer, which recurses once per level
    /// (a file of `[[[[…` would otherwise exhaust the stack).
    static let maxDepth = 200
    static let maxNodes = 10_000
    static let maxErrors = 100
    /// Largest rule file read.
    static let maxBytes = 4 << 20

    /// The first line where the nesting may pass `maxDepth`, or nil. An over-estimate,
    /// cheap and on bytes: open flow brackets (outside comments; quotes are not
    /// followed, so brackets in strings count until closed) plus the open indentation
    /// levels plus compact indicators (`- - x`) at the start of the line.
    static func tooDeep(_ text: String) -> Int? {
        var flow = 0
        var indents: [Int] = []
        var line = 1
        var column = 0
        var indent = 0
        var atStart = true         // only spaces so far on this line
        var compact = 0
        var previous: UInt8 = 32
        var comment = false
        for b in text.utf8 {
            if b == 10 {
                line += 1; column = 0; indent = 0; atStart = true; compact = 0; previous = 32; comment = false
                continue
            }
            column += 1
            if comment { continue }
            if atStart {
                if b == 32 { indent += 1; previous = b; continue }
                if b == 35 { comment = true; continue }
                atStart = false
                while let top = indents.last, top >= indent { indents.removeLast() }
                indents.append(indent)
            }
            if (b == 45 || b == 63 || b == 58) && (previous == 32 || column == indent + 1) {
                compact += 1   // "- ", "? ", ": " (over-counted inside text: harmless)
            }
            switch b {
            case 91, 123: flow += 1          // [ {
            case 93, 125: flow = max(0, flow - 1)
            case 35 where previous == 32 || previous == 9: comment = true
            default: break
            }
            if flow + indents.count + compact > maxDepth { return line }
            previous = b
        }
        return nil
    }

    static func syntaxError(_ e: YamlError) -> RuleFileError {
        func message(_ problem: String, _ context: YamlError.Context?) -> String {
            var m = "YAML: " + problem
            if let context { m += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return m
        }
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return RuleFileError(line: mark.line, column: mark.column, message: message(problem, context))
        case .reader(let problem, _, _, _):
            return RuleFileError(line: 1, column: 1, message: "YAML: " + problem)
        default:
            return RuleFileError(line: 1, column: 1, message: "YAML: \(e)")
        }
    }
}

/// A mistake in a rule file at a line and column (1-based; columns count Unicode
/// scalars, as libyaml does). Line 0 means the file as a whole.
public struct RuleFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line; self.column = column; self.message = message
    }

    /// `LINE:COLUMN: message`; prefix the file name for `FILE:LINE:COLUMN: message`.
    public var description: String { line > 0 ? "\(line):\(column): \(message)" : message }
}

/// Every mistake found in a rule file, in file order.
public struct RuleFileErrors: Error, Sendable, Equatable {
    public var errors: [RuleFileError]
    public init(_ errors: [RuleFileError]) { self.errors = errors }
}

/// Walks the composed YAML tree; collects rules and errors.
private struct Reader {
    /// The file's lines as Unicode scalars, to map positions inside expressions.
    let lines: [[Unicode.Scalar]]
    var rules: [AlertRule] = []
    var errors: [RuleFileError] = []
    var alertLines: [String: Int] = [:]
    var groupLines: [String: Int] = [:]
    /// Rules and groups walked: aliases can repeat a node exponentially often, so the
    /// walk stops after `RuleFile.maxNodes`, or after `RuleFile.maxErrors` mistakes.
    var walked = 0
    var stopped = false

    /// False (once reported) when the walk must stop.
    mutating func budget(_ mark: Mark?) -> Bool {
        guard !stopped else { return false }
        walked += 1
        if walked > RuleFile.maxNodes || errors.count >= RuleFile.maxErrors {
            stopped = true
            fail(mark, walked > RuleFile.maxNodes ? "more than \(RuleFile.maxNodes) rules; stopped reading here" : "too many mistakes; stopped reading here")
            return false
        }
        return true
    }

    /// Names of metric series in the inputs.
    var series: Set<String> = []

    init(_ text: String) {
        var lines: [[Unicode.Scalar]] = [[]]
        for c in text.unicodeScalars {
            if c == "\n" { lines.append([]) } else { lines[lines.count - 1].append(c) }
        }
        self.lines = lines
    }

    mutating func fail(_ mark: Mark?, _ message: String) {
        errors.append(RuleFileError(line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    mutating func read(_ root: Node?) {
        guard let root else { return }
        guard let map = mapping(root, "the rule file", expected: "a mapping with `groups:` or `rules:`") else { return }
        let keys = self.keys(map, allowed: RuleFile.topKeys, in: "at the top of the file")
        if let groups = keys["groups"] {
            guard let seq = sequence(groups.value, "`groups:`", expected: "a list of groups (- name: …)") else { return }
            for g in seq { group(g) }
        }
        if let rules = keys["rules"] {
            guard let seq = sequence(rules.value, "`rules:`", expected: "a list of rules (- alert: …)") else { return }
            for r in seq { rule(r, group: nil) }
        }
    }

    mutating func group(_ node: Node) {
        guard budget(node.mark) else { return }
        guard let map = mapping(node, "a group", expected: "a mapping with `name:` and `rules:`") else { return }
        let keys = self.keys(map, allowed: RuleFile.groupKeys, in: "in a group")
        var name: String?
        if let n = keys["name"] {
            name = text(n.value, "`name:`")
            if let name, let mark = n.value.mark {
                if let first = groupLines[name] {
                    fail(mark, "duplicate group name '\(name)' (first at line \(first))")
                } else {
                    groupLines[name] = mark.line
                }
            }
        }
        guard let rules = keys["rules"] else {
            fail(node.mark, "group\(name.map { " '\($0)'" } ?? "") has no `rules:`")
            return
        }
        guard let seq = sequence(rules.value, "`rules:`", expected: "a list of rules (- alert: …)") else { return }
        for r in seq { rule(r, group: name) }
    }

    mutating func rule(_ node: Node, group: String?) {
        guard budget(node.mark) else { return }
        guard let map = mapping(node, "a rule", expected: "a mapping with `alert:` and `expr:`") else { return }
        let keys = self.keys(map, allowed: RuleFile.ruleKeys, in: "in a rule")
        let errorsBefore = errors.count

        var name: String?
        if let a = keys["alert"] {
            if let n = text(a.value, "`alert:`") {
                if let first = alertLines[n] {
                    fail(a.value.mark, "duplicate alert name '\(n)' (first at line \(first))")
                } else {
                    alertLines[n] = a.value.mark?.line ?? 0
                    name = n
                }
            }
        } else {
            fail(node.mark, "rule without `alert:` (its name)")
        }

        var expression: (String, RuleExpression)?
        if let e = keys["expr"] {
            if let text = text(e.value, "`expr:`") {
                do throws(RuleExpressionError) {
                    expression = (text, try RuleExpressionParser.parse(text, series: series))
                } catch {
                    let (line, column) = position(of: error.offset, in: text, scalar: e.value.mark)
                    errors.append(RuleFileError(line: line, column: column, message: "expr: " + error.message))
                }
            }
        } else {
            fail(node.mark, "rule\(name.map { " '\($0)'" } ?? "") without `expr:`")
        }

        let forNanos = keys["for"].flatMap { duration($0.value, "`for:`", zeroAllowed: true) } ?? 0
        let baseline = keys["baseline"].flatMap { duration($0.value, "`baseline:`", zeroAllowed: false) }
        if let b = keys["baseline"], let expression, !expression.1.usesBaseline {
            fail(b.key.mark, "`baseline:` is set but the expression compares with no baseline (write e.g. > 2× baseline)")
        }
        var severity = keys["severity"].flatMap { text($0.value, "`severity:`") }
        var summary = keys["summary"].flatMap { text($0.value, "`summary:`") }
        if let description = keys["description"] { _ = text(description.value, "`description:`") }
        if let labels = keys["labels"], let m = mapping(labels.value, "`labels:`", expected: "a mapping of label names to values") {
            for (k, v) in m where k.scalar?.string == "severity" { severity = severity ?? text(v, "`severity:`") }
        }
        if let annotations = keys["annotations"], let m = mapping(annotations.value, "`annotations:`", expected: "a mapping of names to text") {
            for (k, v) in m where k.scalar?.string == "summary" { summary = summary ?? text(v, "`summary:`") }
        }

        guard errors.count == errorsBefore, let name, let expression else { return }
        rules.append(AlertRule(name: name, group: group, expr: expression.0, expression: expression.1, forNanos: forNanos,
                               baselineNanos: baseline, severity: severity, summary: summary, line: node.mark?.line ?? 0))
    }

    // MARK: Values

    mutating func mapping(_ node: Node, _ what: String, expected: String) -> Node.Mapping? {
        if let m = node.mapping { return m }
        fail(node.mark, "\(what): expected \(expected), found \(shape(node))")
        return nil
    }

    mutating func sequence(_ node: Node, _ what: String, expected: String) -> Node.Sequence? {
        if let s = node.sequence { return s }
        fail(node.mark, "\(what): expected \(expected), found \(shape(node))")
        return nil
    }

    /// A non-empty scalar's text.
    mutating func text(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar else {
            fail(node.mark, "\(what) expects text, found \(shape(node))")
            return nil
        }
        let t = s.string.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty || (s.style == .plain && ["~", "null", "Null", "NULL"].contains(t)) {
            fail(node.mark, "\(what) is empty")
            return nil
        }
        return s.string
    }

    /// A duration with a unit (`10m`, `30s`, `1h30m`), or a bare `0`.
    mutating func duration(_ node: Node, _ what: String, zeroAllowed: Bool) -> Int64? {
        guard let t = text(node, what)?.trimmingCharacters(in: .whitespaces) else { return nil }
        let bare = t.allSatisfy { $0.isNumber || $0 == "." }
        if bare, Double(t) == 0, zeroAllowed { return 0 }
        guard !bare else {
            fail(node.mark, "\(what) '\(t)' needs a unit: e.g. 30s, 10m, 1h")
            return nil
        }
        guard let n = Duration.parseNanos(t), n >= 0 else {
            fail(node.mark, "\(what) '\(t)' is not a duration: use e.g. 30s, 10m, 1h30m, 1d")
            return nil
        }
        if n == 0 && !zeroAllowed {
            fail(node.mark, "\(what) must be longer than 0")
            return nil
        }
        return n
    }

    func shape(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return s.string.isEmpty ? "nothing" : "'\(s.string)'"
        }
    }

    /// The keys of a mapping by name; unknown, repeated and non-text keys are errors.
    mutating func keys(_ map: Node.Mapping, allowed: [String], in place: String) -> [String: (key: Node, value: Node)] {
        var out: [String: (key: Node, value: Node)] = [:]
        for (k, v) in map {
            guard let name = k.scalar?.string else {
                fail(k.mark, "a key \(place) must be text, found \(shape(k))")
                continue
            }
            guard allowed.contains(name) else {
                var hint = ""
                if name == "record" { hint = " (recording rules are not supported)" }
                fail(k.mark, "unknown key '\(name)' \(place)\(hint); allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            if let first = out[name] {
                fail(k.mark, "duplicate key '\(name)' (first at line \(first.key.mark?.line ?? 0))")
                continue
            }
            out[name] = (k, v)
        }
        return out
    }

    // MARK: Positions inside a scalar

    /// The file position of the `offset`-th Unicode scalar of a scalar's value.
    ///
    /// The value's characters other than white space appear in the file in order, from
    /// the scalar's mark on, whatever its style: plain, quoted (quotes and escapes are
    /// passed over), or a block (`|`, `>`: the indicator and indentation are passed
    /// over). So each is matched in turn; an offset on white space goes to the next
    /// character, an offset at the end to just after the last one.
    func position(of offset: Int, in value: String, scalar mark: Mark?) -> (Int, Int) {
        guard let mark else { return (1, 1) }
        var line = mark.line - 1, column = mark.column - 1
        var after = (mark.line, mark.column)
        for (k, c) in value.unicodeScalars.enumerated() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" { continue }
            var skipped = 0
            while true {
                guard line < lines.count, skipped < 512 else { return (mark.line, mark.column) }
                if column >= lines[line].count {
                    line += 1; column = 0
                } else if lines[line][column] == c {
                    break
                } else {
                    column += 1
                }
                skipped += 1
            }
            if k >= offset { return (line + 1, column + 1) }
            column += 1
            after = (line + 1, column + 1)
        }
        return after
    }
}
