import Foundation

/// Runs another source (a decompressor) on its own thread, a few blocks ahead of the
/// reader, so decompression and parsing use two cores.
///
/// Holds at most `depth` blocks of `blockSize` bytes: memory stays bounded. Gaps
/// reported by the inner source travel with the block they precede.
/// A source given to one other thread, which alone reads it.
struct HandedSource: @unchecked Sendable {
    let source: any ByteSource
}

public final class PrefetchSource: ByteSource, @unchecked Sendable {
    struct Block {
        var bytes: [UInt8]
        var gap: Issue?
        var error: InputError?
        var endedEarly = false
    }

    let inner: any ByteSource
    let queue: BoundedQueue<Block>
    let blockSize: Int
    var current: [UInt8] = []
    var offset = 0
    var pendingBreak: Issue?
    /// Set by the consumer from the last block (read on the consumer's thread only).
    public private(set) var endedEarly = false

    public init(_ inner: any ByteSource, blockSize: Int = 1 << 20, depth: Int = 3) {
        self.inner = inner
        self.blockSize = blockSize
        self.queue = BoundedQueue(depth: depth)
        // Only the producer thread reads `inner` from now on (the consumer may only close it).
        let handed = HandedSource(source: inner)
        let thread = Thread { [handed, queue, blockSize] in Self.produce(handed.source, queue, blockSize) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { queue.cancel() }

    public func close() { cancel(); inner.close() }

    /// Stops the producer thread; call when abandoning a source early.
    public func cancel() { queue.cancel() }

    /// The producer holds the inner source and the queue, not `self`: dropping the
    /// reader cancels the queue (in `deinit`) and the thread ends at its next block.
    private static func produce(_ inner: any ByteSource, _ queue: BoundedQueue<Block>, _ blockSize: Int) {
        while true {
            var block = Block(bytes: [UInt8](repeating: 0, count: blockSize))
            var n = 0
            do {
                n = try inner.read(into: &block.bytes, offset: 0, count: blockSize)
            } catch {
                block.error = error
            }
            block.gap = inner.takeBreak()
            block.bytes.removeLast(block.bytes.count - n)
            let last = n == 0 || block.error != nil
            if last { block.endedEarly = inner.endedEarly }
            guard queue.put(block) else { return }
            if last { queue.finish(); return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if offset >= current.count {
            guard let block = queue.take() else { return 0 }
            if block.endedEarly { endedEarly = true }
            if let e = block.error { throw e }
            if let g = block.gap { pendingBreak = g }
            current = block.bytes
            offset = 0
            if current.isEmpty { return 0 }
        }
        let n = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }

    public func takeBreak() -> Issue? {
        defer { pendingBreak = nil }
        return pendingBreak
    }
}
