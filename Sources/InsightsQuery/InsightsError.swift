/// A query that cannot run, with where in the query text it went wrong.
public struct InsightsError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Equatable, Sendable {
        /// Tokens or structure the grammar does not allow.
        case syntax
        /// Well-formed but meaningless: unknown function, wrong arity, `sort` before a second
        /// `stats`, a command after `dedup`, a glob with fewer aliases than `*`, …
        case semantic
        /// Raised while running (e.g. a regex that the engine cannot compile at run time).
        case execution
    }

    public var kind: Kind
    public var message: String
    /// 1-based; nil when the error has no single place (e.g. an empty query).
    public var line: Int?
    public var column: Int?
    /// The offending query line, shown with a caret under `column`.
    public var sourceLine: String?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, column: Int? = nil, sourceLine: String? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
    }

    /// `line 2, column 14: unknown function 'cuont' (did you mean 'count'?)`, then the query line
    /// and a caret under the column.
    public var description: String {
        guard let line, let column else { return message }
        var text = "line \(line), column \(column): \(message)"
        if let sourceLine {
            text += "\n" + sourceLine + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
        }
        return text
    }
}
