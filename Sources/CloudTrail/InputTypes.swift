/// The shapes of input Trailwatch reads. `auto` detects one of the others from the first bytes.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto
    /// `{"Records":[…]}` objects (S3 trail files), bare JSON arrays of records, and (as a
    /// convenience for `jq` output) one or more concatenated pretty-printed record objects.
    case cloudtrail
    /// One CloudTrail record per line.
    case ndjson
    /// CloudWatch Logs events: `filter-log-events` / `get-log-events` output, one event object per
    /// line, a bare array of events, or export lines `<ISO-8601 timestamp> <message>`.
    case cwlogs
    /// `aws cloudtrail lookup-events` output, whose `CloudTrailEvent` holds the record as a string.
    case lookupEvents = "lookup-events"
}

/// One record as found in the input, not yet validated: the ingest side parses and rejects.
public struct RawRecord: Sendable {
    /// CloudTrail: the record JSON text exactly as found. lookup-events: the unescaped
    /// `CloudTrailEvent` string. cwlogs: the (unescaped) message text.
    public var bytes: [UInt8]
    /// 0-based position of the record within its file (problems take positions too, so the
    /// numbering matches what a reader of the file counts).
    public var index: Int
    /// Byte offset of the record (or of its envelope / line) in the decompressed stream.
    public var offset: Int
    /// 1-based line number for line-oriented inputs.
    public var line: Int?
    /// CloudWatch Logs envelope `timestamp` (or the export line's timestamp).
    public var timestampMillis: Int64?
    /// CloudWatch Logs envelope `ingestionTime`.
    public var ingestionTimeMillis: Int64?
    /// CloudWatch Logs `logStreamName` when present.
    public var logStream: String?

    public init(
        bytes: [UInt8], index: Int, offset: Int, line: Int? = nil, timestampMillis: Int64? = nil,
        ingestionTimeMillis: Int64? = nil, logStream: String? = nil
    ) {
        self.bytes = bytes
        self.index = index
        self.offset = offset
        self.line = line
        self.timestampMillis = timestampMillis
        self.ingestionTimeMillis = ingestionTimeMillis
        self.logStream = logStream
    }
}

/// Something in the input that is not a record: a broken envelope, an undecodable line, a
/// truncated gzip stream. Reported, never silently dropped.
public struct RecordProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var index: Int?
    public var offset: Int?
    public var line: Int?
    public var reason: String
    /// At most `RecordProblem.maxExcerpt` bytes of the offending input.
    public var excerpt: [UInt8]

    public static let maxExcerpt = 4096

    public init(index: Int? = nil, offset: Int? = nil, line: Int? = nil, reason: String, excerpt: [UInt8] = []) {
        self.index = index
        self.offset = offset
        self.line = line
        self.reason = reason
        self.excerpt = excerpt.count > RecordProblem.maxExcerpt ? Array(excerpt.prefix(RecordProblem.maxExcerpt)) : excerpt
    }

    public var description: String {
        var at: [String] = []
        if let line { at.append("line \(line)") }
        if let index { at.append("record \(index)") }
        if let offset { at.append("byte \(offset)") }
        return at.isEmpty ? reason : "\(at.joined(separator: ", ")): \(reason)"
    }
}

public enum ReaderItem: Sendable {
    case record(RawRecord)
    case problem(RecordProblem)
}

/// A path that cannot be read at all (as opposed to a problem inside a file).
public struct InputError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Renders bytes for a message: printable ASCII as is, everything else as `\xNN`, so binary
/// garbage shows up legibly in an error line.
func escapedPrefix(_ bytes: UnsafeRawBufferPointer, limit: Int = 32) -> String {
    var s = ""
    for b in bytes.prefix(limit) {
        switch b {
        case 0x0A: s += "\\n"
        case 0x0D: s += "\\r"
        case 0x09: s += "\\t"
        case 0x5C: s += "\\\\"
        case 0x22: s += "\\\""
        case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b))
        default:
            let hex = String(b, radix: 16, uppercase: false)
            s += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    if bytes.count > limit { s += "…" }
    return s
}
