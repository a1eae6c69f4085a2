/// Validates a whole JSON object and, in the same pass, picks out the values at a fixed set of
/// object-key paths (`eventName`, `userIdentity.arn`, …) as byte ranges. No tree is built and
/// nothing is allocated per record: this is the ingest hot path.
public struct JSONFieldScanner: Sendable {
    /// What was found at one selected path.
    public struct Field: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case string, number, bool, null, object, array }
        public var kind: Kind
        /// For strings: the bytes between the quotes. Otherwise the whole value.
        public var range: Range<Int>
        public var hasEscapes: Bool
        /// For booleans: the value.
        public var boolValue: Bool
    }

    private struct Node: Sendable {
        var key: [UInt8]
        var slot: Int  // -1 when only an inner node
        var children: [Int]
    }

    private var nodes: [Node]
    public let paths: [[String]]

    /// - Parameter paths: object-key paths; each gets the slot of its index in this array.
    public init(paths: [[String]]) {
        self.paths = paths
        nodes = [Node(key: [], slot: -1, children: [])]
        for (slot, path) in paths.enumerated() {
            precondition(!path.isEmpty, "empty path")
            var at = 0
            for (depth, k) in path.enumerated() {
                let bytes = Array(k.utf8)
                if let c = nodes[at].children.first(where: { nodes[$0].key == bytes }) {
                    at = c
                } else {
                    nodes.append(Node(key: bytes, slot: -1, children: []))
                    nodes[at].children.append(nodes.count - 1)
                    at = nodes.count - 1
                }
                if depth == path.count - 1 { nodes[at].slot = slot }
            }
        }
    }

    /// Validates `buffer` as exactly one JSON object (surrounding whitespace allowed) and fills
    /// `fields[slot]` for every selected path present; absent paths are left nil.
    public func scan(_ buffer: UnsafeRawBufferPointer, into fields: inout [Field?]) throws(JSONError) {
        if fields.count != paths.count { fields = Array(repeating: nil, count: paths.count) } else {
            for i in fields.indices { fields[i] = nil }
        }
        var s = JSONScanner(buffer)
        s.skipWhitespace()
        guard let b = s.peek() else { throw JSONError(.unexpectedEnd, at: 0) }
        guard b == 0x7B else { throw JSONError(.expected("a JSON object"), at: s.position) }
        try scanObject(&s, node: 0, depth: 0, into: &fields)
        s.skipWhitespace()
        guard s.atEnd else { throw JSONError(.trailingData, at: s.position) }
    }

    private func scanObject(_ s: inout JSONScanner, node: Int, depth: Int, into fields: inout [Field?]) throws(JSONError) {
        s.position += 1
        s.skipWhitespace()
        if s.peek() == 0x7D { s.position += 1; return }
        while true {
            s.skipWhitespace()
            guard let k = s.peek() else { throw JSONError(.unexpectedEnd, at: s.position) }
            guard k == 0x22 else { throw JSONError(.expected("a string key"), at: s.position) }
            let key = try s.scanString()
            try s.expect(0x3A, "':'")
            s.skipWhitespace()
            let matched = match(key, node, s)
            if matched >= 0 {
                try selectedValue(&s, node: matched, depth: depth + 1, into: &fields)
            } else {
                try s.skipValue(depth: depth + 1)
            }
            if try s.endOfContainer(0x7D, "',' or '}'") { return }
        }
    }

    /// The child of `node` named by `key`, or -1. Reads the node table in place: copying a
    /// node's `children` array here cost a retain/release pair per key on the ingest path.
    private func match(_ key: JSONScanner.StringToken, _ node: Int, _ s: JSONScanner) -> Int {
        let len = key.end - key.start
        return nodes.withUnsafeBufferPointer { table -> Int in
            table[node].children.withUnsafeBufferPointer { children -> Int in
                for c in children {
                    let matched = table[c].key.withUnsafeBufferPointer { want -> Bool in
                        if key.hasEscapes { return s.decodeString(key).utf8.elementsEqual(want) }
                        return want.count == len && memcmp(s.base + key.start, want.baseAddress!, len) == 0
                    }
                    if matched { return c }
                }
                return -1
            }
        }
    }

    private func selectedValue(_ s: inout JSONScanner, node: Int, depth: Int, into fields: inout [Field?]) throws(JSONError) {
        guard let b = s.peek() else { throw JSONError(.unexpectedEnd, at: s.position) }
        let slot = nodes[node].slot
        let start = s.position
        switch b {
        case 0x22:
            let t = try s.scanString()
            if slot >= 0 { fields[slot] = Field(kind: .string, range: t.start..<t.end, hasEscapes: t.hasEscapes, boolValue: false) }
        case 0x7B:
            guard depth < JSONParser.maxDepth else { throw JSONError(.tooDeep, at: s.position) }
            if nodes[node].children.isEmpty {
                try s.skipValue(depth: depth)
            } else {
                try scanObject(&s, node: node, depth: depth, into: &fields)
            }
            if slot >= 0 { fields[slot] = Field(kind: .object, range: start..<s.position, hasEscapes: false, boolValue: false) }
        case 0x5B:
            try s.skipValue(depth: depth)
            if slot >= 0 { fields[slot] = Field(kind: .array, range: start..<s.position, hasEscapes: false, boolValue: false) }
        case 0x74, 0x66, 0x6E:
            let v = try s.scanLiteral()
            if slot >= 0 {
                if case .bool(let flag) = v {
                    fields[slot] = Field(kind: .bool, range: start..<s.position, hasEscapes: false, boolValue: flag)
                } else {
                    fields[slot] = Field(kind: .null, range: start..<s.position, hasEscapes: false, boolValue: false)
                }
            }
        case 0x2D, 0x30...0x39:
            let r = try s.scanNumber()
            if slot >= 0 { fields[slot] = Field(kind: .number, range: r, hasEscapes: false, boolValue: false) }
        default:
            throw JSONError(.unexpectedByte(b), at: s.position)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
