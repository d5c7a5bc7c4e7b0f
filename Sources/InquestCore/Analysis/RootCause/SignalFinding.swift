import Foundation

/// One piece of evidence a signal (spans, logs, metrics) holds against a component.
///
/// `weight` is in the signal's own units (time added per request, excess error lines,
/// a metric's departure); `RootCauseRanking` turns each signal's weights into shares
/// before it combines signals, so that units never meet.
public struct SignalFinding: Sendable {
    public enum Signal: String, Sendable, CaseIterable { case spans, logs, metrics }

    public var signal: Signal
    public var service: String
    /// The operation, log pattern or metric the evidence is about.
    public var operation: String
    /// An uninstrumented peer named by its callers' client spans.
    public var dependency: Bool
    /// `error`, `latency` or `resource`.
    public var kind: String
    public var weight: Double
    public var evidence: [String]
    /// A trace that shows it, when there is one.
    public var exampleTrace: String?

    public init(signal: Signal, service: String, operation: String, dependency: Bool = false, kind: String, weight: Double,
                evidence: [String], exampleTrace: String? = nil) {
        self.signal = signal; self.service = service; self.operation = operation; self.dependency = dependency
        self.kind = kind; self.weight = weight; self.evidence = evidence; self.exampleTrace = exampleTrace
    }
}

/// Durations for people: `840 µs`, `12.3 ms`, `1.52 s`.
func humanDuration(nanos: Double) -> String {
    let a = abs(nanos)
    if a < 1_000_000 { return String(format: "%.0f µs", nanos / 1_000) }
    if a < 1_000_000_000 { return String(format: a < 10_000_000 ? "%.2f ms" : "%.1f ms", nanos / 1_000_000) }
    return String(format: "%.2f s", nanos / 1_000_000_000)
}
