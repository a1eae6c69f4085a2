/// Byte-level JSON building. Records are assembled by appending literal fragments and
/// pre-rendered values to one `[UInt8]`, which is what keeps generation at several hundred
/// thousand records per second (no intermediate values, no per-field String formatting).
extension Array where Element == UInt8 {
    /// Appends a literal fragment verbatim (callers pass well-formed JSON syntax).
    @inline(__always)
    mutating func lit(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `s` as a quoted JSON string, escaping what RFC 8259 requires.
    mutating func jsonString(_ s: String) {
        append(UInt8(ascii: "\""))
        appendEscaped(s.utf8)
        append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 text with JSON string escaping, without quotes.
    mutating func appendEscaped<C: Collection<UInt8>>(_ bytes: C) {
        for c in bytes {
            switch c {
            case UInt8(ascii: "\""): lit("\\\"")
            case UInt8(ascii: "\\"): lit("\\\\")
            case 0x0A: lit("\\n")
            case 0x0D: lit("\\r")
            case 0x09: lit("\\t")
            case 0..<0x20:
                lit("\\u00")
                append(hexDigits[Int(c >> 4)])
                append(hexDigits[Int(c & 15)])
            default: append(c)
            }
        }
    }

    /// Appends pre-escaped bytes between quotes.
    @inline(__always)
    mutating func quoted(_ escaped: [UInt8]) {
        append(UInt8(ascii: "\""))
        append(contentsOf: escaped)
        append(UInt8(ascii: "\""))
    }

    @inline(__always)
    mutating func hex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            append(hexDigits[Int((value >> UInt64(shift)) & 15)])
            shift -= 4
        }
    }
}

let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
let upperAlnum: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
let alnum: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
let base32Upper: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

extension Xoshiro256 {
    /// Random characters from `alphabet` (used for S3 file suffixes, request IDs, key IDs).
    mutating func characters(_ count: Int, from alphabet: [UInt8], into out: inout [UInt8]) {
        for _ in 0..<count { out.append(alphabet[below(alphabet.count)]) }
    }

    mutating func characters(_ count: Int, from alphabet: [UInt8]) -> String {
        var b: [UInt8] = []
        characters(count, from: alphabet, into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// A random (version 4, RFC 4122 variant) UUID as two words, so it can be stored cheaply
    /// and rendered later.
    mutating func uuid() -> UUIDBits {
        let hi = (next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let lo = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return UUIDBits(hi: hi, lo: lo)
    }
}

struct UUIDBits: Sendable, Hashable {
    var hi: UInt64
    var lo: UInt64

    func append(to out: inout [UInt8]) {
        out.hex(hi >> 32, digits: 8); out.append(UInt8(ascii: "-"))
        out.hex(hi >> 16, digits: 4); out.append(UInt8(ascii: "-"))
        out.hex(hi, digits: 4); out.append(UInt8(ascii: "-"))
        out.hex(lo >> 48, digits: 4); out.append(UInt8(ascii: "-"))
        out.hex(lo, digits: 12)
    }

    var text: String {
        var b: [UInt8] = []
        append(to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}
