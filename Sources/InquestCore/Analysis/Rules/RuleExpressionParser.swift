/// Reads rule expressions: a hand-written lexer and recursive-descent parser that
/// names the exact place of a mistake.
///
/// ```
/// expression  := conjunction ("or" conjunction)*
/// conjunction := primary ("and" primary)*
/// primary     := "(" expression ")" | comparison
/// comparison  := selector ( ">" | ">=" | "<" | "<=" | "==" | "!=" ) threshold
/// selector    := metric [ "{" [ matcher ("," matcher)* [","] ] "}" ]
/// matcher     := label ( "=" | "!=" | "=~" | "!~" ) string      -- "…" or '…'
/// threshold   := number [ "%" | duration-unit ]
///              | number ( "×" | "x" | "*" ) "baseline" | "baseline"
/// ```
///
/// Percentages (`5%` = 0.05) are for `error_rate`; durations (`800ms`, `2s`, `1m`, read
/// as seconds) for the latency metrics `p50` … `p99`, where a bare number is seconds too.
/// Metrics, labels and regular expressions are checked here, so an expression that
/// parses can be evaluated.
public enum RuleExpressionParser {
    /// - Parameter series: names of metric series in the inputs (metric dumps), which a
    ///   comparison may name beside the report's metrics, with any labels.
    public static func parse(_ text: String, series: Set<String> = []) throws(RuleExpressionError) -> RuleExpression {
        var p = try Parser(text)
        p.series = series
        let e = try p.expression()
        guard case .end = p.token.kind else {
            throw RuleExpressionError(p.token.start, "unexpected \(p.token.kind.shown) after a complete comparison; join comparisons with 'and' or 'or'")
        }
        return e
    }
}

/// A mistake in an expression, at `offset` Unicode scalars from its start.
public struct RuleExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Offset in Unicode scalars (the unit of YAML columns), 0-based.
    public var offset: Int
    public var message: String

    public init(_ offset: Int, _ message: String) {
        self.offset = offset; self.message = message
    }

    public var description: String { "column \(offset + 1): \(message)" }
}

// MARK: - Lexer

struct ExprToken {
    enum Kind: Equatable {
        case identifier(String)
        case string(String)
        /// A number and the letters (or `%`) written right after it.
        case number(Double, unit: String, text: String)
        case symbol(String)
        case end

        var shown: String {
            switch self {
            case .identifier(let s): return "'\(s)'"
            case .string(let s): return "\"\(s)\""
            case .number(_, _, let t): return "'\(t)'"
            case .symbol(let s): return "'\(s)'"
            case .end: return "the end of the expression"
            }
        }
    }
    var kind: Kind
    var start: Int
    /// Where the unit of a number starts.
    var unitStart: Int
}

struct ExprLexer {
    let s: [Unicode.Scalar]
    var i = 0

    init(_ text: String) { s = Array(text.unicodeScalars) }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    static func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    mutating func next() throws(RuleExpressionError) -> ExprToken {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1 }
        let start = i
        guard let c = peek() else { return ExprToken(kind: .end, start: i, unitStart: i) }
        if Self.isIdentStart(c) {
            while let d = peek(), Self.isIdentPart(d) { i += 1 }
            return ExprToken(kind: .identifier(text(start, i)), start: start, unitStart: i)
        }
        if Self.isDigit(c) || ((c == "." || c == "-") && peek(1).map(Self.isDigit) == true)
            || (c == "-" && peek(1) == "." && peek(2).map(Self.isDigit) == true) {
            return try number(start)
        }
        if c == "\"" || c == "'" { return try string(start, quote: c) }
        let two = peek(1).map { String(c) + String($0) }
        if let two, ["!=", "=~", "!~", ">=", "<=", "=="].contains(two) {
            i += 2
            return ExprToken(kind: .symbol(two), start: start, unitStart: i)
        }
        if "{},()=<>*×".unicodeScalars.contains(c) {
            i += 1
            return ExprToken(kind: .symbol(String(c)), start: start, unitStart: i)
        }
        if c == "&" || c == "|" {
            throw RuleExpressionError(start, "unexpected '\(c)'; join comparisons with 'and' or 'or'")
        }
        throw RuleExpressionError(start, "unexpected character '\(c)'")
    }

    mutating func number(_ start: Int) throws(RuleExpressionError) -> ExprToken {
        if peek() == "-" { i += 1 }
        while let d = peek(), Self.isDigit(d) || d == "." { i += 1 }
        // An exponent only when digits follow: `5m` is five minutes, `1e3` a thousand.
        if peek() == "e" || peek() == "E" {
            let sign = peek(1) == "+" || peek(1) == "-" ? 1 : 0
            if let d = peek(1 + sign), Self.isDigit(d) {
                i += 1 + sign
                while let d = peek(), Self.isDigit(d) { i += 1 }
            }
        }
        let digits = text(start, i)
        guard let value = Double(digits), value.isFinite else {
            throw RuleExpressionError(start, "'\(digits)' is not a number")
        }
        let unitStart = i
        if peek() == "%" {
            i += 1
        } else {
            while let d = peek(), Self.isIdentStart(d) || d == "µ" { i += 1 }
        }
        return ExprToken(kind: .number(value, unit: text(unitStart, i), text: text(start, i)), start: start, unitStart: unitStart)
    }

    mutating func string(_ start: Int, quote: Unicode.Scalar) throws(RuleExpressionError) -> ExprToken {
        i += 1
        var out = String.UnicodeScalarView()
        while let c = peek() {
            i += 1
            if c == quote { return ExprToken(kind: .string(String(out)), start: start, unitStart: i) }
            if c == "\n" { break }
            if c == "\\" {
                guard let e = peek() else { break }
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\", "\"", "'": out.append(e)
                default:
                    // Regular expressions keep their escapes: `\.` stays `\.`.
                    out.append("\\"); out.append(e)
                }
                continue
            }
            out.append(c)
        }
        throw RuleExpressionError(start, "string not closed: add the closing \(quote == "\"" ? "\"" : "'")")
    }

    func text(_ a: Int, _ b: Int) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[a..<b])
        return String(v)
    }
}

// MARK: - Parser

private struct Parser {
    var lexer: ExprLexer
    var token: ExprToken
    /// Nesting of parentheses, bounded so that a hostile file cannot overflow the stack.
    var depth = 0
    /// Names of metric series read from the inputs.
    var series: Set<String> = []

    init(_ text: String) throws(RuleExpressionError) {
        lexer = ExprLexer(text)
        token = try lexer.next()
    }

    mutating func advance() throws(RuleExpressionError) { token = try lexer.next() }

    func isKeyword(_ word: String) -> Bool { token.kind == .identifier(word) }
    func isSymbol(_ s: String) -> Bool { token.kind == .symbol(s) }

    mutating func expression() throws(RuleExpressionError) -> RuleExpression {
        var e = try conjunction()
        while isKeyword("or") {
            try advance()
            e = .or(e, try conjunction())
        }
        return e
    }

    mutating func conjunction() throws(RuleExpressionError) -> RuleExpression {
        var e = try primary()
        while isKeyword("and") {
            try advance()
            e = .and(e, try primary())
        }
        return e
    }

    mutating func primary() throws(RuleExpressionError) -> RuleExpression {
        if isSymbol("(") {
            let open = token.start
            depth += 1
            guard depth <= 64 else { throw RuleExpressionError(open, "parentheses nested too deep") }
            try advance()
            let e = try expression()
            guard isSymbol(")") else {
                throw RuleExpressionError(token.start, "expected ')' to close the '(' at column \(open + 1), found \(token.kind.shown)")
            }
            depth -= 1
            try advance()
            return e
        }
        return .compare(try comparison())
    }

    mutating func comparison() throws(RuleExpressionError) -> RuleComparison {
        guard case .identifier(let name) = token.kind, name != "and", name != "or" else {
            throw RuleExpressionError(token.start, "expected a metric (\(RuleMetric.names)), found \(token.kind.shown)")
        }
        guard let metric = RuleMetric.named(name) ?? (series.contains(name) ? RuleMetric.series(name) : nil) else {
            let more = series.isEmpty ? "" : ", or a metric series of the inputs (" + series.sorted().prefix(8).joined(separator: ", ") + (series.count > 8 ? ", …" : "") + ")"
            throw RuleExpressionError(token.start, "unknown metric '\(name)'; known metrics: \(RuleMetric.names)\(more)")
        }
        try advance()
        var matchers: [LabelMatcher] = []
        if isSymbol("{") {
            try advance()
            while !isSymbol("}") {
                matchers.append(try matcher(metric))
                if isSymbol(",") { try advance(); continue }
                guard isSymbol("}") else {
                    throw RuleExpressionError(token.start, "expected ',' or '}' after a label matcher, found \(token.kind.shown)")
                }
            }
            try advance()
        }
        let selector = RuleComparison(metric: name, matchers: matchers, op: .greater, threshold: .value(0)).selector
        let op: ComparisonOp
        switch token.kind {
        case .symbol(let s) where ComparisonOp(rawValue: s) != nil:
            op = ComparisonOp(rawValue: s) ?? .greater
        case .symbol("="):
            throw RuleExpressionError(token.start, "'=' matches labels inside { }; to compare a value use '=='")
        default:
            throw RuleExpressionError(token.start, "expected a comparison (>, >=, <, <=, == or !=) after \(selector), found \(token.kind.shown)")
        }
        let opText = op.rawValue
        try advance()
        let threshold = try self.threshold(metric, after: opText)
        return RuleComparison(metric: name, matchers: matchers, op: op, threshold: threshold)
    }

    mutating func matcher(_ metric: RuleMetric) throws(RuleExpressionError) -> LabelMatcher {
        guard case .identifier(let label) = token.kind else {
            throw RuleExpressionError(token.start, "expected a label (\(metric.labels.joined(separator: ", "))) or '}', found \(token.kind.shown)")
        }
        guard metric.labels.contains(label) || metric.kind == .gauge else {
            throw RuleExpressionError(token.start, "unknown label '\(label)' for \(metric.name); its labels: \(metric.labels.joined(separator: ", "))")
        }
        try advance()
        guard case .symbol(let s) = token.kind, let op = LabelMatcher.Op(rawValue: s) else {
            let hint = token.kind == .symbol("==") ? "; labels take a single '='" : ""
            throw RuleExpressionError(token.start, "expected =, !=, =~ or !~ after label '\(label)', found \(token.kind.shown)\(hint)")
        }
        try advance()
        guard case .string(let value) = token.kind else {
            throw RuleExpressionError(token.start, "expected a quoted value after \(label)\(op.rawValue), found \(token.kind.shown)")
        }
        if op == .matches || op == .notMatches {
            do throws(PatternError) { _ = try Pattern("^(" + value + ")$") } catch {
                throw RuleExpressionError(token.start + 1, "invalid regular expression \"\(value)\": \(error.message)")
            }
        }
        try advance()
        return LabelMatcher(label, op, value)
    }

    mutating func threshold(_ metric: RuleMetric, after op: String) throws(RuleExpressionError) -> Threshold {
        let expected = "a number, a percentage (5%), a duration (800ms, for p50…p99) or a multiple of the baseline (2× baseline)"
        if isKeyword("baseline") {
            try advance()
            return .baseline(factor: 1)
        }
        guard case .number(let value, let unit, let text) = token.kind else {
            throw RuleExpressionError(token.start, "expected a threshold after '\(op)': \(expected); found \(token.kind.shown)")
        }
        let numberToken = token
        try advance()
        // `2× baseline`, `2x baseline`, `2 x baseline`, `2 * baseline`, `2xbaseline`.
        var times = unit == "x" || unit == "X"
        if unit.lowercased() == "xbaseline" { return try factor(value, at: numberToken.start) }
        if unit.isEmpty, isSymbol("×") || isSymbol("*") || isKeyword("x") || isKeyword("X") {
            times = true
            try advance()
        }
        if times {
            guard isKeyword("baseline") else {
                throw RuleExpressionError(token.start, "expected 'baseline' after '\(text)×', found \(token.kind.shown)")
            }
            try advance()
            return try factor(value, at: numberToken.start)
        }
        switch unit {
        case "":
            if case .identifier(let word) = token.kind, Self.secondsPerUnit[word] != nil {
                throw RuleExpressionError(token.start, "write the unit right after the number: \(text)\(word)")
            }
            return .value(value)
        case "%":
            guard metric.kind == .ratio else {
                throw RuleExpressionError(numberToken.start, "a percentage compares with a ratio (error_rate), not \(metric.name)")
            }
            return .value(value / 100)
        default:
            guard let scale = Self.secondsPerUnit[unit] else {
                throw RuleExpressionError(numberToken.unitStart, "unknown unit '\(unit)' after \(text.dropLast(unit.count)); use %, or ns, us, ms, s, m, h for latency")
            }
            guard metric.kind == .latency else {
                throw RuleExpressionError(numberToken.start, "a duration compares with a latency metric (\(RuleMetric.latencyNames)), not \(metric.name)")
            }
            return .value(value * scale)
        }
    }

    func factor(_ value: Double, at offset: Int) throws(RuleExpressionError) -> Threshold {
        guard value >= 0 else { throw RuleExpressionError(offset, "a baseline factor cannot be negative") }
        return .baseline(factor: value)
    }

    static let secondsPerUnit: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "min": 60, "h": 3600,
    ]
}
