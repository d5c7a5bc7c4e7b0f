#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX extended regular expression (the dialect of `grep -E`), compiled once and
/// matched against bytes without building `String`s.
public final class Pattern: @unchecked Sendable {
    var regex = regex_t()
    public let source: String

    /// - Throws: `PatternError` with the library's message when the expression is invalid.
    public init(_ source: String, caseInsensitive: Bool = false) throws(PatternError) {
        self.source = source
        var flags = REG_EXTENDED | REG_NOSUB
        if caseInsensitive { flags |= REG_ICASE }
        let rc = regcomp(&regex, source, flags)
        if rc != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buf, buf.count)
            let message = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PatternError(pattern: source, message: message)
        }
    }

    deinit { regfree(&regex) }

    /// True when the expression matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        // regexec reads a NUL-terminated string; regexec on one regex_t is thread-safe in glibc.
        text.withCString { regexec(&regex, $0, 0, nil, 0) == 0 }
    }
}

public struct PatternError: Error, Sendable, CustomStringConvertible {
    public var pattern: String
    public var message: String
    public var description: String { "invalid regular expression '\(pattern)': \(message)" }
}
