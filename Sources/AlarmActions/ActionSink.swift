import Foundation

/// Where a notification goes, parsed from an alarm's action strings.
public enum ActionSink: Hashable, Sendable, CustomStringConvertible {
    /// One JSON payload per line on standard output.
    case stdout
    /// NDJSON appended to a file (created, with its directory, if missing).
    case file(path: String)
    /// A shell command (`/bin/sh -c`), payload on standard input.
    case exec(command: String)
    /// HTTP POST of the JSON payload.
    case webhook(url: String)

    /// `stdout`, `file:PATH`, `exec:COMMAND`, `webhook:URL`.
    public init(parsing text: String) throws(ActionSinkError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw .empty }
        if trimmed == "stdout" { self = .stdout; return }
        guard let colon = trimmed.firstIndex(of: ":") else { throw .unknownKind(Redaction.redactURLs(in: trimmed)) }
        let kind = trimmed[..<colon]
        let argument = String(trimmed[trimmed.index(after: colon)...])
        switch kind {
        case "file":
            guard !argument.isEmpty else { throw .missingArgument(kind: "file", expected: "file:PATH") }
            self = .file(path: argument)
        case "exec":
            guard !argument.trimmingCharacters(in: .whitespaces).isEmpty else { throw .missingArgument(kind: "exec", expected: "exec:COMMAND") }
            self = .exec(command: argument)
        case "webhook":
            guard !argument.isEmpty else { throw .missingArgument(kind: "webhook", expected: "webhook:URL") }
            let lower = argument.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw .unsupportedURL(Redaction.redactURL(argument), why: "only http:// and https:// URLs are supported")
            }
            guard let target = try? HTTPTarget(argument), !target.host.isEmpty else {
                throw .unsupportedURL(Redaction.redactURL(argument), why: "the URL has no host or an invalid port")
            }
            self = .webhook(url: argument)
        default:
            throw .unknownKind(Redaction.redactURLs(in: trimmed))
        }
    }

    /// The sink with secrets masked: what logs and history show.
    public var description: String {
        switch self {
        case .stdout: "stdout"
        case .file(let path): "file:" + path
        case .exec(let command): "exec:" + Redaction.redactURLs(in: command)
        case .webhook(let url): "webhook:" + Redaction.redactURL(url)
        }
    }
}

/// Why a sink string was rejected. Messages never contain secrets.
public enum ActionSinkError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case unknownKind(String)
    case missingArgument(kind: String, expected: String)
    case unsupportedURL(String, why: String)

    public var description: String {
        switch self {
        case .empty: "empty action; expected stdout, file:PATH, exec:COMMAND or webhook:URL"
        case .unknownKind(let s): "unknown action '\(s)'; expected stdout, file:PATH, exec:COMMAND or webhook:URL"
        case .missingArgument(let kind, let expected): "\(kind) action needs an argument: \(expected)"
        case .unsupportedURL(let url, let why): "webhook URL \(url): \(why)"
        }
    }
}
