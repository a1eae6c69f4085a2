import TrailJSON

/// Conditions compiled to plain data (literals in one byte pool, regexes in a side table), so
/// evaluating one on the hot path touches no reference counts.
struct TestTable {
    struct Test {
        enum Kind: UInt8 {
            case exact, prefix, suffix, contains, anyString, number, regex, isNull, isTrue, isFalse, notExists
        }
        var kind: Kind
        var negated = false
        var op: ComparisonOperator = .equal
        var literalStart: Int32 = 0
        var literalCount: Int32 = 0
        var number: Double = 0
        var regex: Int32 = -1
    }

    private(set) var tests: [Test] = []
    private(set) var literals: [UInt8] = []
    private var regexes: [Regex] = []

    /// Adds a test and returns its index.
    mutating func add(_ test: ValueTest) -> Int32 {
        var t: Test
        switch test {
        case .string(let p, let negated):
            let kind: Test.Kind
            switch p.kind {
            case .exact: kind = .exact
            case .prefix: kind = .prefix
            case .suffix: kind = .suffix
            case .contains: kind = .contains
            case .any: kind = .anyString
            }
            t = Test(kind: kind, negated: negated, literalStart: Int32(literals.count), literalCount: Int32(p.literal.count))
            literals.append(contentsOf: p.literal)
        case .number(let op, let d): t = Test(kind: .number, op: op, number: d)
        case .regex(let r, let negated):
            t = Test(kind: .regex, negated: negated, regex: Int32(regexes.count))
            regexes.append(r)
        case .isNull: t = Test(kind: .isNull)
        case .isTrue: t = Test(kind: .isTrue)
        case .isFalse: t = Test(kind: .isFalse)
        case .notExists: t = Test(kind: .notExists)
        }
        tests.append(t)
        return Int32(tests.count - 1)
    }

    /// The literal of a string test.
    func literal(of i: Int) -> ArraySlice<UInt8> {
        let t = tests[i]
        return literals[Int(t.literalStart)..<Int(t.literalStart + t.literalCount)]
    }

    func freeze(in arena: TableArena) -> View {
        View(tests: arena.freeze(tests), literals: arena.freeze(literals).baseAddress!, regexes: arena.freeze(regexes))
    }

    struct View {
        let tests: UnsafeBufferPointer<Test>
        let literals: UnsafePointer<UInt8>
        let regexes: UnsafeBufferPointer<Regex>

        @inline(__always) func kind(_ i: Int) -> Test.Kind { tests[i].kind }

        /// Test `i` on a JSON value; `text` is a string's content with escapes resolved, or a
        /// number's text. A comparison is false on an absent value, an object, an array, a
        /// boolean or null (`!=` included); a number literal compares only with JSON numbers; a
        /// string compares with JSON strings, and with a number's text when it has a wildcard.
        func evaluate(_ i: Int, _ kind: ScannedValue.Kind, _ text: ByteView) -> Bool {
            let t = tests[i]
            switch t.kind {
            case .isNull: return kind == .null
            case .isTrue: return kind == .true
            case .isFalse: return kind == .false
            case .notExists: return kind == .absent
            case .number:
                guard kind == .number else { return false }
                let d = JSONScanner(UnsafeRawBufferPointer(start: text.base, count: text.count)).numberValue(0..<text.count)
                return t.op.compare(d, t.number)
            case .exact:
                return kind == .string && textTest(t, text)
            default:
                return (kind == .string || kind == .number) && textTest(t, text)
            }
        }

        /// Test `i` on a space-delimited field: text, compared as a number by numeric tests.
        func evaluate(_ i: Int, token: ByteView) -> Bool {
            let t = tests[i]
            switch t.kind {
            case .number:
                guard let d = token.number() else { return false }
                return t.op.compare(d, t.number)
            case .isNull, .isTrue, .isFalse, .notExists:
                return false
            default:
                return textTest(t, token)
            }
        }

        @inline(__always) private func textTest(_ t: Test, _ v: ByteView) -> Bool {
            let matched: Bool
            let lit = literals + Int(t.literalStart)
            let n = Int(t.literalCount)
            switch t.kind {
            case .exact: matched = v.count == n && (n == 0 || memcmp(v.base, lit, n) == 0)
            case .prefix: matched = v.count >= n && (n == 0 || memcmp(v.base, lit, n) == 0)
            case .suffix: matched = v.count >= n && (n == 0 || memcmp(v.base + v.count - n, lit, n) == 0)
            case .contains: matched = v.contains(UnsafeBufferPointer(start: lit, count: n))
            case .regex: matched = regexes[Int(t.regex)].matches(v)
            default: matched = true
            }
            return t.negated ? !matched : matched
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
