/// What the two traffic generators share: building the spans of the trace under way,
/// with times in microseconds as the simulated exporters write them.
protocol SimSpanWriter: AnyObject {
    var rng: SimRandom { get set }
    var spans: [Span] { get set }
    var traceID: String { get }
}

extension SimSpanWriter {
    /// Starts a span (its ID drawn from the generator's random stream); returns its index.
    func open(_ service: String, _ operation: String, _ kind: Span.Kind, parent: Int?, at start: Int64) -> Int {
        let span = Span(traceID: traceID, spanID: rng.hex(bits: 64), parentID: parent.map { spans[$0].spanID },
                        service: service, operation: operation, kind: kind,
                        start: Timestamp(nanos: start * 1000, precision: 6))
        spans.append(span)
        return spans.count - 1
    }

    func close(_ i: Int, at end: Int64) {
        spans[i].durationNanos = max(1, end - spans[i].start.nanos / 1000) * 1000
    }

    func attr(_ i: Int, _ key: String, _ value: String) {
        spans[i].attributes.append(LogRecord.Field(key, value))
    }

    /// Marks a span failed (once), with an exception event when given.
    func fail(_ i: Int, _ message: String, at t: Int64, exception: (type: String, message: String)? = nil) {
        guard spans[i].status != .error else { return }
        spans[i].status = .error
        spans[i].statusMessage = message
        if let exception {
            spans[i].events.append(Span.Event(time: Timestamp(nanos: t * 1000, precision: 6), name: "exception", attributes: [
                LogRecord.Field("exception.type", exception.type), LogRecord.Field("exception.message", exception.message),
            ]))
        }
    }
}
