#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The byte-level lexer shared by the tree parser, the field scanner and path lookups.
///
/// It works on borrowed bytes and never allocates; strings are reported as byte ranges and only
/// decoded (`decodeString`) when a caller wants a `String`. Validation follows RFC 8259, including
/// UTF-8 well-formedness, so anything it accepts can be stored as SQLite TEXT as is.
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    public let count: Int
    public var position: Int

    public init(_ buffer: UnsafeRawBufferPointer) {
        // An empty buffer may have a nil base; point at a static byte so reads stay in bounds.
        base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? JSONScanner.emptyByte
        count = buffer.count
        position = 0
    }

    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    @inline(__always) public var atEnd: Bool { position >= count }

    @inline(__always) public func peek() -> UInt8? { position < count ? base[position] : nil }

    @inline(__always) public mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    @inline(__always) public mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        skipWhitespace()
        guard position < count else { throw JSONError(.unexpectedEnd, at: position) }
        guard base[position] == byte else { throw JSONError(.expected(what), at: position) }
        position += 1
    }

    /// A scanned string: `start..<end` are the bytes between the quotes.
    public struct StringToken: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var hasEscapes: Bool
    }

    /// Scans a string whose opening quote is at `position`, validating escapes, control
    /// characters and UTF-8.
    public mutating func scanString() throws(JSONError) -> StringToken {
        position += 1  // opening quote
        let start = position
        var escapes = false
        while true {
            // Fast path: runs of plain ASCII.
            while position < count {
                let b = base[position]
                if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { break }
                position += 1
            }
            guard position < count else { throw JSONError(.unexpectedEnd, at: position) }
            let b = base[position]
            if b == 0x22 {
                let token = StringToken(start: start, end: position, hasEscapes: escapes)
                position += 1
                return token
            } else if b == 0x5C {
                escapes = true
                try scanEscape()
            } else if b < 0x20 {
                throw JSONError(.controlCharacterInString, at: position)
            } else {
                try scanUTF8Sequence()
            }
        }
    }

    private mutating func scanEscape() throws(JSONError) {
        let at = position
        position += 1
        guard position < count else { throw JSONError(.unexpectedEnd, at: position) }
        switch base[position] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            position += 1
        case 0x75:  // \uXXXX
            guard position + 4 < count else { throw JSONError(.unexpectedEnd, at: count) }
            for k in 1...4 where JSONScanner.hexValue(base[position + k]) == nil {
                throw JSONError(.invalidUnicodeEscape, at: at)
            }
            position += 5
        default:
            throw JSONError(.invalidEscape, at: at)
        }
    }

    private mutating func scanUTF8Sequence() throws(JSONError) {
        let at = position
        let b0 = base[position]
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw JSONError(.invalidUTF8, at: at)
        }
        guard position + length <= count else { throw JSONError(.invalidUTF8, at: at) }
        let b1 = base[position + 1]
        guard b1 >= lower && b1 <= upper else { throw JSONError(.invalidUTF8, at: at) }
        var k = 2
        while k < length {
            guard base[position + k] & 0xC0 == 0x80 else { throw JSONError(.invalidUTF8, at: at) }
            k += 1
        }
        position += length
    }

    /// Scans a number at `position`, validating the JSON grammar. Returns its byte range.
    public mutating func scanNumber() throws(JSONError) -> Range<Int> {
        let start = position
        if position < count && base[position] == 0x2D { position += 1 }
        guard position < count else { throw JSONError(.invalidNumber, at: start) }
        if base[position] == 0x30 {
            position += 1
        } else if base[position] >= 0x31 && base[position] <= 0x39 {
            while position < count && JSONScanner.isDigit(base[position]) { position += 1 }
        } else {
            throw JSONError(.invalidNumber, at: start)
        }
        if position < count && base[position] == 0x2E {
            position += 1
            let digits = position
            while position < count && JSONScanner.isDigit(base[position]) { position += 1 }
            guard position > digits else { throw JSONError(.invalidNumber, at: start) }
        }
        if position < count && (base[position] == 0x65 || base[position] == 0x45) {
            position += 1
            if position < count && (base[position] == 0x2B || base[position] == 0x2D) { position += 1 }
            let digits = position
            while position < count && JSONScanner.isDigit(base[position]) { position += 1 }
            guard position > digits else { throw JSONError(.invalidNumber, at: start) }
        }
        return start..<position
    }

    /// Scans `true`, `false` or `null` at `position`.
    public mutating func scanLiteral() throws(JSONError) -> JSONValue {
        let b = base[position]
        let (word, value): (StaticString, JSONValue) =
            b == 0x74 ? ("true", .bool(true)) : b == 0x66 ? ("false", .bool(false)) : ("null", .null)
        let n = word.utf8CodeUnitCount
        guard position + n <= count, memcmp(base + position, word.utf8Start, n) == 0 else {
            throw JSONError(.invalidLiteral, at: position)
        }
        position += n
        return value
    }

    /// Validates and skips one value of any kind.
    public mutating func skipValue(depth: Int = 0) throws(JSONError) {
        skipWhitespace()
        guard position < count else { throw JSONError(.unexpectedEnd, at: position) }
        switch base[position] {
        case 0x22: _ = try scanString()
        case 0x7B:
            guard depth < JSONParser.maxDepth else { throw JSONError(.tooDeep, at: position) }
            position += 1
            skipWhitespace()
            if position < count && base[position] == 0x7D { position += 1; return }
            while true {
                skipWhitespace()
                guard position < count else { throw JSONError(.unexpectedEnd, at: position) }
                guard base[position] == 0x22 else { throw JSONError(.expected("a string key"), at: position) }
                _ = try scanString()
                try expect(0x3A, "':'")
                try skipValue(depth: depth + 1)
                if try endOfContainer(0x7D, "',' or '}'") { return }
            }
        case 0x5B:
            guard depth < JSONParser.maxDepth else { throw JSONError(.tooDeep, at: position) }
            position += 1
            skipWhitespace()
            if position < count && base[position] == 0x5D { position += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                if try endOfContainer(0x5D, "',' or ']'") { return }
            }
        case 0x74, 0x66, 0x6E: _ = try scanLiteral()
        case 0x2D, 0x30...0x39: _ = try scanNumber()
        case let b: throw JSONError(.unexpectedByte(b), at: position)
        }
    }

    /// After a member or element: consumes `,` (returns false) or the closing byte (returns true).
    @inline(__always) public mutating func endOfContainer(_ close: UInt8, _ what: String) throws(JSONError) -> Bool {
        skipWhitespace()
        guard position < count else { throw JSONError(.unexpectedEnd, at: position) }
        let b = base[position]
        position += 1
        if b == 0x2C { return false }
        if b == close { return true }
        throw JSONError(.expected(what), at: position - 1)
    }

    /// Skips one value without validating it: for documents already validated at ingest. Strings
    /// are skipped with `memchr`, which is what makes lookups run at memory speed.
    public mutating func fastSkipValue() {
        skipWhitespace()
        guard position < count else { return }
        switch base[position] {
        case 0x22: fastSkipString()
        case 0x7B, 0x5B:
            var depth = 0
            while position < count {
                let b = base[position]
                if b == 0x22 { fastSkipString(); continue }
                position += 1
                if b == 0x7B || b == 0x5B { depth += 1 } else if b == 0x7D || b == 0x5D {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
        default:
            while position < count {
                switch base[position] {
                case 0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09: return
                default: position += 1
                }
            }
        }
    }

    /// Skips a string whose opening quote is at `position`, without validation.
    @inline(__always) public mutating func fastSkipString() {
        position += 1
        while position < count {
            guard let hit = memchr(base + position, 0x22, count - position) else { position = count; return }
            let q = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
            // A quote preceded by an odd number of backslashes is escaped.
            var backslashes = 0
            var k = q - 1
            while k >= position && base[k] == 0x5C { backslashes += 1; k -= 1 }
            position = q + 1
            if backslashes & 1 == 0 { return }
        }
    }

    /// Decodes string bytes `token.start..<token.end` (escapes resolved) into a `String`.
    public func decodeString(_ token: StringToken) -> String {
        let raw = UnsafeBufferPointer(start: base + token.start, count: token.end - token.start)
        if !token.hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        JSONScanner.unescape(raw, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Resolves JSON escapes in already-validated string content, appending UTF-8 to `out`.
    /// Runs between backslashes are found with `memchr` and copied in one append: an escaped
    /// record (lookup-events' `CloudTrailEvent`) has an escape every few bytes. Lone surrogates
    /// become U+FFFD rather than failing: the bytes were valid JSON.
    public static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let start = raw.baseAddress else { return }
        let n = raw.count
        var i = 0
        while i < n {
            guard let hit = memchr(start + i, 0x5C, n - i) else {
                out.append(contentsOf: UnsafeBufferPointer(start: start + i, count: n - i))
                return
            }
            let b = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - start
            if b > i { out.append(contentsOf: UnsafeBufferPointer(start: start + i, count: b - i)) }
            guard b + 1 < n else { out.append(0x5C); return }
            let e = raw[b + 1]
            i = b + 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard i + 4 <= n, let u = hex4(raw, i) else { out.append(0x3F); continue }
                i += 4
                var scalar = UInt32(u)
                if (0xD800...0xDBFF).contains(u), i + 6 <= n, raw[i] == 0x5C, raw[i + 1] == 0x75,
                    let lo = hex4(raw, i + 2), (0xDC00...0xDFFF).contains(lo)
                {
                    scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                    i += 6
                }
                let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: UTF8.encode(s)!)
            default: out.append(e)  // \" \\ \/
            }
        }
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt16? {
        var v: UInt16 = 0
        for k in 0..<4 {
            guard let h = hexValue(raw[i + k]) else { return nil }
            v = v << 4 | UInt16(h)
        }
        return v
    }

    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Parses a validated number's bytes into a `Double`.
    public func numberValue(_ range: Range<Int>) -> Double {
        // Fast path: up to 15 integer digits convert exactly.
        var neg = false
        var i = range.lowerBound
        if base[i] == 0x2D { neg = true; i += 1 }
        if range.upperBound - i <= 15 {
            var v: Int64 = 0
            var plain = true
            while i < range.upperBound {
                let b = base[i]
                guard JSONScanner.isDigit(b) else { plain = false; break }
                v = v * 10 + Int64(b - 0x30)
                i += 1
            }
            if plain { return neg ? -Double(v) : Double(v) }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { tmp in
            for k in 0..<range.count { tmp[k] = CChar(bitPattern: base[range.lowerBound + k]) }
            tmp[range.count] = 0
            return strtod(tmp.baseAddress!, nil)
        }
    }
}
