import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads every span dump among the inputs (several at a time) and keeps the log inputs
/// aside for correlation.
public struct SpanLoad: Sendable {
    public var spans: [Span]
    /// One entry per input that held spans.
    public var stats: [InputStats]
    /// Inputs that hold logs (for joining log lines to traces).
    public var logUnits: [InputUnit]
    /// Inputs that could not be opened.
    public var unreadable: [InputStats]
    /// Inputs that hold metric dumps (neither spans nor logs).
    public var metricUnits: [InputUnit] = []
}

public enum SpanLoader {
    public static func load(_ units: [InputUnit], format: DetectedFormat? = nil, detail: SpanDetail = .full) -> SpanLoad {
        struct One: Sendable { var spans: [Span]; var stats: InputStats?; var isLog: Bool; var failed: InputStats?; var interned = false; var isMetrics = false }
        let box = ResultBox<One>(count: units.count)
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            do {
                let r = try SpanReader.read(unit: units[i], format: format, detail: detail)
                if r.stats.kind == "spans" {
                    box.set(i, One(spans: r.spans, stats: r.stats, isLog: false, failed: nil, interned: r.stats.format == SpanFormat.jaeger.rawValue || r.stats.format == SpanFormat.spanTable.rawValue))
                } else {
                    box.set(i, One(spans: [], stats: nil, isLog: r.stats.kind == "logs" && r.stats.format != "binary" && r.stats.format != "empty", failed: nil,
                                   isMetrics: r.stats.kind == "metrics"))
                }
            } catch {
                box.set(i, One(spans: [], stats: nil, isLog: false, failed: .unreadable(units[i], (error as? InputError)?.message ?? "\(error)")))
            }
        }
        var load = SpanLoad(spans: [], stats: [], logUnits: [], unreadable: [])
        var interner = Interner()
        for (i, one) in box.values.enumerated() {
            if let s = one.stats { load.stats.append(s) }
            if let f = one.failed { load.unreadable.append(f) }
            if one.isLog { load.logUnits.append(units[i]) }
            if one.isMetrics { load.metricUnits.append(units[i]) }
            if one.interned {
                if load.spans.isEmpty { load.spans = one.spans } else {
                    var parts = [load.spans, one.spans]
                    load.spans = []
                    load.spans = moveConcatenating(&parts)
                }
            } else {
                for var span in one.spans {
                    span.service = interner.intern(span.service)
                    span.operation = interner.intern(span.operation)
                    span.traceID = interner.intern(span.traceID)
                    load.spans.append(span)
                }
            }
        }
        return load
    }
}

/// Makes equal strings share one storage (service and operation names, trace IDs).
struct Interner {
    var table: [String: String] = [:]
    var lastID: String = ""
    var lastIDBytes: [UInt8] = []

    var byBytes: [UInt64: [(bytes: [UInt8], string: String)]] = [:]

    /// A name from raw (unescaped) bytes: no `String` is made for one already seen.
    mutating func intern(bytes b: UnsafeBufferPointer<UInt8>) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for c in b { h = (h ^ UInt64(c)) &* 0x100000001b3 }
        if let bucket = byBytes[h] {
            for e in bucket where e.bytes.count == b.count {
                if b.isEmpty || e.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 }) { return e.string }
            }
        }
        let s = intern(String(decoding: b, as: UTF8.self))
        byBytes[h, default: []].append((Array(b), s))
        return s
    }

    mutating func intern(_ s: String) -> String {
        if let e = table[s] { return e }
        table[s] = s
        return s
    }

    /// A trace ID from bytes; consecutive spans of one trace share the previous string.
    mutating func id(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if b.count == lastIDBytes.count, let base = b.baseAddress,
           lastIDBytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, b.count) == 0 }) { return lastID }
        lastIDBytes = Array(b)
        lastID = intern(idString(b))
        return lastID
    }
}
