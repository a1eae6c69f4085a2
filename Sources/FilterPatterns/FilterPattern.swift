/// A CloudWatch Logs filter pattern, compiled once.
///
/// The class is chosen by the outer delimiter: `{…}` JSON, `[…]` space-delimited, `%…%` regex,
/// anything else terms; an empty or blank pattern matches every event.
public struct FilterPattern: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case matchAll, terms, regex, json, spaceDelimited }

    /// Documented limit on `filterPattern`.
    public static let maxLength = 1024

    public let text: String

    enum Compiled: Sendable {
        case matchAll
        case terms(TermPattern)
        case regex(Regex)
        case json(JSONPatternAST, JSONMatcher)
        case spaceDelimited(SpaceDelimitedAST, SpaceDelimitedMatcher)
    }

    let compiled: Compiled

    public var kind: Kind {
        switch compiled {
        case .matchAll: return .matchAll
        case .terms: return .terms
        case .regex: return .regex
        case .json: return .json
        case .spaceDelimited: return .spaceDelimited
        }
    }

    public init(_ text: String) throws(FilterPatternError) {
        self.text = text
        do {
            compiled = try FilterPattern.compile(text)
        } catch {
            throw error.error(in: text)
        }
    }

    private static func compile(_ text: String) throws(ParseFailure) -> Compiled {
        let bytes = Array(text.utf8)
        guard text.count <= maxLength else {
            throw ParseFailure("a filter pattern may be at most \(maxLength) characters", at: Array(text.prefix(maxLength).utf8).count)
        }
        var lx = PatternLexer(bytes)
        lx.skipSpace()
        guard let first = lx.peek() else { return .matchAll }
        switch first {
        case 0x7B:
            let ast = try JSONPatternParser.parse(bytes)
            return .json(ast, JSONMatcher([ast]))
        case 0x5B:
            let ast = try SpaceDelimitedParser.parse(bytes)
            return .spaceDelimited(ast, SpaceDelimitedMatcher(ast))
        case 0x25:
            let r = try lx.regex()
            lx.skipSpace()
            guard lx.atEnd else {
                throw ParseFailure("unexpected text after the regex; a regex pattern is one %…% (use it inside {…} or […] to combine)", at: lx.i)
            }
            return .regex(r)
        default:
            // `""` and `" "`: the documented spellings of "every event".
            if first == 0x22 {
                var probe = lx
                if let phrase = try? probe.quoted(), phrase.allSatisfy(PatternLexer.isSpace) {
                    probe.skipSpace()
                    if probe.atEnd { return .matchAll }
                }
            }
            return .terms(try TermPattern.parse(bytes))
        }
    }

    /// Whether the event `message` (one log event's text: a CloudTrail record's JSON, or any
    /// line) matches.
    public func matches(_ message: UnsafeRawBufferPointer) -> Bool {
        switch compiled {
        case .matchAll: return true
        case .terms(let t): return t.matches(ByteView(message))
        case .regex(let r): return r.matches(ByteView(message))
        case .json(_, let m): return m.scan(message) { m.matches(0, $0) } ?? false
        case .spaceDelimited(_, let m): return LogTokens.with(message) { m.matches($0) }
        }
    }

    public func matches(_ message: String) -> Bool {
        var message = message
        return message.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    public var description: String { text }

    public static func == (a: FilterPattern, b: FilterPattern) -> Bool { a.text == b.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
