/// A Thompson NFA over bytes for one regex, and the set operations (closure, step) that both
/// the DFA construction and the fallback simulation use, so the two cannot disagree.
///
/// Search is unanchored: a new thread starts at every character boundary (never inside a UTF-8
/// sequence), and `.` or a negated class consumes one whole UTF-8 character.
struct RegexNFA: Sendable {
    enum Inst: Sendable {
        case consume(set: Int32, next: Int32)
        case split(Int32, Int32)
        case assertStart(Int32)
        case assertEnd(Int32)
        case match
    }

    /// 256-bit byte set.
    struct ByteSet: Sendable, Hashable {
        var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

        init() {}

        init(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }

        @inline(__always) func contains(_ b: UInt8) -> Bool {
            let bit = UInt64(1) << (b & 63)
            switch b >> 6 {
            case 0: return w0 & bit != 0
            case 1: return w1 & bit != 0
            case 2: return w2 & bit != 0
            default: return w3 & bit != 0
            }
        }

        mutating func insert(_ b: UInt8) {
            let bit = UInt64(1) << (b & 63)
            switch b >> 6 {
            case 0: w0 |= bit
            case 1: w1 |= bit
            case 2: w2 |= bit
            default: w3 |= bit
            }
        }
    }

    static let maxInstructions = 20_000

    private(set) var insts: [Inst] = []
    private(set) var sets: [ByteSet] = []
    private var setIndex: [ByteSet: Int32] = [:]
    private(set) var start: Int32 = 0
    private(set) var matchPC: Int32 = 0

    /// Continuation bytes: no thread starts on one, so search never begins mid-character.
    static let continuation = ByteSet(0x80...0xBF)

    @inline(__always) static func isBoundary(_ b: UInt8) -> Bool { b < 0x80 || b >= 0xC0 }

    /// Compiles; `at` is the regex's offset in the pattern, for the size error.
    init(_ syntax: RegexSyntax, at offset: Int) throws(ParseFailure) {
        matchPC = emit(.match)
        var entries: [Int32] = []
        for alternative in syntax.alternatives {
            var next = matchPC
            for piece in alternative.reversed() {
                next = compile(piece, next: next)
                guard insts.count <= RegexNFA.maxInstructions else {
                    throw ParseFailure("regex too large once its repetitions are expanded", at: offset)
                }
            }
            entries.append(next)
        }
        var entry = entries.removeLast()
        while let e = entries.popLast() { entry = emit(.split(e, entry)) }
        start = entry
    }

    private mutating func emit(_ inst: Inst) -> Int32 {
        insts.append(inst)
        return Int32(insts.count - 1)
    }

    private mutating func set(_ s: ByteSet) -> Int32 {
        if let i = setIndex[s] { return i }
        sets.append(s)
        setIndex[s] = Int32(sets.count - 1)
        return Int32(sets.count - 1)
    }

    // Built back to front: each step knows its continuation, so nothing needs patching except
    // the split that closes a loop.
    private mutating func compile(_ piece: RegexSyntax.Piece, next: Int32) -> Int32 {
        var entry = next
        if let max = piece.max {
            for _ in 0..<(max - piece.min) {
                let body = compile(piece.atom, next: entry)
                entry = emit(.split(body, next))
            }
        } else {
            let loop = emit(.split(0, 0))
            let body = compile(piece.atom, next: loop)
            insts[Int(loop)] = .split(body, next)
            entry = loop
        }
        for _ in 0..<piece.min { entry = compile(piece.atom, next: entry) }
        return entry
    }

    private mutating func compile(_ atom: RegexSyntax.Atom, next: Int32) -> Int32 {
        switch atom {
        case .start: return emit(.assertStart(next))
        case .end: return emit(.assertEnd(next))
        case .chars(let cs):
            var ascii = ByteSet()
            for b in UInt8(0)..<128 where cs.contains(b) { ascii.insert(b) }
            guard cs.nonASCII else { return emit(.consume(set: set(ascii), next: next)) }
            // One UTF-8 character of 2, 3 or 4 bytes; a stray byte (invalid UTF-8) counts as one.
            let cont = set(RegexNFA.continuation)
            func chain(_ lead: ClosedRange<UInt8>, _ continuations: Int) -> Int32 {
                var e = next
                for _ in 0..<continuations { e = emit(.consume(set: cont, next: e)) }
                return emit(.consume(set: set(ByteSet(lead)), next: e))
            }
            var stray = ByteSet(0x80...0xBF)
            for b in UInt8(0xF8)...0xFF { stray.insert(b) }
            var branches = [chain(0xC0...0xDF, 1), chain(0xE0...0xEF, 2), chain(0xF0...0xF7, 3),
                            emit(.consume(set: set(stray), next: next))]
            if cs.hasASCII { branches.append(emit(.consume(set: set(ascii), next: next))) }
            var entry = branches.removeLast()
            while let b = branches.popLast() { entry = emit(.split(b, entry)) }
            return entry
        }
    }

    // MARK: - Thread sets

    /// Scratch for set operations: `mark[pc] == generation` means pc is already in the set.
    struct Scratch {
        var mark: [UInt32]
        var generation: UInt32 = 0
        var stack: [Int32] = []

        init(count: Int) { mark = Array(repeating: 0, count: count) }

        mutating func begin() {
            generation &+= 1
            if generation == 0 {
                for i in mark.indices { mark[i] = 0 }
                generation = 1
            }
        }
    }

    /// Adds the epsilon closure of `pc` to `out`. Kept in the set: consuming instructions, the
    /// match, and (unless `eol`) `$` assertions still waiting for the end.
    func addClosure(_ pc: Int32, bol: Bool, eol: Bool, into out: inout [Int32], _ scratch: inout Scratch) {
        scratch.stack.append(pc)
        while let p = scratch.stack.popLast() {
            if scratch.mark[Int(p)] == scratch.generation { continue }
            scratch.mark[Int(p)] = scratch.generation
            switch insts[Int(p)] {
            case .consume, .match:
                out.append(p)
            case .split(let a, let b):
                scratch.stack.append(b)
                scratch.stack.append(a)
            case .assertStart(let n):
                if bol { scratch.stack.append(n) }
            case .assertEnd(let n):
                if eol { scratch.stack.append(n) } else { out.append(p) }
            }
        }
    }

    /// The threads after reading `byte` from `threads` (a closure set).
    func step(_ threads: [Int32], _ byte: UInt8, into out: inout [Int32], _ scratch: inout Scratch) {
        scratch.begin()
        for p in threads {
            if case .consume(let s, let n) = insts[Int(p)], sets[Int(s)].contains(byte) {
                addClosure(n, bol: false, eol: false, into: &out, &scratch)
            }
        }
    }

    /// Whether `threads`, at the end of the input, reach the match.
    func acceptsAtEnd(_ threads: [Int32], bol: Bool, _ scratch: inout Scratch) -> Bool {
        scratch.begin()
        var out: [Int32] = []
        for p in threads {
            if case .assertEnd = insts[Int(p)] {
                addClosure(p, bol: bol, eol: true, into: &out, &scratch)
            } else {
                out.append(p)
            }
        }
        return out.contains(matchPC)
    }

    /// Threads that start at a position: the closure of `start`, with `^` passable only at 0.
    func startSet(bol: Bool, _ scratch: inout Scratch) -> [Int32] {
        scratch.begin()
        var out: [Int32] = []
        addClosure(start, bol: bol, eol: false, into: &out, &scratch)
        return out
    }

    /// The union of two closure sets, duplicates removed, sorted (a canonical DFA key).
    static func union(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        Array(Set(a).union(b)).sorted()
    }

    /// Decides a match by simulating the NFA directly: linear time, but it allocates its thread
    /// lists per call. Used only for regexes whose DFA would be too large.
    func simulate(_ v: ByteView) -> Bool {
        var scratch = Scratch(count: insts.count)
        let injected = startSet(bol: false, &scratch)
        var current = startSet(bol: true, &scratch)
        if current.contains(matchPC) { return true }
        var next: [Int32] = []
        for i in 0..<v.count {
            let b = v.base[i]
            let active = RegexNFA.isBoundary(b) && i > 0 ? RegexNFA.union(current, injected) : current
            next.removeAll(keepingCapacity: true)
            step(active, b, into: &next, &scratch)
            if next.contains(matchPC) { return true }
            if next.isEmpty && injected.isEmpty { return false }
            swap(&current, &next)
        }
        return acceptsAtEnd(v.count == 0 ? current : RegexNFA.union(current, injected), bol: v.count == 0, &scratch)
    }
}
