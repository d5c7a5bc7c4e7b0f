import CZlib

/// Compresses bytes into gzip members with zlib.
///
/// The header carries no file name, a modification time of 0 and the Unix OS code,
/// so the same input gives the same bytes whatever the machine or the clock. A
/// multi-member file (as `cat a.gz b.gz` or logrotate with `delaycompress` leave) is
/// the concatenation of members.
public enum GzipEncoding {
    /// One gzip member holding `input`; nil only when zlib cannot allocate its state.
    public static func member(_ input: [UInt8], level: Int32 = 9) -> [UInt8]? {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let header = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
        header.initialize(to: gz_header())
        defer {
            stream.deinitialize(count: 1); stream.deallocate()
            header.deinitialize(count: 1); header.deallocate()
        }
        guard deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(stream) }
        header.pointee.time = 0
        header.pointee.os = 3  // Unix, whatever we run on
        guard deflateSetHeader(stream, header) == Z_OK else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 + 64)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var ok = true
        input.withUnsafeBufferPointer { inp in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            stream.pointee.avail_in = uInt(inp.count)
            while true {
                let (rc, produced) = chunk.withUnsafeMutableBufferPointer { buf -> (Int32, Int) in
                    stream.pointee.next_out = buf.baseAddress
                    stream.pointee.avail_out = uInt(buf.count)
                    let rc = deflate(stream, Z_FINISH)
                    return (rc, buf.count - Int(stream.pointee.avail_out))
                }
                out.append(contentsOf: chunk[0..<produced])
                if rc == Z_STREAM_END { break }
                if rc != Z_OK && rc != Z_BUF_ERROR { ok = false; break }
                if rc == Z_BUF_ERROR && produced == 0 { ok = false; break }
            }
        }
        return ok ? out : nil
    }

    /// Several members, one per part, concatenated.
    public static func members(_ parts: [[UInt8]], level: Int32 = 9) -> [UInt8]? {
        var out: [UInt8] = []
        for p in parts {
            guard let m = member(p, level: level) else { return nil }
            out += m
        }
        return out
    }
}
