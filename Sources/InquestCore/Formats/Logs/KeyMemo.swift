/// The keys of the line read before, by their place in the line: the lines of one input
/// repeat their keys in the same order, so a key whose bytes, and the byte after it, equal
/// those remembered for its place is known by comparing two words, without searching for
/// its end and classifying it again. Only an exact match of every remembered byte is
/// taken (a key with escapes, or longer than the sixteen bytes compared, is never
/// remembered), so a line reads the same whether its keys are found here or not.
struct KeyMemo {
    struct Entry {
        /// The remembered bytes, as two little-endian words, and the masks of those compared.
        var w0: UInt64 = 0, w1: UInt64 = 0, m0: UInt64 = 0, m1: UInt64 = 0
        /// How many bytes are compared (from the key's first byte to just after it); 0
        /// when nothing is remembered.
        var span = 0
        var role: JSONLinesFormat.Role = .other
        var prio: UInt8 = 0
    }

    /// Keys remembered a line.
    static let capacity = 16
    var entries: (Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry, Entry) = (Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry(), Entry())

    /// Runs `body` with the entries (`capacity` of them) as one buffer.
    @inline(__always)
    mutating func withEntries<R>(_ body: (UnsafeMutablePointer<Entry>) -> R) -> R {
        withUnsafeMutablePointer(to: &entries) { body(UnsafeMutableRawPointer($0).assumingMemoryBound(to: Entry.self)) }
    }
}

extension KeyMemo.Entry {
    /// Whether the remembered bytes are at `p` (sixteen bytes readable there).
    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>) -> Bool {
        let r = UnsafeRawPointer(p)
        let a = UInt64(littleEndian: r.loadUnaligned(as: UInt64.self))
        let b = UInt64(littleEndian: r.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        return span != 0 && (a ^ w0) & m0 | (b ^ w1) & m1 == 0
    }

    /// Remembers the `span` (1...16) bytes at `p` (sixteen bytes readable there).
    @inline(__always)
    mutating func remember(_ p: UnsafePointer<UInt8>, span: Int, role: JSONLinesFormat.Role, prio: UInt8) {
        let r = UnsafeRawPointer(p)
        w0 = UInt64(littleEndian: r.loadUnaligned(as: UInt64.self))
        w1 = UInt64(littleEndian: r.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        m0 = span >= 8 ? ~0 : (1 << UInt64(span * 8)) - 1
        m1 = span <= 8 ? 0 : span >= 16 ? ~0 : (1 << UInt64((span - 8) * 8)) - 1
        self.span = span
        self.role = role
        self.prio = prio
    }
}
