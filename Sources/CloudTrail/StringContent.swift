#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrailJSON

/// Turning JSON string content (already validated by the scanner) into its bytes.
enum StringContent {
    /// The decoded bytes of string content `raw` (the bytes between the quotes).
    static func decode(_ raw: UnsafeRawBufferPointer, hasEscapes: Bool) -> [UInt8] {
        guard hasEscapes else { return [UInt8](raw) }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        JSONScanner.unescape(raw.assumingMemoryBound(to: UInt8.self), into: &out)
        return out
    }

    /// An integer from JSON number bytes; fractions and exponents go through `Double`.
    static func int64(_ raw: UnsafeRawBufferPointer) -> Int64? {
        guard !raw.isEmpty else { return nil }
        var neg = false
        var i = 0
        if raw[0] == 0x2D { neg = true; i = 1 }
        var v: Int64 = 0
        var plain = i < raw.count && raw.count - i <= 18
        while plain && i < raw.count {
            let d = raw[i] &- 0x30
            if d > 9 { plain = false; break }
            v = v * 10 + Int64(d)
            i += 1
        }
        if plain { return neg ? -v : v }
        var text = [CChar](repeating: 0, count: raw.count + 1)
        for k in 0..<raw.count { text[k] = CChar(bitPattern: raw[k]) }
        let d = strtod(text, nil)
        guard d.isFinite, abs(d) < 9.2e18 else { return nil }
        return Int64(d.rounded(.down))
    }
}
