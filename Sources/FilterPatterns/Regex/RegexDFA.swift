#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A DFA built eagerly from a `RegexNFA` when the pattern is compiled, so matching is one table
/// lookup per byte, with no allocation and no locks.
///
/// Bytes are grouped into equivalence classes (bytes no instruction tells apart share a column),
/// which keeps the table small. A state whose only way out is one particular byte skips ahead
/// with `memchr`: that is the common "waiting for the first letter of the literal" state.
///
/// The tables live in a `TableArena` owned by the `Regex` that built this DFA.
struct RegexDFA {
    static let maxStates = 2_000
    /// Bounds construction work (states × NFA size), so a huge expanded repetition compiles
    /// quickly and falls back to simulation instead.
    static let maxWork = 2_000_000

    static let acceptNow: UInt8 = 1
    static let acceptAtEnd: UInt8 = 2
    static let dead: UInt8 = 4

    private let classOf: UnsafeBufferPointer<UInt8>
    private let classCount: Int
    private let transitions: UnsafeBufferPointer<Int32>
    private let flags: UnsafeBufferPointer<UInt8>
    /// Per state: the only byte that leaves it, or -1.
    private let exitByte: UnsafeBufferPointer<Int16>

    /// Nil when the DFA would exceed `maxStates` (the caller then simulates the NFA).
    init?(_ nfa: RegexNFA, arena: TableArena) {
        // Byte classes: bytes with the same membership in every set (and in "continuation",
        // which decides where new threads start) behave identically.
        var signatureClass: [[Bool]: UInt8] = [:]
        var classOf = [UInt8](repeating: 0, count: 256)
        var representatives: [UInt8] = []
        for b in 0...255 {
            let byte = UInt8(b)
            var signature = nfa.sets.map { $0.contains(byte) }
            signature.append(RegexNFA.isBoundary(byte))
            if let c = signatureClass[signature] {
                classOf[b] = c
            } else {
                let c = UInt8(representatives.count)
                signatureClass[signature] = c
                representatives.append(byte)
                classOf[b] = c
            }
        }
        let classCount = representatives.count
        let stateLimit = min(RegexDFA.maxStates, max(64, RegexDFA.maxWork / max(nfa.insts.count, 1)))

        var scratch = RegexNFA.Scratch(count: nfa.insts.count)
        let injected = nfa.startSet(bol: false, &scratch)
        let initial = nfa.startSet(bol: true, &scratch).sorted()
        // State 0 is the start of input; it is never merged with a later state because `^`
        // holds only there.
        var sets: [[Int32]] = [initial]
        var index: [[Int32]: Int32] = [:]
        var transitions: [Int32] = []
        var work = 0
        var next: [Int32] = []
        while work < sets.count {
            let current = sets[work]
            let withInjection = RegexNFA.union(current, injected)
            for c in 0..<classCount {
                let b = representatives[c]
                next.removeAll(keepingCapacity: true)
                nfa.step(RegexNFA.isBoundary(b) ? withInjection : current, b, into: &next, &scratch)
                let key = next.sorted()
                if let existing = index[key] {
                    transitions.append(existing)
                } else {
                    guard sets.count < stateLimit else { return nil }
                    let id = Int32(sets.count)
                    sets.append(key)
                    index[key] = id
                    transitions.append(id)
                }
            }
            work += 1
        }

        var flags = [UInt8](repeating: 0, count: sets.count)
        var exitByte = [Int16](repeating: -1, count: sets.count)
        for (s, threads) in sets.enumerated() {
            if threads.contains(nfa.matchPC) { flags[s] |= RegexDFA.acceptNow }
            let atEnd = s == 0 ? threads : RegexNFA.union(threads, injected)
            if nfa.acceptsAtEnd(atEnd, bol: s == 0, &scratch) { flags[s] |= RegexDFA.acceptAtEnd }
            if threads.isEmpty && injected.isEmpty { flags[s] |= RegexDFA.dead }
            var exits: [UInt8] = []
            for b in 0...255 where transitions[s * classCount + Int(classOf[b])] != Int32(s) {
                exits.append(UInt8(b))
                if exits.count > 1 { break }
            }
            if exits.count == 1 { exitByte[s] = Int16(exits[0]) }
        }
        self.classOf = arena.freeze(classOf)
        self.classCount = classCount
        self.transitions = arena.freeze(transitions)
        self.flags = arena.freeze(flags)
        self.exitByte = arena.freeze(exitByte)
    }

    func matches(_ v: ByteView) -> Bool {
        var s = 0
        if flags[0] & RegexDFA.acceptNow != 0 { return true }
        var i = 0
        let n = v.count
        while i < n {
            let skip = exitByte[s]
            if skip >= 0 {
                guard let hit = memchr(v.base + i, Int32(skip), n - i) else { break }
                i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - v.base
            }
            s = Int(transitions[s &* classCount &+ Int(classOf[Int(v.base[i])])])
            i += 1
            let f = flags[s]
            if f & (RegexDFA.acceptNow | RegexDFA.dead) != 0 { return f & RegexDFA.acceptNow != 0 }
        }
        return flags[s] & RegexDFA.acceptAtEnd != 0
    }
}
