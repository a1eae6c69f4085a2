import Foundation

/// A blocking FIFO bounded by the total weight (bytes) of what it holds, so fast readers cannot run
/// ahead of the writer and grow memory without bound, while many small files still queue up.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Element, Int)] = []
    private var head = 0
    private var weight = 0
    private let capacity: Int
    private var producersLeft: Int
    private var cancelled = false

    init(capacity: Int, producers: Int) {
        self.capacity = capacity
        self.producersLeft = producers
    }

    /// Blocks while full (an item heavier than the capacity still goes in when the queue is
    /// empty). Returns false once the queue is cancelled.
    @discardableResult
    func push(_ item: Element, weight itemWeight: Int = 1) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while weight > 0 && weight + itemWeight > capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append((item, itemWeight))
        weight += itemWeight
        condition.broadcast()
        return true
    }

    /// Blocks while empty; nil when every producer has finished and the queue is drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && producersLeft > 0 && !cancelled { condition.wait() }
        guard items.count > head, !cancelled else { return nil }
        let (item, itemWeight) = items[head]
        head += 1
        weight -= itemWeight
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    func producerFinished() {
        condition.lock()
        producersLeft -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes everybody up and makes further pushes fail (the writer hit an error).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}

/// Hands out work indices to several threads.
final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let end: Int

    init(count: Int) { end = count }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < end else { return nil }
        next += 1
        return next - 1
    }
}
