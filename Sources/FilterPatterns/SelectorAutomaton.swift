import TrailJSON

/// A set of JSON selectors compiled into one deterministic automaton over object keys and array
/// indices, and the single pass that walks a document with it.
///
/// Every selector of every filter (conditions, metric values, dimensions) becomes a slot. The
/// walk descends only where some selector leads, skips every other value with
/// `JSONScanner.fastSkipValue` (memchr over strings), and reports each selected value as a byte
/// range: no tree, no strings, no allocation. Wildcards (`.*`, `[*]`) are determinised away:
/// a key that both a literal edge and a wildcard accept leads to one merged state.
///
/// The tables live in a `TableArena` owned by the matcher that built this automaton.
struct SelectorAutomaton {
    struct State: Sendable {
        var keyEdgeStart: Int32 = 0, keyEdgeCount: Int32 = 0
        var indexEdgeStart: Int32 = 0, indexEdgeCount: Int32 = 0
        /// Target for keys / indices no edge names (a wildcard), or -1 to skip them.
        var otherKey: Int32 = -1, otherIndex: Int32 = -1
        var slotStart: Int32 = 0, slotCount: Int32 = 0
        /// Reached by one literal path: only its first occurrence counts (duplicate keys: first wins).
        var exact = false
        /// Exact and without wildcard edges: once every edge has been visited, the rest of the
        /// container cannot matter and is skipped (at the root, the walk stops).
        var closed = false
        var maxIndex: Int32 = -1
    }

    struct KeyEdge: Sendable { var offset: Int32; var length: Int32; var target: Int32 }
    struct IndexEdge: Sendable { var index: Int32; var target: Int32 }

    let states: UnsafeBufferPointer<State>
    private let keyEdges: UnsafeBufferPointer<KeyEdge>
    private let keyBytes: UnsafeBufferPointer<UInt8>
    private let indexEdges: UnsafeBufferPointer<IndexEdge>
    private let stateSlots: UnsafeBufferPointer<Int32>
    /// Per slot: reached through a wildcard, so every selected value is reported.
    let slotIsWild: UnsafeBufferPointer<Bool>
    var slotCount: Int { slotIsWild.count }

    private struct TrieNode {
        var keys: [[UInt8]: Int] = [:]
        var indices: [Int: Int] = [:]
        var anyKey: Int?
        var anyIndex: Int?
        var slot: Int?
        var wild = false
    }

    /// - Parameter selectors: distinct selectors; selector `i` reports to slot `i`.
    init(_ selectors: [Selector], arena: TableArena) {
        var trie = [TrieNode()]
        var states: [State] = []
        var keyEdges: [KeyEdge] = []
        var keyBytes: [UInt8] = []
        var indexEdges: [IndexEdge] = []
        var stateSlots: [Int32] = []
        for (slot, selector) in selectors.enumerated() {
            var at = 0
            for component in selector.components {
                let existing: Int?
                switch component {
                case .key(let k): existing = trie[at].keys[k]
                case .index(let n): existing = trie[at].indices[n]
                case .anyKey: existing = trie[at].anyKey
                case .anyIndex: existing = trie[at].anyIndex
                }
                if let existing { at = existing; continue }
                var child = TrieNode()
                child.wild = trie[at].wild || component == .anyKey || component == .anyIndex
                trie.append(child)
                let id = trie.count - 1
                switch component {
                case .key(let k): trie[at].keys[k] = id
                case .index(let n): trie[at].indices[n] = id
                case .anyKey: trie[at].anyKey = id
                case .anyIndex: trie[at].anyIndex = id
                }
                at = id
            }
            trie[at].slot = slot
        }

        // Subset construction over trie nodes, breadth first so each state's edges are contiguous.
        var sets: [[Int]] = [[0]]
        var index: [[Int]: Int32] = [[0]: 0]
        func state(_ nodes: [Int]) -> Int32 {
            let key = Array(Set(nodes)).sorted()
            if let s = index[key] { return s }
            sets.append(key)
            index[key] = Int32(sets.count - 1)
            return Int32(sets.count - 1)
        }
        var work = 0
        while work < sets.count {
            let nodes = sets[work].map { trie[$0] }
            var st = State()
            let anyKeys = nodes.compactMap(\.anyKey)
            let anyIndices = nodes.compactMap(\.anyIndex)
            st.keyEdgeStart = Int32(keyEdges.count)
            let keys = Set(nodes.flatMap(\.keys.keys)).sorted { $0.lexicographicallyPrecedes($1) }
            for k in keys {
                let target = state(nodes.compactMap { $0.keys[k] } + anyKeys)
                keyEdges.append(KeyEdge(offset: Int32(keyBytes.count), length: Int32(k.count), target: target))
                keyBytes.append(contentsOf: k)
            }
            st.keyEdgeCount = Int32(keys.count)
            st.indexEdgeStart = Int32(indexEdges.count)
            let indices = Set(nodes.flatMap(\.indices.keys)).sorted()
            for n in indices {
                indexEdges.append(IndexEdge(index: Int32(n), target: state(nodes.compactMap { $0.indices[n] } + anyIndices)))
            }
            st.indexEdgeCount = Int32(indices.count)
            st.maxIndex = Int32(indices.last ?? -1)
            if !anyKeys.isEmpty { st.otherKey = state(anyKeys) }
            if !anyIndices.isEmpty { st.otherIndex = state(anyIndices) }
            st.slotStart = Int32(stateSlots.count)
            for n in nodes { if let s = n.slot { stateSlots.append(Int32(s)) } }
            st.slotCount = Int32(stateSlots.count) - st.slotStart
            st.exact = nodes.count == 1 && !nodes[0].wild
            st.closed = st.exact && anyKeys.isEmpty && anyIndices.isEmpty
            states.append(st)
            work += 1
        }
        self.states = arena.freeze(states)
        self.keyEdges = arena.freeze(keyEdges)
        self.keyBytes = arena.freeze(keyBytes)
        self.indexEdges = arena.freeze(indexEdges)
        self.stateSlots = arena.freeze(stateSlots)
        slotIsWild = arena.freeze(selectors.map(\.hasWildcard))
    }

    /// Walks `buffer` once, reporting selected values to `sink`. Returns false when the buffer
    /// is not a JSON object or array, or is malformed where the walk reads it (the walk stops
    /// once nothing more can be selected, so text after that point is not checked).
    func scan<Sink: SelectorSink>(_ buffer: UnsafeRawBufferPointer, seen: UnsafeMutablePointer<Bool>, into sink: inout Sink) -> Bool {
        var walker = Walker(s: JSONScanner(buffer), states: states.baseAddress!, keyEdges: keyEdges.baseAddress,
                            keyBytes: keyBytes.baseAddress, indexEdges: indexEdges.baseAddress,
                            stateSlots: stateSlots.baseAddress, seen: seen)
        return walker.document(&sink)
    }

    private struct Walker {
        var s: JSONScanner
        let states: UnsafePointer<State>
        let keyEdges: UnsafePointer<KeyEdge>?
        let keyBytes: UnsafePointer<UInt8>?
        let indexEdges: UnsafePointer<IndexEdge>?
        let stateSlots: UnsafePointer<Int32>?
        let seen: UnsafeMutablePointer<Bool>

        /// `JSONScanner.skipWhitespace`, inlined: it runs before every key and value, and a
        /// call into another module each time cost more than the check itself.
        @inline(__always) mutating func skipSpace() {
            while s.position < s.count {
                let b = s.base[s.position]
                guard b <= 0x20, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                s.position += 1
            }
        }

        mutating func document<Sink: SelectorSink>(_ sink: inout Sink) -> Bool {
            skipSpace()
            switch s.peek() {
            case 0x7B: return object(0, depth: 0, &sink)
            case 0x5B: return array(0, depth: 0, &sink)
            default: return false
            }
        }

        /// `s.position` is at `{`.
        mutating func object<Sink: SelectorSink>(_ st: Int32, depth: Int, _ sink: inout Sink) -> Bool {
            let state = states[Int(st)]
            var remaining = state.keyEdgeCount
            s.position += 1
            skipSpace()
            if s.peek() == 0x7D { s.position += 1; return true }
            while true {
                skipSpace()
                guard s.peek() == 0x22 else { return false }
                let keyStart = s.position + 1
                s.fastSkipString()
                guard s.position < s.count else { return false }
                let keyEnd = s.position - 1
                skipSpace()
                guard s.peek() == 0x3A else { return false }
                s.position += 1
                skipSpace()
                let target = lookupKey(state, keyStart, keyEnd)
                if target < 0 {
                    s.fastSkipValue()
                } else if states[Int(target)].exact {
                    if seen[Int(target)] {
                        s.fastSkipValue()
                    } else {
                        seen[Int(target)] = true
                        guard visit(target, depth: depth + 1, &sink) else { return false }
                        if state.closed {
                            remaining -= 1
                            if remaining == 0 {
                                if depth == 0 { return true }
                                return skipRestOfContainer()
                            }
                        }
                    }
                } else {
                    guard visit(target, depth: depth + 1, &sink) else { return false }
                }
                skipSpace()
                guard let c = s.peek() else { return false }
                s.position += 1
                if c == 0x2C { continue }
                return c == 0x7D
            }
        }

        /// `s.position` is at `[`.
        mutating func array<Sink: SelectorSink>(_ st: Int32, depth: Int, _ sink: inout Sink) -> Bool {
            let state = states[Int(st)]
            s.position += 1
            skipSpace()
            if s.peek() == 0x5D { s.position += 1; return true }
            var i: Int32 = 0
            while true {
                if state.closed && i > state.maxIndex {
                    if depth == 0 { return true }
                    return skipRestOfContainer()
                }
                skipSpace()
                let target = lookupIndex(state, i)
                if target < 0 {
                    s.fastSkipValue()
                } else if states[Int(target)].exact && seen[Int(target)] {
                    s.fastSkipValue()
                } else {
                    seen[Int(target)] = true
                    guard visit(target, depth: depth + 1, &sink) else { return false }
                }
                skipSpace()
                guard let c = s.peek() else { return false }
                s.position += 1
                if c == 0x2C { i += 1; continue }
                return c == 0x5D
            }
        }

        /// The value at `s.position` is selected by state `st`.
        mutating func visit<Sink: SelectorSink>(_ st: Int32, depth: Int, _ sink: inout Sink) -> Bool {
            let state = states[Int(st)]
            guard let b = s.peek() else { return false }
            let start = s.position
            var value = ScannedValue(kind: .null, start: start, end: start)
            switch b {
            case 0x22:
                s.fastSkipString()
                guard s.position < s.count else { return false }
                value = ScannedValue(kind: .string, start: start + 1, end: s.position - 1)
            case 0x7B:
                value.kind = .object
                if state.keyEdgeCount > 0 || state.otherKey >= 0 {
                    guard object(st, depth: depth, &sink) else { return false }
                } else {
                    s.fastSkipValue()
                }
            case 0x5B:
                value.kind = .array
                if state.indexEdgeCount > 0 || state.otherIndex >= 0 {
                    guard array(st, depth: depth, &sink) else { return false }
                } else {
                    s.fastSkipValue()
                }
            case 0x74, 0x66, 0x6E:
                do { _ = try s.scanLiteral() } catch { return false }
                value.kind = b == 0x74 ? .true : b == 0x66 ? .false : .null
            case 0x2D, 0x30...0x39:
                do { _ = try s.scanNumber() } catch { return false }
                value = ScannedValue(kind: .number, start: start, end: s.position)
            default:
                return false
            }
            if state.slotCount > 0, let stateSlots {
                for k in Int(state.slotStart)..<Int(state.slotStart + state.slotCount) {
                    sink.value(slot: Int(stateSlots[k]), value)
                }
            }
            return true
        }

        @inline(__always) func lookupKey(_ state: State, _ start: Int, _ end: Int) -> Int32 {
            let length = end - start
            if state.keyEdgeCount > 0, let keyEdges, let keyBytes {
                for e in Int(state.keyEdgeStart)..<Int(state.keyEdgeStart + state.keyEdgeCount) {
                    let edge = keyEdges[e]
                    if Int(edge.length) == length && SelectorAutomaton.equal(s.base + start, keyBytes + Int(edge.offset), length) {
                        return edge.target
                    }
                }
                // An escaped key (`"event\u004Eame"`) is longer than what it spells.
                if memchr(s.base + start, 0x5C, length) != nil {
                    return lookupEscapedKey(state, start, end)
                }
            }
            return state.otherKey
        }

        func lookupEscapedKey(_ state: State, _ start: Int, _ end: Int) -> Int32 {
            var decoded: [UInt8] = []
            JSONScanner.unescape(UnsafeBufferPointer(start: s.base + start, count: end - start), into: &decoded)
            guard let keyEdges, let keyBytes else { return state.otherKey }
            for e in Int(state.keyEdgeStart)..<Int(state.keyEdgeStart + state.keyEdgeCount) {
                let edge = keyEdges[e]
                if Int(edge.length) == decoded.count
                    && decoded.withUnsafeBufferPointer({ memcmp($0.baseAddress!, keyBytes + Int(edge.offset), decoded.count) == 0 }) {
                    return edge.target
                }
            }
            return state.otherKey
        }

        @inline(__always) func lookupIndex(_ state: State, _ i: Int32) -> Int32 {
            if state.indexEdgeCount > 0, let indexEdges {
                for e in Int(state.indexEdgeStart)..<Int(state.indexEdgeStart + state.indexEdgeCount) where indexEdges[e].index == i {
                    return indexEdges[e].target
                }
            }
            return state.otherIndex
        }

        /// Inside a container whose remaining members cannot be selected: moves past its close.
        mutating func skipRestOfContainer() -> Bool {
            var depth = 1
            while s.position < s.count {
                let b = s.base[s.position]
                if b == 0x22 {
                    s.fastSkipString()
                    continue
                }
                s.position += 1
                if b == 0x7B || b == 0x5B {
                    depth += 1
                } else if b == 0x7D || b == 0x5D {
                    depth -= 1
                    if depth == 0 { return true }
                }
            }
            return false
        }
    }
}

extension SelectorAutomaton {
    /// Byte equality for keys, which are short: word compares beat a call to `memcmp`.
    @inline(__always) static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

/// A selected value: its kind and bytes (for strings, the bytes between the quotes, escapes
/// unresolved).
struct ScannedValue: Sendable {
    enum Kind: UInt8, Sendable { case absent, string, number, `true`, `false`, null, object, array }
    var kind: Kind
    var start: Int
    var end: Int

    static let absent = ScannedValue(kind: .absent, start: 0, end: 0)
}

protocol SelectorSink {
    mutating func value(slot: Int, _ value: ScannedValue)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
