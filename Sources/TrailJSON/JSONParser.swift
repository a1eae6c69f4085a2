/// Builds `JSONValue` trees. Validates completely; errors carry the byte offset.
public enum JSONParser {
    /// Deeper documents are rejected rather than risking the stack.
    public static let maxDepth = 512

    public static func parse(_ buffer: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var s = JSONScanner(buffer)
        s.skipWhitespace()
        // A UTF-8 byte-order mark is tolerated at the start, as many exporters write one.
        if s.count - s.position >= 3, s.base[s.position] == 0xEF, s.base[s.position + 1] == 0xBB,
            s.base[s.position + 2] == 0xBF
        {
            s.position += 3
            s.skipWhitespace()
        }
        let v = try value(&s, depth: 0)
        s.skipWhitespace()
        guard s.atEnd else { throw JSONError(.trailingData, at: s.position) }
        return v
    }

    static func value(_ s: inout JSONScanner, depth: Int) throws(JSONError) -> JSONValue {
        s.skipWhitespace()
        guard let b = s.peek() else { throw JSONError(.unexpectedEnd, at: s.position) }
        switch b {
        case 0x22:
            let t = try s.scanString()
            return .string(s.decodeString(t))
        case 0x7B:
            guard depth < maxDepth else { throw JSONError(.tooDeep, at: s.position) }
            s.position += 1
            var obj = JSONObject()
            s.skipWhitespace()
            if s.peek() == 0x7D { s.position += 1; return .object(obj) }
            while true {
                s.skipWhitespace()
                guard let k = s.peek() else { throw JSONError(.unexpectedEnd, at: s.position) }
                guard k == 0x22 else { throw JSONError(.expected("a string key"), at: s.position) }
                let key = s.decodeString(try s.scanString())
                try s.expect(0x3A, "':'")
                let v = try value(&s, depth: depth + 1)
                obj.appendUnchecked(key, v)
                if try s.endOfContainer(0x7D, "',' or '}'") { return .object(obj) }
            }
        case 0x5B:
            guard depth < maxDepth else { throw JSONError(.tooDeep, at: s.position) }
            s.position += 1
            var arr = [JSONValue]()
            s.skipWhitespace()
            if s.peek() == 0x5D { s.position += 1; return .array(arr) }
            while true {
                arr.append(try value(&s, depth: depth + 1))
                if try s.endOfContainer(0x5D, "',' or ']'") { return .array(arr) }
            }
        case 0x74, 0x66, 0x6E:
            return try s.scanLiteral()
        case 0x2D, 0x30...0x39:
            let r = try s.scanNumber()
            return .number(s.numberValue(r))
        default:
            throw JSONError(.unexpectedByte(b), at: s.position)
        }
    }
}
