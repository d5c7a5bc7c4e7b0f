/// Finds `trace_id=…` / `traceId=…` / `trace_id: …` (and the span equivalents) in free
/// text, as log4j MDC patterns and Go loggers print them.
func extractIDs(_ msg: UnsafeBufferPointer<UInt8>, into r: inout LogRecord) {
    guard msg.count >= 12 else { return }
    func value(after i: Int) -> String? {
        var k = i
        while k < msg.count, msg[k] == 0x20 || msg[k] == 0x22 || msg[k] == 0x27 { k += 1 }
        let s = k
        while k < msg.count, (msg[k] >= 48 && msg[k] <= 57) || ((msg[k] | 0x20) >= 97 && (msg[k] | 0x20) <= 102) { k += 1 }
        guard k - s >= 8 else { return nil }
        return normalizeID(msg.string(s..<k))
    }
    var i = 0
    while i + 6 < msg.count {
        let c = msg[i] | 0x20
        if c == 0x74 || c == 0x73, i == 0 || !isLetter(msg[i - 1]) {  // t(race) or s(pan)
            let isTrace = c == 0x74
            let word = isTrace ? 5 : 4
            guard i + word + 3 < msg.count else { break }
            let head = lowerWord(UnsafeBufferPointer(rebasing: msg[i..<(i + word)]))
            if head == (isTrace ? "trace" : "span") {
                var k = i + word
                if msg[k] == 0x5F || msg[k] == 0x2E || msg[k] == 0x2D { k += 1 }
                if k + 2 <= msg.count, (msg[k] | 0x20) == 0x69, (msg[k + 1] | 0x20) == 0x64 {
                    k += 2
                    if k < msg.count, msg[k] == 0x3D || msg[k] == 0x3A {
                        if let v = value(after: k + 1) {
                            if isTrace { if r.traceID == nil { r.traceID = v } } else if r.spanID == nil { r.spanID = v }
                        }
                    }
                }
            }
        }
        i += 1
    }
}
