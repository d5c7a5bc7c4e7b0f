import CZlib

/// Decompresses gzip, member after member (multi-member files as `cat a.gz b.gz`
/// and bgzip write them), with zlib.
///
/// Damage does not end the stream silently: a corrupt member is reported through
/// `takeBreak()` and reading resumes at the next gzip header found after it;
/// a stream that ends inside a member sets `endedEarly`. Bytes after the last member
/// that are not gzip (zero padding from `dd` or tape) are ignored when they are zeros
/// and reported otherwise.
public final class GzipSource: ByteSource {
    let input: any ByteSource
    let path: String
    var stream = z_stream()
    var inBuffer: UnsafeMutableRawBufferPointer
    var inStart = 0, inEnd = 0
    var inputDone = false
    var finished = false
    var inMember = false
    var pendingBreak: Issue?
    var deferredBreak: Issue?
    var compressedOffset: Int64 = 0
    public private(set) var endedEarly = false
    public private(set) var members = 0
    /// Decompressed bytes so far, for bomb limits.
    public private(set) var totalOut: Int64 = 0
    /// Refuse to produce more than this many bytes (a gzip bomb guard).
    public var maxOutput: Int64 = Int64.max
    /// Refuse to expand more than this many times the compressed bytes read, once past
    /// 64 MiB of output (a gzip bomb guard that scales with the file: logs compress
    /// 5–50×, highly repetitive ones a few hundred times; a bomb about 1,000×).
    public var maxRatio: Int64 = Int64.max

    public init(input: any ByteSource, path: String, chunkSize: Int = 1 << 20) throws(InputError) {
        self.input = input
        self.path = path
        // At least a few bytes: headers and resynchronisation look at three at once.
        self.inBuffer = .allocate(byteCount: max(chunkSize, 64), alignment: 16)
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            inBuffer.deallocate()
            throw InputError(path: path, message: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(&stream)
        inBuffer.deallocate()
    }

    public func close() { input.close() }

    public func takeBreak() -> Issue? {
        defer { pendingBreak = nil }
        return pendingBreak
    }

    private func fill() throws(InputError) {
        if inStart > 0 {
            let n = inEnd - inStart
            if n > 0 { inBuffer.baseAddress!.copyMemory(from: inBuffer.baseAddress! + inStart, byteCount: n) }
            inStart = 0; inEnd = n
        }
        guard !inputDone, inEnd < inBuffer.count else { return }
        let n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: inBuffer[inEnd...]))
        if n == 0 { inputDone = true } else { inEnd += n }
    }

    /// Drops input up to the next gzip magic (1f 8b 08); true when one was found.
    private func resync() throws(InputError) -> Bool {
        while true {
            let p = inBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var i = inStart
            while i + 2 < inEnd {
                if p[i] == 0x1f && p[i + 1] == 0x8b && p[i + 2] == 0x08 {
                    compressedOffset += Int64(i - inStart)
                    inStart = i
                    return true
                }
                i += 1
            }
            let keep = min(2, inEnd - inStart)
            compressedOffset += Int64(inEnd - keep - inStart)
            inStart = inEnd - keep
            if inputDone { return false }
            try fill()
            if inputDone && inEnd - inStart < 3 { return false }
        }
    }

    /// Records a gap in the data: before the bytes this read returns when it has
    /// produced none yet, otherwise before the bytes of the next read.
    private func gap(_ reason: String, produced: Int) {
        let issue = Issue(line: 0, reason: reason)
        if produced > 0 { deferredBreak = issue } else { pendingBreak = issue }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let d = deferredBreak { pendingBreak = d; deferredBreak = nil; }
        guard !finished, buffer.count > 0 else { return 0 }
        var produced = 0
        while produced < buffer.count {
            if inStart == inEnd {
                if inputDone {
                    if inMember { endedEarly = true; gap("gzip data ends inside a member (truncated file)", produced: produced) }
                    finished = true
                    break
                }
                try fill()
                continue
            }
            if !inMember {
                // Between members: expect a gzip header; tolerate zero padding.
                let p = inBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                if p[inStart] == 0 {
                    var i = inStart
                    while i < inEnd && p[i] == 0 { i += 1 }
                    compressedOffset += Int64(i - inStart)
                    inStart = i
                    continue
                }
                if inEnd - inStart < 2 && !inputDone { try fill(); continue }
                if !(p[inStart] == 0x1f && inEnd - inStart >= 2 && p[inStart + 1] == 0x8b) {
                    let at = compressedOffset
                    if try resync() {
                        gap("bytes that are not gzip at offset \(at) skipped", produced: produced)
                        if produced > 0 { return produced }
                        continue
                    }
                    gap("trailing bytes that are not gzip at offset \(at) ignored", produced: produced)
                    finished = true
                    break
                }
                inflateReset(&stream)
                inMember = true
                members += 1
            }
            let avail = inEnd - inStart
            stream.next_in = inBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self) + inStart
            stream.avail_in = uInt(avail)
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
            stream.avail_out = uInt(buffer.count - produced)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let consumed = avail - Int(stream.avail_in)
            inStart += consumed
            compressedOffset += Int64(consumed)
            let out = buffer.count - produced - Int(stream.avail_out)
            produced += out
            totalOut += Int64(out)
            if totalOut > maxOutput {
                gap("decompressed size passed the limit of \(maxOutput) bytes; the rest is skipped", produced: produced)
                endedEarly = true
                finished = true
                return produced
            }
            if totalOut > 64 << 20, maxRatio < Int64.max, totalOut / max(1, compressedOffset) > maxRatio {
                gap("expands more than \(maxRatio) times its compressed size (a gzip bomb?); the rest is skipped", produced: produced)
                endedEarly = true
                finished = true
                return produced
            }
            switch rc {
            case Z_STREAM_END:
                inMember = false
            case Z_OK:
                break
            case Z_BUF_ERROR:
                if stream.avail_in == 0 {
                    if inputDone {
                        endedEarly = true
                        gap("gzip data ends inside a member (truncated file)", produced: produced)
                        finished = true
                        return produced
                    }
                    try fill()
                } else if consumed == 0 && out == 0 {
                    fallthrough
                }
            default:
                // Z_DATA_ERROR and friends: a corrupt member. Resume at the next header.
                let at = compressedOffset
                inMember = false
                let message = stream.msg.map { String(cString: $0) } ?? "corrupt data"
                // Step past the broken header so resync finds the next one.
                if inStart < inEnd { inStart += 1; compressedOffset += 1 }
                if try resync() {
                    gap("corrupt gzip member near offset \(at) (\(message)); resumed at offset \(compressedOffset)", produced: produced)
                    if produced == 0 { continue }
                } else {
                    gap("corrupt gzip data near offset \(at) (\(message)); the rest is lost", produced: produced)
                    endedEarly = true
                    finished = true
                }
                return produced
            }
        }
        return produced
    }
}
