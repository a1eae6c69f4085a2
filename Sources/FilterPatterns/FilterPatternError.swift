/// Why a filter pattern, metric value or transformation was rejected, and where.
public struct FilterPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based, in characters of `pattern`.
    public var column: Int
    /// The text the column refers to (the filter pattern, or the metric value / selector being validated).
    public var pattern: String

    public init(_ message: String, column: Int, pattern: String) {
        self.message = message
        self.column = column
        self.pattern = pattern
    }

    /// `message at column N`, then the text and a caret under the column.
    public var description: String {
        // Tabs and newlines would shift the caret off its column, so show them as spaces.
        let shown = String(pattern.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        let pad = String(repeating: " ", count: max(0, column - 1))
        return "\(message) at column \(column)\n  \(shown)\n  \(pad)^"
    }
}

/// A parse failure inside the compiler, located by byte offset; converted to a
/// `FilterPatternError` (character column) once, at the API boundary.
struct ParseFailure: Error {
    var message: String
    var offset: Int

    init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    func error(in text: String) -> FilterPatternError {
        let bytes = Array(text.utf8)
        let prefix = bytes[..<min(max(offset, 0), bytes.count)]
        return FilterPatternError(message, column: String(decoding: prefix, as: UTF8.self).count + 1, pattern: text)
    }
}

/// How a character is named in an error message.
func describeByte(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    if b == 0x20 { return "a space" }
    if b >= 0x80 { return "a multi-byte character" }
    return "byte 0x\(String(b, radix: 16, uppercase: true))"
}
