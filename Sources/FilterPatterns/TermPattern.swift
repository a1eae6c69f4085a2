/// Unstructured term patterns: `ERROR`, `"exact phrase"`, `ERROR ARGUMENTS` (all must occur),
/// `?ERROR ?WARN` (any may occur), `ERROR -ARGUMENTS` (must not occur). Containment is
/// substring-based and case-sensitive.
///
/// A class, immutable after `init`, so passing it around costs one reference count.
final class TermPattern: Sendable {
    let required: [[UInt8]]
    let excluded: [[UInt8]]
    /// `?` terms; ignored when the pattern has any other term, as documented.
    let optional: [[UInt8]]

    private init(required: [[UInt8]], excluded: [[UInt8]], optional: [[UInt8]]) {
        self.required = required
        self.excluded = excluded
        self.optional = required.isEmpty && excluded.isEmpty ? optional : []
    }

    static func parse(_ bytes: [UInt8]) throws(ParseFailure) -> TermPattern {
        var lx = PatternLexer(bytes)
        var required: [[UInt8]] = [], excluded: [[UInt8]] = [], optional: [[UInt8]] = []
        while true {
            lx.skipSpace()
            guard let b = lx.peek() else { break }
            let at = lx.i
            var kind = 0  // 0 required, 1 optional, 2 excluded
            if b == 0x3F {
                kind = 1
                lx.i += 1
            } else if b == 0x2D {
                kind = 2
                lx.i += 1
                // The archived guide writes `"ERROR" - "Exiting"`: the minus may stand apart.
                lx.skipSpace()
            }
            guard let c = lx.peek(), !PatternLexer.isSpace(c) else {
                throw ParseFailure("expected a term after \(describeByte(b))", at: at)
            }
            let term: [UInt8]
            if c == 0x22 {
                term = try lx.quoted()
                if let next = lx.peek(), !PatternLexer.isSpace(next) {
                    throw ParseFailure("expected a space after the closing quote", at: lx.i)
                }
            } else {
                let s = lx.i
                while let d = lx.peek(), !PatternLexer.isSpace(d) {
                    if d == 0x22 { throw ParseFailure("unexpected '\"' inside a term (quote the whole term)", at: lx.i) }
                    lx.i += 1
                }
                term = Array(bytes[s..<lx.i])
            }
            switch kind {
            case 0: required.append(term)
            case 1: optional.append(term)
            default: excluded.append(term)
            }
        }
        return TermPattern(required: required, excluded: excluded, optional: optional)
    }

    func matches(_ v: ByteView) -> Bool {
        for t in required where !v.contains(t) { return false }
        for t in excluded where v.contains(t) { return false }
        if optional.isEmpty { return true }
        for t in optional where v.contains(t) { return true }
        return false
    }
}
