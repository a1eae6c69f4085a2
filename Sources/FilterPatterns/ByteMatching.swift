#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Glibc's module map hides memmem (a GNU extension); its two-way search is what makes term
// matching run at memory speed, so bind the symbol directly.
@_silgen_name("memmem")
private func c_memmem(_ haystack: UnsafeRawPointer?, _ haystackLength: Int,
                      _ needle: UnsafeRawPointer?, _ needleLength: Int) -> UnsafeMutableRawPointer?

/// A borrowed run of bytes: part of an event or of a decoded value. Never outlives the call
/// that produced it.
struct ByteView {
    var base: UnsafePointer<UInt8>
    var count: Int

    init(_ base: UnsafePointer<UInt8>, _ count: Int) {
        self.base = base
        self.count = count
    }

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? ByteView.empty
        count = buffer.count
    }

    /// Empty buffers may have a nil base; pointing them here keeps `base` non-optional.
    nonisolated(unsafe) static let empty: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    @inline(__always) func contains(_ needle: [UInt8]) -> Bool {
        needle.withUnsafeBufferPointer { contains($0) }
    }

    @inline(__always) func contains(_ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let nb = needle.baseAddress, needle.count > 0 else { return true }
        guard needle.count <= count else { return false }
        return c_memmem(base, count, nb, needle.count) != nil
    }

    /// The value as a number, if all of it is a number literal (see `NumberLiteral`).
    func number() -> Double? { NumberLiteral.parse(self) }
}

/// A string value from a pattern: exact, or with a leading and/or trailing `*` wildcard.
/// An interior `*` is literal (the documented `Ev*ent` rule).
struct StringPattern: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case exact, prefix, suffix, contains, any }
    var kind: Kind
    var literal: [UInt8]

    init(_ raw: [UInt8]) {
        var lo = 0, hi = raw.count
        let leading = hi > 0 && raw[0] == 0x2A
        if leading { lo = 1 }
        let trailing = hi > lo && raw[hi - 1] == 0x2A
        if trailing { hi -= 1 }
        literal = Array(raw[lo..<hi])
        switch (leading, trailing) {
        case (false, false): kind = .exact
        case (false, true): kind = .prefix
        case (true, false): kind = .suffix
        case (true, true): kind = .contains
        }
        if kind != .exact && literal.isEmpty { kind = .any }
    }
}

/// Number literals as filter patterns write them: an optional sign, an integer or decimal, and
/// an optional exponent (`500`, `+1000`, `55.5`, `.5`, `10e-3`, `1E+3`).
enum NumberLiteral {
    struct Shape { var length: Int; var scientific: Bool }

    /// The length of the literal at the start of `v`, if one is there.
    static func scan(_ v: ByteView) -> Shape? {
        var i = 0
        let n = v.count
        func digits() -> Int {
            let s = i
            while i < n, v.base[i] >= 0x30, v.base[i] <= 0x39 { i += 1 }
            return i - s
        }
        if i < n, v.base[i] == 0x2B || v.base[i] == 0x2D { i += 1 }
        let intDigits = digits()
        if i < n, v.base[i] == 0x2E {
            i += 1
            guard digits() > 0 else { return nil }
        } else if intDigits == 0 {
            return nil
        }
        var scientific = false
        if i < n, v.base[i] == 0x65 || v.base[i] == 0x45 {
            let mark = i
            i += 1
            if i < n, v.base[i] == 0x2B || v.base[i] == 0x2D { i += 1 }
            if digits() > 0 { scientific = true } else { i = mark }
        }
        return Shape(length: i, scientific: scientific)
    }

    /// The value of `v` when all of `v` is one literal.
    static func parse(_ v: ByteView) -> Double? {
        guard v.count > 0, v.count < 64, let shape = scan(v), shape.length == v.count else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: v.count + 1) { tmp in
            for k in 0..<v.count { tmp[k] = CChar(bitPattern: v.base[k]) }
            tmp[v.count] = 0
            return strtod(tmp.baseAddress!, nil)
        }
    }

    static func parse(_ bytes: [UInt8]) -> Double? {
        bytes.withUnsafeBufferPointer { b in parse(ByteView(b.baseAddress ?? ByteView.empty, b.count)) }
    }

    static func isScientific(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            guard let shape = scan(ByteView(b.baseAddress ?? ByteView.empty, b.count)) else { return false }
            return shape.length == b.count && shape.scientific
        }
    }
}
