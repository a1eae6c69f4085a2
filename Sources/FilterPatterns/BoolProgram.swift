/// `&&` / `||` trees flattened into tables, many trees sharing them (one per pattern), evaluated
/// with short-circuiting and no allocation.
struct BoolProgram {
    struct Node {
        var kind: UInt8  // 0 leaf, 1 and, 2 or
        var a: Int32     // leaf: leaf id; and/or: first child in `children`
        var b: Int32     // and/or: child count
    }
    // `children` holds a node index, or `~leafID` (negative) for a leaf child, so the long
    // `||` lists of leaves that CIS filters are read without visiting a node per leaf.

    private var nodes: [Node] = []
    private var children: [Int32] = []

    init() {}

    /// Adds a tree; returns its root, to pass to `View.evaluate`.
    mutating func add<Leaf>(_ e: BoolExpr<Leaf>, leafID: (Leaf) -> Int32) -> Int32 {
        switch e {
        case .leaf(let l):
            nodes.append(Node(kind: 0, a: leafID(l), b: 0))
        case .and(let parts), .or(let parts):
            let ids = parts.map { part -> Int32 in
                if case .leaf(let l) = part { return ~leafID(l) }
                return add(part, leafID: leafID)
            }
            let first = Int32(children.count)
            children.append(contentsOf: ids)
            let kind: UInt8
            if case .and = e { kind = 1 } else { kind = 2 }
            nodes.append(Node(kind: kind, a: first, b: Int32(ids.count)))
        }
        return Int32(nodes.count - 1)
    }

    func freeze(in arena: TableArena) -> View {
        View(nodes: arena.freeze(nodes), children: arena.freeze(children))
    }

    struct View {
        let nodes: UnsafeBufferPointer<Node>
        let children: UnsafeBufferPointer<Int32>

        /// Evaluates the tree at `root`, asking `leaf` for leaves lazily, left to right.
        @inline(__always) func evaluate(_ root: Int32, _ leaf: (Int32) -> Bool) -> Bool {
            let node = nodes[Int(root)]
            return node.kind == 0 ? leaf(node.a) : evaluate(node, leaf)
        }

        private func evaluate(_ node: Node, _ leaf: (Int32) -> Bool) -> Bool {
            let isAnd = node.kind == 1
            for k in Int(node.a)..<Int(node.a + node.b) {
                let child = children[k]
                let value = child < 0 ? leaf(~child) : evaluate(nodes[Int(child)], leaf)
                if value != isAnd { return value }
            }
            return isAnd
        }
    }
}
