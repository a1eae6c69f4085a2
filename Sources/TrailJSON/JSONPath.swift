/// A path into a JSON document, written either as `$.a.b[0]` / `$.a["odd key"]` (JSONPath, as
/// filter patterns use it) or as `a.b.0` (dotted, as Logs Insights flattens CloudTrail fields).
///
/// A numeric component of the dotted form addresses an array element or an object key spelled
/// with digits, whichever the document has there.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        /// `a.0`: an array index, or the object key "0".
        case keyOrIndex(String, Int)
    }

    public var components: [Component]

    public init(_ components: [Component]) { self.components = components }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var column: Int
        public var description: String { "\(message) at column \(column)" }
    }

    /// Parses either syntax. `$` alone is the whole document.
    public init(parsing text: String) throws(ParseError) {
        let chars = Array(text.unicodeScalars)
        var comps: [Component] = []
        var i = 0
        func fail(_ m: String) -> ParseError { ParseError(message: m, column: i + 1) }
        let jsonPath = chars.first == "$"
        if jsonPath {
            i = 1
            while i < chars.count {
                if chars[i] == "." {
                    i += 1
                    let start = i
                    while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
                    guard i > start else { throw fail("empty path component") }
                    comps.append(.key(String(String.UnicodeScalarView(chars[start..<i]))))
                } else if chars[i] == "[" {
                    i += 1
                    guard i < chars.count else { throw fail("unterminated '['") }
                    if chars[i] == "\"" || chars[i] == "'" {
                        let quote = chars[i]
                        i += 1
                        let start = i
                        while i < chars.count, chars[i] != quote { i += 1 }
                        guard i < chars.count else { throw fail("unterminated quoted key") }
                        comps.append(.key(String(String.UnicodeScalarView(chars[start..<i]))))
                        i += 1
                    } else {
                        let start = i
                        while i < chars.count, chars[i] != "]" { i += 1 }
                        let digits = String(String.UnicodeScalarView(chars[start..<i]))
                        guard let n = Int(digits), n >= 0 else { throw fail("array index must be a non-negative integer") }
                        comps.append(.index(n))
                    }
                    guard i < chars.count, chars[i] == "]" else { throw fail("expected ']'") }
                    i += 1
                } else {
                    throw fail("expected '.' or '['")
                }
            }
        } else {
            guard !text.isEmpty else { throw ParseError(message: "empty path", column: 1) }
            for part in text.split(separator: ".", omittingEmptySubsequences: false) {
                guard !part.isEmpty else { throw ParseError(message: "empty path component", column: i + 1) }
                if let n = Int(part), n >= 0, part.allSatisfy(\.isASCII) {
                    comps.append(.keyOrIndex(String(part), n))
                } else {
                    comps.append(.key(String(part)))
                }
                i += part.unicodeScalars.count + 1
            }
        }
        components = comps
    }

    public var description: String {
        var s = "$"
        for c in components {
            switch c {
            case .key(let k):
                if k.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) || $0 == "@" }) {
                    s += "." + k
                } else {
                    s += "[\"" + k + "\"]"
                }
            case .index(let n), .keyOrIndex(_, let n): s += "[\(n)]"
            }
        }
        return s
    }

    /// The value at this path, or nil when any step is absent.
    public func value(in root: JSONValue) -> JSONValue? {
        var cur = root
        for c in components {
            switch (c, cur) {
            case (.key(let k), .object(let o)), (.keyOrIndex(let k, _), .object(let o)):
                guard let v = o[k] else { return nil }
                cur = v
            case (.index(let n), .array(let a)), (.keyOrIndex(_, let n), .array(let a)):
                guard a.indices.contains(n) else { return nil }
                cur = a[n]
            default:
                return nil
            }
        }
        return cur
    }

    /// Finds the value at this path in raw, already-validated JSON bytes without building a tree.
    /// Returns the byte range of the value (strings include their quotes).
    public func range(in buffer: UnsafeRawBufferPointer) -> Range<Int>? {
        var s = JSONScanner(buffer)
        s.skipWhitespace()
        for c in components {
            guard let b = s.peek() else { return nil }
            if b == 0x7B {
                let key: String
                switch c {
                case .key(let k), .keyOrIndex(let k, _): key = k
                case .index: return nil
                }
                guard s.seekKey(key) else { return nil }
            } else if b == 0x5B {
                let n: Int
                switch c {
                case .index(let i), .keyOrIndex(_, let i): n = i
                case .key: return nil
                }
                guard s.seekElement(n) else { return nil }
            } else {
                return nil
            }
        }
        s.skipWhitespace()
        let start = s.position
        s.fastSkipValue()
        return start < s.position ? start..<s.position : nil
    }

    /// The value at this path in raw JSON bytes, parsed.
    public func value(in buffer: UnsafeRawBufferPointer) -> JSONValue? {
        guard let r = range(in: buffer) else { return nil }
        return try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: buffer[r]))
    }
}

extension JSONScanner {
    /// With `position` at `{`: moves to the value of the first member named `key`.
    mutating func seekKey(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { k -> Bool in
            position += 1
            while true {
                skipWhitespace()
                guard position < count, base[position] == 0x22 else { return false }
                let keyStart = position + 1
                fastSkipString()
                let keyEnd = position - 1
                skipWhitespace()
                guard position < count, base[position] == 0x3A else { return false }
                position += 1
                skipWhitespace()
                if keyMatches(keyStart..<keyEnd, k) { return true }
                fastSkipValue()
                skipWhitespace()
                guard position < count, base[position] == 0x2C else { return false }
                position += 1
            }
        }
    }

    /// With `position` at `[`: moves to element `n`.
    mutating func seekElement(_ n: Int) -> Bool {
        position += 1
        skipWhitespace()
        if position < count, base[position] == 0x5D { return false }
        var i = 0
        while true {
            skipWhitespace()
            if i == n { return position < count }
            fastSkipValue()
            skipWhitespace()
            guard position < count, base[position] == 0x2C else { return false }
            position += 1
            i += 1
        }
    }

    /// Compares a raw (possibly escaped) key with the wanted key's UTF-8 bytes.
    func keyMatches(_ raw: Range<Int>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        let rawPtr = UnsafeBufferPointer(start: base + raw.lowerBound, count: raw.count)
        if raw.count == wanted.count, memcmp(rawPtr.baseAddress!, wanted.baseAddress!, raw.count) == 0 { return true }
        guard rawPtr.contains(0x5C) else { return false }
        var decoded = [UInt8]()
        JSONScanner.unescape(rawPtr, into: &decoded)
        return decoded.elementsEqual(wanted)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
