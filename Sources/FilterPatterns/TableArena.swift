/// Memory for the compiled tables that matching reads on every event.
///
/// Swift arrays cost a reference-count pair each time a hot loop borrows one from a class;
/// with a dozen tables per pattern that was a quarter of the evaluator's time. Tables are built
/// as arrays, copied here once, and read through plain buffer pointers, which are trivially
/// copyable. The arena frees them when its owner (a compiled matcher, immutable after `init`)
/// goes away, so a pointer handed out is valid exactly as long as that owner.
final class TableArena {
    private var allocations: [(UnsafeMutableRawPointer, () -> Void)] = []

    init() {}

    func freeze<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
        let count = array.count
        array.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { p.initialize(from: s, count: count) }
        }
        allocations.append((UnsafeMutableRawPointer(p), { p.deinitialize(count: count) }))
        return UnsafeBufferPointer(start: p, count: count)
    }

    deinit {
        for (p, deinitialize) in allocations {
            deinitialize()
            p.deallocate()
        }
    }
}
