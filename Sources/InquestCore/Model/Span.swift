/// One span of a trace, normalised across Jaeger, Zipkin and OTLP.
///
/// IDs are kept as lowercase hex strings as the exporter wrote them (64 or 128 bits;
/// some test exporters use non-hex IDs, which are kept verbatim).
public struct Span: Sendable {
    public enum Kind: String, Sendable { case unspecified, server, client, producer, consumer, `internal` }
    public enum Status: String, Sendable { case unset, ok, error }

    public struct Reference: Sendable, Hashable {
        public enum RefType: String, Sendable { case childOf = "CHILD_OF", followsFrom = "FOLLOWS_FROM", link = "LINK" }
        public var type: RefType
        public var traceID: String
        public var spanID: String
        public init(type: RefType, traceID: String, spanID: String) {
            self.type = type; self.traceID = traceID; self.spanID = spanID
        }
    }

    public struct Event: Sendable {
        public var time: Timestamp
        public var name: String
        public var attributes: [LogRecord.Field]
        public init(time: Timestamp, name: String, attributes: [LogRecord.Field]) {
            self.time = time; self.name = name; self.attributes = attributes
        }
    }

    public var traceID: String
    public var spanID: String
    public var parentID: String?
    public var service: String
    public var operation: String
    public var kind: Kind
    public var start: Timestamp
    public var durationNanos: Int64
    public var status: Status
    public var statusMessage: String?
    public var attributes: [LogRecord.Field]
    public var events: [Event]
    /// FOLLOWS_FROM references and OTLP links (CHILD_OF parents are in `parentID`).
    public var links: [Reference]
    /// Zipkin `shared`: the server half of a span ID shared with its client.
    public var shared: Bool
    /// Zipkin `remoteEndpoint.serviceName`, when given.
    public var remoteService: String?
    /// Attributes of the process or resource that emitted the span, other than its service
    /// name (Jaeger process tags, OTLP resource attributes); shared between the spans of one
    /// process. Read in full detail only.
    public var resource: [LogRecord.Field] = []
    /// The instrumentation scope (OTLP `scope`, `otel.scope.name` / `otel.scope.version` tags).
    public var scopeName: String?
    public var scopeVersion: String?
    public var location: SourceLocation

    public init(traceID: String, spanID: String, parentID: String? = nil, service: String = "unknown",
                operation: String = "", kind: Kind = .unspecified, start: Timestamp = Timestamp(nanos: 0),
                durationNanos: Int64 = 0, status: Status = .unset, statusMessage: String? = nil,
                attributes: [LogRecord.Field] = [], events: [Event] = [], links: [Reference] = [],
                shared: Bool = false, remoteService: String? = nil,
                location: SourceLocation = SourceLocation(path: "", line: 0)) {
        self.traceID = traceID; self.spanID = spanID; self.parentID = parentID
        self.service = service; self.operation = operation; self.kind = kind
        self.start = start; self.durationNanos = durationNanos; self.status = status
        self.statusMessage = statusMessage; self.attributes = attributes; self.events = events
        self.links = links; self.shared = shared; self.remoteService = remoteService
        self.location = location
    }

    /// An empty span, left behind where a span was moved out.
    public static var placeholder: Span { Span(traceID: "", spanID: "") }

    public var end: Timestamp { Timestamp(nanos: start.nanos &+ durationNanos, precision: start.precision) }
    public var isError: Bool { status == .error }

    public func attribute(_ key: String) -> String? { attributes.first(where: { $0.key == key })?.value }
}

/// Normalises a trace or span ID: lowercase hex without surrounding space.
/// Left-pads 128-bit IDs written without leading zeros is not done: IDs compare as written,
/// except that case is folded and an all-zero high half of a 128-bit ID is dropped so that
/// a 64-bit and a zero-padded 128-bit spelling of the same ID agree.
public func normalizeID(_ s: String) -> String {
    var s = s
    return s.withUTF8 { normalizedID($0) } ?? s
}

/// `normalizeID` of the bytes of an ID, with one `String` made.
public func normalizeID(bytes b: UnsafeBufferPointer<UInt8>) -> String {
    normalizedID(b) ?? String(decoding: b, as: UTF8.self)
}

/// The normal form of the ID in `b`, or nil when `b` is in it already (nearly every ID:
/// lower-case hex, or not hex), so that no copy is made.
@inline(__always)
func normalizedID(_ b: UnsafeBufferPointer<UInt8>) -> String? {
    guard !b.isEmpty else { return nil }
    var upper = false
    for c in b {
        if c >= 65 && c <= 70 { upper = true }
        // Non-hex IDs stay verbatim: folding only A-F would turn "ID" into "Id".
        else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) { return nil }
    }
    guard let p = b.baseAddress else { return nil }
    let start = idNormalStart(p, count: b.count)
    guard upper || start > 0 else { return nil }
    let n = b.count - start
    return String(unsafeUninitializedCapacity: n) { out in
        for i in 0..<n { out[i] = lowerHex(b[start + i]) }
        return n
    }
}

/// Where the normal form of the hex ID of `count` bytes at `p` starts: 16 when it has 32
/// digits whose first 16 are zeros (the high half of a 128-bit ID that holds a 64-bit
/// one), else 0.
@inline(__always)
func idNormalStart(_ p: UnsafePointer<UInt8>, count: Int) -> Int {
    guard count == 32 else { return 0 }
    let high = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
    return ByteSearch.anyLane(high .!= SIMD16<UInt8>(repeating: 0x30)) ? 0 : 16
}

/// A hex digit as IDs are compared: `A`–`F` folded to lower case, other bytes as they are.
@inline(__always)
func lowerHex(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x46 ? c | 0x20 : c }
