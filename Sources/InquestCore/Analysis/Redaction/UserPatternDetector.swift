#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A user-supplied POSIX extended regular expression (`--pattern REGEX`) whose
/// matches are redacted. Unlike `Pattern`, which only answers whether a line
/// matches, this one reports where, and matches bytes in place (`REG_STARTEND`:
/// no copy, NUL bytes allowed).
public final class UserPatternDetector: @unchecked Sendable {
    var regex = regex_t()
    public let source: String

    /// - Throws: `PatternError` with the library's message when the expression is
    ///   invalid or matches the empty string.
    public init(_ source: String) throws(PatternError) {
        self.source = source
        let rc = regcomp(&regex, source, REG_EXTENDED)
        if rc != 0 {
            var buf = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buf, buf.count)
            let message = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PatternError(pattern: source, message: message)
        }
        // An expression that matches nothing would loop forever on every byte.
        var probe: [Detection] = []
        [UInt8]("x".utf8).withUnsafeBufferPointer { scan($0, into: &probe) }
        if probe.contains(where: { $0.range.isEmpty }) || "".withCString({ regexec(&regex, $0, 0, nil, 0) == 0 }) {
            regfree(&regex)
            throw PatternError(pattern: source, message: "it matches the empty string")
        }
    }

    deinit { regfree(&regex) }

    /// Appends every non-overlapping, non-empty match in `b`.
    ///
    /// The bytes are matched in a NUL-terminated copy (on the stack for ordinary
    /// lines): `REG_STARTEND` bounds the match, but not every libc honours it (musl
    /// reads to the NUL) and the address sanitizer's `regexec` reads to the NUL too.
    func scan(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Detection]) {
        guard b.baseAddress != nil else { return }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: b.count + 1) { chars in
            guard let base = chars.baseAddress else { return }
            b.withMemoryRebound(to: CChar.self) { src in
                if let s = src.baseAddress { base.initialize(from: s, count: b.count) }
            }
            base[b.count] = 0
            var from = 0
            var m = regmatch_t()
            while from < b.count {
                m.rm_so = regoff_t(from)
                m.rm_eo = regoff_t(b.count)
                let flags: Int32 = from > 0 ? REG_STARTEND | REG_NOTBOL : REG_STARTEND
                guard regexec(&regex, base, 1, &m, flags) == 0 else { return }
                let s = Int(m.rm_so), e = Int(m.rm_eo)
                guard s >= from, e <= b.count else { return }
                if e > s { out.append(Detection(range: s..<e, kind: .pattern)); from = e } else { from = s + 1 }
            }
        }
    }
}
