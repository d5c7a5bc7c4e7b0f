import Foundation

/// Runs another source (a decompressor) on its own thread, a few blocks ahead of the
/// reader, so decompression and parsing use two cores.
///
/// Holds at most `depth` blocks of `blockSize` bytes: memory stays bounded. Gaps
/// reported by the inner source travel with the block they precede.
public final class PrefetchSource: ByteSource, @unchecked Sendable {
    struct Block {
        var bytes: [UInt8]
        var gap: Issue?
        var error: InputError?
    }

    let inner: any ByteSource
    let condition = NSCondition()
    var queue: [Block] = []
    var done = false
    var cancelled = false
    let depth: Int
    let blockSize: Int
    var current: [UInt8] = []
    var offset = 0
    var pendingBreak: Issue?
    var innerEndedEarly = false

    public init(_ inner: any ByteSource, blockSize: Int = 1 << 20, depth: Int = 3) {
        self.inner = inner
        self.blockSize = blockSize
        self.depth = depth
        let thread = Thread { [self] in self.produce() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {}

    public func close() { cancel(); inner.close() }

    /// Stops the producer thread; call when abandoning a source early.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func produce() {
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
            let finished = n == 0
            condition.lock()
            while queue.count >= depth && !cancelled { condition.wait() }
            if cancelled { condition.unlock(); return }
            if finished { innerEndedEarly = inner.endedEarly }
            queue.append(block)
            if finished || block.error != nil { done = true }
            condition.broadcast()
            condition.unlock()
            if finished || block.error != nil { return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if offset >= current.count {
            condition.lock()
            while queue.isEmpty && !done { condition.wait() }
            if queue.isEmpty { condition.unlock(); return 0 }
            let block = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
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

    public var endedEarly: Bool {
        condition.lock(); defer { condition.unlock() }
        return innerEndedEarly
    }
}
