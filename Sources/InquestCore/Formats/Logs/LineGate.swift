/// Bytes a line must hold for its record to pass a filter, looked for in the raw line
/// before the record is built: the words every match of `--grep` holds, and the value of
/// each `--where key=value` on a key of the record's fields.
///
/// Only for formats whose messages, keys and values are bytes of the line as they are
/// (JSON lines, logfmt, plain text): a value differs from its bytes in the line only
/// through an escape, so a line with a backslash always passes.
struct LineGate {
    /// The bytes, and whether ASCII case is ignored.
    let needles: [(bytes: [UInt8], fold: Bool)]

    /// Nil when the filter names no such bytes (two ASCII bytes or more).
    init?(_ filter: LogFilter) {
        var needles: [(bytes: [UInt8], fold: Bool)] = []
        if let g = filter.grep, let r = g.required { needles.append((r, g.caseInsensitive)) }
        for c in filter.conditions where !LogRecord.builtInKeys.contains(c.key) {
            let v = Array(c.value.utf8)
            if v.count >= 2 && v.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { needles.append((v, false)) }
        }
        guard !needles.isEmpty else { return nil }
        self.needles = needles
    }

    /// False only when the line's record cannot pass the filter.
    func mayMatch(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress else { return true }
        for n in needles {
            let held = n.bytes.withUnsafeBufferPointer { r in
                r.baseAddress.map { Pattern.mayHold(base, line.count, $0, r.count, fold: n.fold) } ?? true
            }
            if !held { return false }
        }
        return true
    }
}
