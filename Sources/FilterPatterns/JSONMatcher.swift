/// Evaluates one or many JSON patterns over an event in a single pass.
///
/// All selectors (of every pattern's conditions, and any extra ones the caller wants values
/// for) share one `SelectorAutomaton`. Each condition is evaluated the moment the walk meets its
/// value, so the walk leaves behind one boolean per condition, and each pattern is then a tree
/// in a `BoolProgram` over those booleans.
///
/// Exact string comparisons on a field (the CIS filters compare `eventName` with ~100 names)
/// are answered together: the value is hashed once and looked up in a per-field table of the
/// compared literals, instead of being compared with each.
///
/// Immutable after `init`; its tables live in `arena` and are read through plain pointers,
/// which is why it is `@unchecked Sendable`.
final class JSONMatcher: @unchecked Sendable {
    private let arena = TableArena()
    private let automaton: SelectorAutomaton
    private let programs: BoolProgram.View
    private let roots: UnsafeBufferPointer<Int32>
    /// Per condition, its value before the walk: true only for `NOT EXISTS`.
    private let initialResults: UnsafeBufferPointer<Bool>
    private let conditions: Conditions
    /// The slot of each extra selector, in the order given.
    let extraSlots: [Int]

    /// What evaluating a selected value needs, all plain pointers: the walk's sink carries a
    /// copy, so the hot path never touches a reference count.
    private struct Conditions {
        let tests: TestTable.View
        let slotIsWild: UnsafeBufferPointer<Bool>
        /// Per slot, the conditions evaluated one by one: `general[generalStart[s]..<generalStart[s+1]]`.
        let generalStart: UnsafeBufferPointer<Int32>
        let general: UnsafeBufferPointer<Int32>
        /// Per slot, `!=` exact-string conditions: true for any string value the index does not hit.
        let negatedStart: UnsafeBufferPointer<Int32>
        let negated: UnsafeBufferPointer<Int32>
        /// Per slot, the hash table of exact-string literals (`indexMask[s] < 0`: none).
        let indexMask: UnsafeBufferPointer<Int32>
        let indexStart: UnsafeBufferPointer<Int32>
        let buckets: UnsafeBufferPointer<Bucket>
        let bucketConditions: UnsafeBufferPointer<Int32>
        let literals: UnsafePointer<UInt8>
    }

    private struct Bucket {
        var hash: UInt32 = 0
        var literalStart: Int32 = -1  // -1: empty
        var literalCount: Int32 = 0
        var conditionStart: Int32 = 0
        var conditionCount: Int32 = 0
    }

    init(_ patterns: [JSONPatternAST], extraSelectors: [Selector] = []) {
        var slotOf: [Selector: Int] = [:]
        var selectors: [Selector] = []
        func slot(_ s: Selector) -> Int {
            if let k = slotOf[s] { return k }
            selectors.append(s)
            slotOf[s] = selectors.count - 1
            return selectors.count - 1
        }
        var table = TestTable()
        var conditionSlot: [Int] = []
        var program = BoolProgram()
        var roots: [Int32] = []
        for p in patterns {
            roots.append(program.add(p.expression) { c in
                conditionSlot.append(slot(c.selector))
                return table.add(c.test)
            })
        }
        extraSlots = extraSelectors.map(slot)
        automaton = SelectorAutomaton(selectors, arena: arena)

        // Sort each slot's conditions: exact-string ones on a literal path go to the index.
        let slotCount = selectors.count
        var generalLists = [[Int32]](repeating: [], count: slotCount)
        var negatedLists = [[Int32]](repeating: [], count: slotCount)
        var exactByLiteral = [[ArraySlice<UInt8>: [Int32]]](repeating: [:], count: slotCount)
        for (c, s) in conditionSlot.enumerated() {
            let t = table.tests[c]
            if t.kind == .exact && !selectors[s].hasWildcard {
                exactByLiteral[s][table.literal(of: c), default: []].append(Int32(c))
                if t.negated { negatedLists[s].append(Int32(c)) }
            } else {
                generalLists[s].append(Int32(c))
            }
        }
        var mask = [Int32](repeating: -1, count: slotCount)
        var start = [Int32](repeating: 0, count: slotCount)
        var buckets: [Bucket] = []
        var bucketConditions: [Int32] = []
        var indexLiterals: [UInt8] = []
        for s in 0..<slotCount where !exactByLiteral[s].isEmpty {
            var capacity = 4
            while capacity < exactByLiteral[s].count * 2 { capacity *= 2 }
            mask[s] = Int32(capacity - 1)
            start[s] = Int32(buckets.count)
            buckets.append(contentsOf: repeatElement(Bucket(), count: capacity))
            for (literal, conditions) in exactByLiteral[s].sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let h = literal.withUnsafeBufferPointer { JSONMatcher.hash(ByteView($0.baseAddress ?? ByteView.empty, $0.count)) }
                var i = Int(h) & (capacity - 1)
                while buckets[Int(start[s]) + i].literalStart >= 0 { i = (i + 1) & (capacity - 1) }
                buckets[Int(start[s]) + i] = Bucket(hash: h, literalStart: Int32(indexLiterals.count), literalCount: Int32(literal.count),
                                                    conditionStart: Int32(bucketConditions.count), conditionCount: Int32(conditions.count))
                indexLiterals.append(contentsOf: literal)
                bucketConditions.append(contentsOf: conditions)
            }
        }
        func csr(_ lists: [[Int32]]) -> ([Int32], [Int32]) {
            var offsets: [Int32] = [0]
            for l in lists { offsets.append(offsets.last! + Int32(l.count)) }
            return (offsets, lists.flatMap { $0 })
        }
        let (gs, g) = csr(generalLists)
        let (ns, n) = csr(negatedLists)
        conditions = Conditions(
            tests: table.freeze(in: arena), slotIsWild: automaton.slotIsWild,
            generalStart: arena.freeze(gs), general: arena.freeze(g),
            negatedStart: arena.freeze(ns), negated: arena.freeze(n),
            indexMask: arena.freeze(mask), indexStart: arena.freeze(start),
            buckets: arena.freeze(buckets), bucketConditions: arena.freeze(bucketConditions),
            literals: arena.freeze(indexLiterals).baseAddress!)
        initialResults = arena.freeze(table.tests.map { $0.kind == .notExists })
        programs = program.freeze(in: arena)
        self.roots = arena.freeze(roots)
    }

    /// FNV-1a: the literals are short (event names, sources), so a byte loop is enough.
    @inline(__always) static func hash(_ v: ByteView) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for i in 0..<v.count { h = (h ^ UInt32(v.base[i])) &* 16_777_619 }
        return h
    }

    /// What one walk found: per-condition truth and per-slot first values.
    struct Scan {
        let results: UnsafeMutablePointer<Bool>
        let values: UnsafeMutablePointer<ScannedValue>
        let base: UnsafePointer<UInt8>
    }

    /// Walks `message` and calls `body` with what it found; nil (and `body` is not called) when
    /// the message is not JSON.
    func scan<R>(_ message: UnsafeRawBufferPointer, _ body: (Scan) -> R) -> R? {
        let slotCount = automaton.slotCount
        let stateCount = automaton.states.count
        let conditionCount = initialResults.count
        return withUnsafeTemporaryAllocation(of: ScannedValue.self, capacity: max(slotCount, 1)) { values in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: max(conditionCount, 1) + stateCount) { flags in
                let values = values.baseAddress!
                let results = flags.baseAddress!
                let seen = results + conditionCount
                values.initialize(repeating: .absent, count: slotCount)
                if conditionCount > 0 { results.initialize(from: initialResults.baseAddress!, count: conditionCount) }
                seen.initialize(repeating: false, count: stateCount)
                let base = ByteView(message).base
                var sink = Sink(c: conditions, values: values, results: results, base: base)
                guard automaton.scan(message, seen: seen, into: &sink) else { return nil }
                return body(Scan(results: results, values: values, base: base))
            }
        }
    }

    /// Whether pattern `i` holds, given a scan.
    @inline(__always) func matches(_ i: Int, _ scan: Scan) -> Bool {
        programs.evaluate(roots[i]) { scan.results[Int($0)] }
    }

    private struct Sink: SelectorSink {
        let c: Conditions
        let values: UnsafeMutablePointer<ScannedValue>
        let results: UnsafeMutablePointer<Bool>
        let base: UnsafePointer<UInt8>

        mutating func value(slot: Int, _ value: ScannedValue) {
            let isWild = c.slotIsWild[slot]
            if values[slot].kind == .absent {
                values[slot] = value
            } else if !isWild {
                return  // a duplicate key: the first occurrence wins
            }
            let raw = ByteView(base + value.start, value.end - value.start)
            if value.kind == .string && memchr(raw.base, 0x5C, raw.count) != nil {
                // Escaped strings are rare in the fields patterns select; decode on demand.
                var decoded: [UInt8] = []
                JSONScanner.unescape(UnsafeBufferPointer(start: raw.base, count: raw.count), into: &decoded)
                decoded.withUnsafeBufferPointer { d in
                    evaluate(slot, value.kind, ByteView(d.baseAddress ?? ByteView.empty, d.count), isWild)
                }
            } else {
                evaluate(slot, value.kind, raw, isWild)
            }
        }

        @inline(__always) private func evaluate(_ slot: Int, _ kind: ScannedValue.Kind, _ text: ByteView, _ isWild: Bool) {
            let m = c
            for k in Int(m.generalStart[slot])..<Int(m.generalStart[slot + 1]) {
                let i = Int(m.general[k])
                let r = m.tests.evaluate(i, kind, text)
                // A wildcard selector holds when any selected value satisfies the condition;
                // NOT EXISTS holds when none was selected.
                if isWild && m.tests.kind(i) != .notExists { results[i] = results[i] || r } else { results[i] = r }
            }
            let mask = Int(m.indexMask[slot])
            guard mask >= 0, kind == .string else { return }
            for k in Int(m.negatedStart[slot])..<Int(m.negatedStart[slot + 1]) { results[Int(m.negated[k])] = true }
            let h = JSONMatcher.hash(text)
            let first = Int(m.indexStart[slot])
            var i = Int(h) & mask
            while true {
                let b = m.buckets[first + i]
                if b.literalStart < 0 { return }
                if b.hash == h && Int(b.literalCount) == text.count
                    && (text.count == 0 || memcmp(text.base, m.literals + Int(b.literalStart), text.count) == 0) {
                    for k in Int(b.conditionStart)..<Int(b.conditionStart + b.conditionCount) {
                        let i = Int(m.bucketConditions[k])
                        results[i] = !m.tests.tests[i].negated
                    }
                    return
                }
                i = (i + 1) & mask
            }
        }
    }
}

import TrailJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
