import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a value with a keyed token: `<email:9f3a1c2b7d>`, the first ten hex
/// digits of HMAC-SHA256(key, kind ":" normalised value).
///
/// The same value gives the same token in every file and every run with the same
/// key, so a user, an address or a card stays one identity after redaction; without
/// the key the token cannot be reversed or recomputed by guessing values. Values are
/// normalised before hashing: e-mail addresses in lower case, card and phone
/// numbers as their digits (and a leading `+`), IPv6 addresses as their 16 bytes.
public struct Pseudonymizer: Sendable {
    /// The key's bytes (a `SymmetricKey` is made per use: it is not `Sendable`).
    let key: [UInt8]
    /// Hex digits kept from the HMAC (40 bits: collisions stay unlikely below about a
    /// million distinct values of one kind).
    public static let tokenHexDigits = 10
    public static let minimumKeyBytes = 16

    public init(key: [UInt8]) throws(RedactionError) {
        guard key.count >= Self.minimumKeyBytes else {
            throw RedactionError("the key has \(key.count) bytes; at least \(Self.minimumKeyBytes) are needed")
        }
        self.key = key
    }

    /// Reads a key file: its raw bytes, at least 16 of them. A key file that others
    /// may read (mode `o+r`) is refused: whoever reads the key can test guesses.
    public static func loadKey(path: String) throws(RedactionError) -> [UInt8] {
        var st = stat()
        guard stat(path, &st) == 0 else { throw RedactionError("cannot read the key file \(path): \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw RedactionError("the key file \(path) is not a regular file") }
        if st.st_mode & S_IROTH != 0 {
            throw RedactionError("the key file \(path) is readable by everyone (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod o-r \(path) (or 600) first")
        }
        guard st.st_size <= 1 << 20 else { throw RedactionError("the key file \(path) is larger than 1 MiB; give a file of raw key bytes") }
        let bytes: [UInt8]
        do {
            bytes = try FileSource(path: path).readFully(upTo: Int(st.st_size) + 1)
        } catch {
            throw RedactionError("cannot read the key file \(path): \(error.message)")
        }
        guard bytes.count >= minimumKeyBytes else {
            throw RedactionError("the key file \(path) holds \(bytes.count) bytes; at least \(minimumKeyBytes) are needed (e.g. head -c 32 /dev/urandom > \(path))")
        }
        return bytes
    }

    /// The token replacing `value` of `kind`.
    public func token(_ kind: RedactionKind, _ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var input = Array(kind.rawValue.utf8)
        input.append(0x3A)
        Self.normalise(kind, value, into: &input)
        let mac = HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: key))
        var out = Array("<\(kind.rawValue):".utf8)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var digits = 0
        for byte in mac {
            out.append(hex[Int(byte >> 4)]); digits += 1
            if digits == Self.tokenHexDigits { break }
            out.append(hex[Int(byte & 15)]); digits += 1
            if digits == Self.tokenHexDigits { break }
        }
        out.append(0x3E)
        return out
    }

    static func normalise(_ kind: RedactionKind, _ v: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        switch kind {
        case .email:
            for c in v { out.append(ByteClass.lower(c)) }
        case .card, .phone:
            if v.first == 0x2B { out.append(0x2B) }
            for c in v where ByteClass.isDigit(c) { out.append(c) }
        case .ipv6:
            out += IPv6Detector.canonical(v)
        default:
            out += v
        }
    }
}

/// Why redaction could not start or could not write an output; the message names
/// the file and what to do.
public struct RedactionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
