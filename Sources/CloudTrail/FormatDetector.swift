#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrailJSON

/// Decides the input format from a bounded peek at the start of the decoded stream.
enum FormatDetector {
    /// How the records are laid out.
    enum Shape: Equatable {
        /// JSON document(s) holding an array under `key` (or bare arrays). With
        /// `recordDocuments`, a top-level object whose first key is a CloudTrail record key is
        /// itself one record (pretty-printed records, e.g. `jq '.Records[]'` output).
        case array(key: String, recordDocuments: Bool)
        /// One item per line.
        case lines
    }

    enum Result: Equatable {
        case detected(InputFormat, Shape)
        case unrecognised(String)
    }

    static let recordKeys: Set<String> = ["eventVersion", "eventID", "eventTime", "eventSource"]

    static func envelopeKey(_ format: InputFormat) -> String {
        switch format {
        case .lookupEvents: return "Events"
        case .cwlogs: return "events"
        default: return "Records"
        }
    }

    /// - Parameter peek: the first bytes of content (BOM and leading whitespace already
    ///   skipped), at most 64 KB.
    static func detect(_ peek: UnsafeRawBufferPointer) -> Result {
        let bytes = peek.bindMemory(to: UInt8.self)
        guard let first = bytes.first else { return .unrecognised("empty file") }
        switch first {
        case 0x7B:
            let info = objectKeys(peek, at: 0)
            let keys = Set(info.keys)
            if keys.contains("Records") { return .detected(.cloudtrail, .array(key: "Records", recordDocuments: true)) }
            if keys.contains("Events") { return .detected(.lookupEvents, .array(key: "Events", recordDocuments: false)) }
            if keys.contains("events") { return .detected(.cwlogs, .array(key: "events", recordDocuments: false)) }
            let isRecord = !keys.isDisjoint(with: recordKeys)
            let isEvent = keys.contains("timestamp") && keys.contains("message")
            // Does the first object span lines (a pretty-printed document) or sit on one line?
            let newline = memchr(peek.baseAddress!, 0x0A, peek.count).map { $0 - UnsafeMutableRawPointer(mutating: peek.baseAddress!) }
            let multiLine = newline.map { $0 < info.end } ?? false
            if !multiLine {
                if isRecord { return .detected(.ndjson, .lines) }
                if isEvent { return .detected(.cwlogs, .lines) }
                if keys.contains("CloudTrailEvent") { return .detected(.lookupEvents, .lines) }
            } else if isRecord {
                return .detected(.cloudtrail, .array(key: "Records", recordDocuments: true))
            }
            return .unrecognised(unrecognised(peek, hint: keys.isEmpty ? nil : "a JSON object without Records, Events, events or CloudTrail record keys"))
        case 0x5B:
            var s = JSONScanner(peek)
            s.position = 1
            s.skipWhitespace()
            if s.peek() == 0x7B {
                let keys = Set(objectKeys(peek, at: s.position).keys)
                if keys.contains("CloudTrailEvent") { return .detected(.lookupEvents, .array(key: "Events", recordDocuments: false)) }
                if keys.contains("timestamp") && keys.contains("message") {
                    return .detected(.cwlogs, .array(key: "events", recordDocuments: false))
                }
            }
            return .detected(.cloudtrail, .array(key: "Records", recordDocuments: true))
        case 0x30...0x39:
            let lineEnd = memchr(peek.baseAddress!, 0x0A, peek.count).map { $0 - UnsafeMutableRawPointer(mutating: peek.baseAddress!) } ?? peek.count
            if let space = memchr(peek.baseAddress!, 0x20, lineEnd).map({ $0 - UnsafeMutableRawPointer(mutating: peek.baseAddress!) }),
                ISO8601.parseMillis(UnsafeRawBufferPointer(rebasing: peek[0..<space])) != nil
            {
                return .detected(.cwlogs, .lines)
            }
            return .unrecognised(unrecognised(peek, hint: nil))
        default:
            return .unrecognised(unrecognised(peek, hint: nil))
        }
    }

    /// The layout for a format given on the command line: no guessing about the format, only
    /// about which of its shapes this file uses.
    static func shape(for format: InputFormat, _ peek: UnsafeRawBufferPointer) -> Shape {
        switch format {
        case .ndjson: return .lines
        case .cwlogs:
            guard let first = peek.first else { return .lines }
            if first == 0x5B { return .array(key: "events", recordDocuments: false) }
            if first == 0x7B && objectKeys(peek, at: 0).keys.contains("events") {
                return .array(key: "events", recordDocuments: false)
            }
            return .lines
        case .lookupEvents:
            // `jq -c '.Events[]'` output has one event per line.
            if peek.first == 0x7B && !objectKeys(peek, at: 0).keys.contains("Events") { return .lines }
            return .array(key: "Events", recordDocuments: false)
        case .cloudtrail, .auto: return .array(key: "Records", recordDocuments: true)
        }
    }

    /// The keys of the object starting at `start`, as far as the peek reaches, and where the
    /// scan stopped (the end of the object when it is complete, else the point of failure).
    static func objectKeys(_ peek: UnsafeRawBufferPointer, at start: Int) -> (keys: [String], end: Int) {
        var s = JSONScanner(peek)
        s.position = start + 1
        var keys: [String] = []
        do {
            s.skipWhitespace()
            if s.peek() == 0x7D { return (keys, s.position + 1) }
            while true {
                s.skipWhitespace()
                guard s.peek() == 0x22 else { break }
                keys.append(s.decodeString(try s.scanString()))
                try s.expect(0x3A, "':'")
                try s.skipValue(depth: 1)
                if try s.endOfContainer(0x7D, "',' or '}'") { break }
            }
        } catch {
            // A truncated peek or a syntax error: the keys seen so far are what we have.
        }
        return (keys, s.position)
    }

    static func unrecognised(_ peek: UnsafeRawBufferPointer, hint: String?) -> String {
        var why = "unrecognised input format: starts with \"\(escapedPrefix(peek))\""
        if let hint { why += " (\(hint))" }
        return why
    }
}
