/// The fields of a log event as space-delimited patterns see them: separated by runs of
/// whitespace, with `[…]` and `"…"` each one field whose delimiters are not part of the value.
struct LogTokens {
    struct Range { var start: Int32; var end: Int32 }

    let base: UnsafePointer<UInt8>
    let ranges: UnsafePointer<Range>
    let count: Int

    @inline(__always) subscript(i: Int) -> ByteView {
        let r = ranges[i]
        return ByteView(base + Int(r.start), Int(r.end - r.start))
    }

    /// Most events have far fewer fields; longer ones take a second pass into a larger buffer.
    private static let inlineCapacity = 64

    /// Splits `message` and calls `body` with its fields.
    static func with<R>(_ message: UnsafeRawBufferPointer, _ body: (LogTokens) -> R) -> R {
        let v = ByteView(message)
        return withUnsafeTemporaryAllocation(of: Range.self, capacity: inlineCapacity) { buffer in
            let n = split(v, into: buffer.baseAddress!, capacity: inlineCapacity)
            if n <= inlineCapacity { return body(LogTokens(base: v.base, ranges: buffer.baseAddress!, count: n)) }
            return withUnsafeTemporaryAllocation(of: Range.self, capacity: n) { big in
                _ = split(v, into: big.baseAddress!, capacity: n)
                return body(LogTokens(base: v.base, ranges: big.baseAddress!, count: n))
            }
        }
    }

    /// Writes up to `capacity` field ranges; returns how many fields there are in all.
    static func split(_ v: ByteView, into out: UnsafeMutablePointer<Range>, capacity: Int) -> Int {
        var n = 0
        var i = 0
        let end = v.count
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        while true {
            while i < end && isSpace(v.base[i]) { i += 1 }
            guard i < end else { break }
            var start = i, stop = i
            let open = v.base[i]
            let close: UInt8 = open == 0x5B ? 0x5D : open == 0x22 ? 0x22 : 0
            if close != 0, let hit = memchr(v.base + i + 1, Int32(close), end - i - 1) {
                start = i + 1
                stop = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - v.base
                i = stop + 1
            } else {
                // An unclosed `[` or `"` is an ordinary character.
                while i < end && !isSpace(v.base[i]) { i += 1 }
                stop = i
            }
            if n < capacity { out[n] = Range(start: Int32(start), end: Int32(stop)) }
            n += 1
        }
        return n
    }
}

/// A compiled `[ … ]` pattern: the field count rule and the conditions on fields.
///
/// Immutable after `init`; its tables live in `arena` and are read through plain pointers,
/// which is why it is `@unchecked Sendable`.
final class SpaceDelimitedMatcher: @unchecked Sendable {
    let slotNames: [String?]
    let ellipsis: Int?
    private let arena = TableArena()
    private let program: BoolProgram.View?
    private let root: Int32
    private let conditionSlot: UnsafeBufferPointer<Int32>
    private let tests: TestTable.View

    init(_ ast: SpaceDelimitedAST) {
        slotNames = ast.slots
        ellipsis = ast.ellipsis
        var table = TestTable()
        var conditionSlot: [Int32] = []
        if let e = ast.expression {
            var program = BoolProgram()
            root = program.add(e) { c in
                conditionSlot.append(Int32(c.slot))
                return table.add(c.test)
            }
            self.program = program.freeze(in: arena)
        } else {
            program = nil
            root = 0
        }
        tests = table.freeze(in: arena)
        self.conditionSlot = arena.freeze(conditionSlot)
    }

    /// The event field that slot `slot` lines up with, given the event's field count (which
    /// must already fit the pattern).
    @inline(__always) func tokenIndex(ofSlot slot: Int, tokenCount: Int) -> Int {
        guard let e = ellipsis, slot > e else { return slot }
        return tokenCount - (slotNames.count - slot)
    }

    /// Without `...` the event must have exactly one field per slot; `...` stands for any
    /// number of fields, none included.
    @inline(__always) func fits(_ tokenCount: Int) -> Bool {
        ellipsis == nil ? tokenCount == slotNames.count : tokenCount >= slotNames.count - 1
    }

    func matches(_ tokens: LogTokens) -> Bool {
        guard fits(tokens.count) else { return false }
        guard let program else { return true }
        return program.evaluate(root) { c in
            tests.evaluate(Int(c), token: tokens[tokenIndex(ofSlot: Int(conditionSlot[Int(c)]), tokenCount: tokens.count)])
        }
    }

    /// A metric value or dimension's field: a named slot, or a position (`$7`: the 7th field).
    enum FieldReference: Sendable, Hashable { case slot(Int), position(Int) }

    func resolve(_ name: String) -> FieldReference? {
        if let slot = slotNames.firstIndex(of: name) { return .slot(slot) }
        if let n = Int(name), n >= 1 { return .position(n) }
        return nil
    }

    func field(_ reference: FieldReference, in tokens: LogTokens) -> ByteView? {
        switch reference {
        case .slot(let slot):
            guard fits(tokens.count) else { return nil }
            return tokens[tokenIndex(ofSlot: slot, tokenCount: tokens.count)]
        case .position(let n):
            return n <= tokens.count ? tokens[n - 1] : nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
