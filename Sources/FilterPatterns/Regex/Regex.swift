/// A compiled `%…%` regex: a DFA when one fits, otherwise the NFA it came from.
///
/// Immutable after `init`; the DFA's tables live in `arena` and are read through plain
/// pointers, which is why it is `@unchecked Sendable`.
final class Regex: @unchecked Sendable {
    private let arena = TableArena()
    private let dfa: RegexDFA?
    private let nfa: RegexNFA

    /// - Parameters: `lo..<hi` is the source inside `bytes` (the whole pattern), for error offsets.
    init(_ bytes: [UInt8], _ lo: Int, _ hi: Int) throws(ParseFailure) {
        let syntax = try RegexParser.parse(bytes, lo, hi)
        nfa = try RegexNFA(syntax, at: lo)
        dfa = RegexDFA(nfa, arena: arena)
    }

    /// Whether the regex matches anywhere in `v` (unanchored unless it uses `^`/`$`).
    @inline(__always) func matches(_ v: ByteView) -> Bool {
        if let dfa { return dfa.matches(v) }
        return nfa.simulate(v)
    }

    var usesDFA: Bool { dfa != nil }
}
