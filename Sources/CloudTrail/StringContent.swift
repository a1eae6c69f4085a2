#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrailJSON

/// Turning JSON string content (already validated by the scanner) into its bytes.
enum StringContent {
    /// The decoded bytes of string content `raw` (the bytes between the quotes).
    ///
    /// `JSONScanner.unescape` appends byte by byte; a `CloudTrailEvent` string is ~1.5 KB with an
    /// escape every few bytes, so runs between backslashes are found with `memchr` and copied
    /// in one append, and only `\u` sequences are handed to the shared decoder.
    static func decode(_ raw: UnsafeRawBufferPointer, hasEscapes: Bool) -> [UInt8] {
        guard hasEscapes, let start = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [UInt8](raw) }
        let n = raw.count
        var out = [UInt8]()
        out.reserveCapacity(n)
        var i = 0
        while i < n {
            guard let hit = memchr(start + i, 0x5C, n - i) else {
                out.append(contentsOf: UnsafeBufferPointer(start: start + i, count: n - i))
                break
            }
            let b = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - start
            if b > i { out.append(contentsOf: UnsafeBufferPointer(start: start + i, count: b - i)) }
            guard b + 1 < n else {
                out.append(0x5C)
                break
            }
            let e = start[b + 1]
            i = b + 2
            switch e {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                // A high surrogate takes its low half with it so the pair decodes to one scalar.
                var len = 6
                if b + 12 <= n, start[b + 2] | 0x20 == 0x64, (0x38...0x39).contains(start[b + 3]) || (0x61...0x62).contains(start[b + 3] | 0x20),
                    start[b + 6] == 0x5C, start[b + 7] == 0x75
                {
                    len = 12
                }
                len = min(len, n - b)
                JSONScanner.unescape(UnsafeBufferPointer(start: start + b, count: len), into: &out)
                i = b + len
            default: out.append(e)  // \" \\ \/
            }
        }
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
