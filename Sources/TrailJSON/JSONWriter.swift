extension JSONValue {
    /// Compact JSON text. With `sortedKeys`, object keys are written in byte order (stable output
    /// for tools and tests); otherwise in document order.
    public func jsonText(sortedKeys: Bool = false, pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, sortedKeys: sortedKeys, pretty: pretty, indent: 0)
        return out
    }

    private func write(to out: inout String, sortedKeys: Bool, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += JSONValue.formatNumber(d)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                v.write(to: &out, sortedKeys: sortedKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            var order = Array(o.keys.indices)
            if sortedKeys { order.sort { Array(o.keys[$0].utf8).lexicographicallyPrecedes(Array(o.keys[$1].utf8)) } }
            for (n, i) in order.enumerated() {
                if n > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                JSONValue.writeString(o.keys[i], to: &out)
                out += pretty ? ": " : ":"
                o.values[i].write(to: &out, sortedKeys: sortedKeys, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }

    /// Integers print without a fraction; NaN and infinities (not JSON) print as null.
    public static func formatNumber(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    public static func writeString(_ s: String, to out: inout String) {
        out += "\""
        var plainStart = s.unicodeScalars.startIndex
        var i = plainStart
        let scalars = s.unicodeScalars
        while i != scalars.endIndex {
            let c = scalars[i]
            let esc: String?
            switch c {
            case "\"": esc = "\\\""
            case "\\": esc = "\\\\"
            case "\n": esc = "\\n"
            case "\r": esc = "\\r"
            case "\t": esc = "\\t"
            default:
                if c.value < 0x20 {
                    let h = String(c.value, radix: 16)
                    esc = "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    esc = nil
                }
            }
            if let esc {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<i])
                out += esc
                plainStart = scalars.index(after: i)
            }
            i = scalars.index(after: i)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out += "\""
    }

    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = ""
        writeString(s, to: &out)
        return out
    }
}
