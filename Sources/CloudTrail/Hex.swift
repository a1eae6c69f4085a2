/// Lower-case hexadecimal, without Foundation's formatter (which showed in per-file ingest
/// profiles when used per byte).
public enum Hex {
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits: StaticString = "0123456789abcdef"
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        digits.withUTF8Buffer { d in
            for b in bytes {
                out.append(d[Int(b >> 4)])
                out.append(d[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
