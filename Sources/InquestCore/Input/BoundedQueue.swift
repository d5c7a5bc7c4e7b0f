import Foundation

/// A hand-over between one producer thread and one consumer that holds at most `depth`
/// items, so a fast producer waits instead of filling memory.
///
/// The producer `put`s until it `finish`es; the consumer `take`s until nil. A consumer
/// that stops early `cancel`s: the producer's next `put` returns false (and
/// `isCancelled` lets it notice sooner).
final class BoundedQueue<Item>: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [Item] = []
    private var done = false
    private var cancelled = false
    let depth: Int

    init(depth: Int) { self.depth = max(1, depth) }

    /// Waits for room; false when the consumer has gone.
    func put(_ item: Item) -> Bool {
        cond.lock(); defer { cond.unlock() }
        while items.count >= depth && !cancelled { cond.wait() }
        if cancelled { return false }
        items.append(item)
        cond.broadcast()
        return true
    }

    /// The next item, waiting for one; nil once the producer finished and all were taken.
    func take() -> Item? {
        cond.lock(); defer { cond.unlock() }
        while items.isEmpty && !done { cond.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        cond.broadcast()
        return item
    }

    func finish() { cond.lock(); done = true; cond.broadcast(); cond.unlock() }
    var isCancelled: Bool { cond.lock(); defer { cond.unlock() }; return cancelled }
    func cancel() { cond.lock(); cancelled = true; items.removeAll(); cond.broadcast(); cond.unlock() }
    /// Waits until the producer has finished.
    func waitFinished() { cond.lock(); while !done { cond.wait() }; cond.unlock() }
    var isFinished: Bool { cond.lock(); defer { cond.unlock() }; return done }
}
