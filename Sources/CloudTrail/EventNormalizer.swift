import Crypto
import TrailJSON

/// Turns raw records into rows of an `EventBatch`: validates the JSON, promotes the indexed
/// fields, parses `eventTime`, and decides why a record cannot be stored.
///
/// CloudTrail records that fail are rejected with a reason; CloudWatch Logs events whose message is
/// not a CloudTrail record are kept as plain log events, since Insights runs over any logs.
public struct EventNormalizer {
    public enum Outcome: Sendable, Equatable {
        case stored(EventFlags)
        case rejected(String)
    }

    /// Above this a record would not fit a CloudWatch Logs event; we store it and report it.
    public static let oversizeLimit = 256 * 1024

    private static let extraPaths: [[String]] = [["eventTime"], ["readOnly"], ["eventVersion"]]
    private static let columnPaths: [(EventBatch.Column, [String])] =
        EventBatch.Column.allCases.compactMap { c in c.recordPath.map { (c, $0) } }

    private let scanner: JSONFieldScanner
    private var fields: [JSONFieldScanner.Field?] = []
    private let eventTimeSlot: Int
    private let readOnlySlot: Int
    private let eventVersionSlot: Int

    public init() {
        let paths = EventNormalizer.columnPaths.map(\.1) + EventNormalizer.extraPaths
        scanner = JSONFieldScanner(paths: paths)
        eventTimeSlot = EventNormalizer.columnPaths.count
        readOnlySlot = eventTimeSlot + 1
        eventVersionSlot = eventTimeSlot + 2
    }

    /// Appends `record` to `batch` when it can be stored. `logName` names the source, used to
    /// derive ids of plain log events.
    public mutating func append(_ record: RawRecord, logName: String, to batch: inout EventBatch) -> Outcome {
        let bytes = record.bytes
        guard !bytes.isEmpty else { return .rejected("empty record") }
        let isLogEvent = record.timestampMillis != nil
        let scanError: JSONError? = bytes.withUnsafeBytes { buf -> JSONError? in
            do throws(JSONError) {
                try scanner.scan(buf, into: &fields)
                return nil
            } catch {
                return error
            }
        }
        if let scanError {
            if isLogEvent { return appendLogEvent(record, logName: logName, to: &batch) }
            if scanError.kind == .expected("a JSON object") && scanError.offset <= 3 {
                return .rejected("record is not a JSON object")
            }
            return .rejected("invalid JSON: \(scanError)")
        }
        if isLogEvent && !looksLikeCloudTrail() { return appendLogEvent(record, logName: logName, to: &batch) }

        var flags: EventFlags = []
        // eventTime
        let timeMillis: Int64
        switch fields[eventTimeSlot] {
        case let f? where f.kind == .string:
            let parsed = bytes.withUnsafeBytes { ISO8601.parseMillis(UnsafeRawBufferPointer(rebasing: $0[f.range])) }
            guard let parsed else {
                return .rejected("invalid eventTime \(JSONValue.quoted(String(decoding: bytes[f.range], as: UTF8.self)))")
            }
            timeMillis = parsed
        case let f?:
            if f.kind != .null, record.timestampMillis == nil { return .rejected("eventTime must be a string, found \(f.kind)") }
            fallthrough
        case nil:
            guard let envelope = record.timestampMillis else { return .rejected("missing eventTime") }
            timeMillis = envelope
            flags.insert(.envelopeTime)
        }
        // readOnly: a JSON boolean in trails; lookup-events renders it as the string "true"/"false".
        var readOnly: Int8 = -1
        if let f = fields[readOnlySlot] {
            switch f.kind {
            case .bool: readOnly = f.boolValue ? 1 : 0
            case .null: break
            case .string where bytes[f.range].elementsEqual("true".utf8): readOnly = 1
            case .string where bytes[f.range].elementsEqual("false".utf8): readOnly = 0
            default: return .rejected("readOnly must be a boolean, found \(f.kind)")
            }
        }
        // Type checks before anything is appended, so a rejected record leaves no bytes behind.
        for (slot, (column, _)) in EventNormalizer.columnPaths.enumerated() {
            guard let f = fields[slot] else { continue }
            switch f.kind {
            case .string, .null: continue
            case .number where column != .eventID: continue
            default: return .rejected("\(column.recordPath!.joined(separator: ".")) must be a string, found \(f.kind)")
            }
        }

        let base = Int32(batch.bytes.count)
        batch.bytes.append(contentsOf: bytes)
        let rowRefs = batch.refs.count
        batch.refs.append(contentsOf: repeatElement(EventBatch.TextRef.null, count: EventBatch.columnCount))
        for (slot, (column, _)) in EventNormalizer.columnPaths.enumerated() {
            guard let f = fields[slot], f.kind == .string || f.kind == .number else { continue }
            let ref: EventBatch.TextRef
            if f.hasEscapes {
                var decoded = [UInt8]()
                bytes.withUnsafeBufferPointer { JSONScanner.unescape(UnsafeBufferPointer(rebasing: $0[f.range]), into: &decoded) }
                ref = decoded.withUnsafeBytes { batch.append($0) }
            } else {
                ref = EventBatch.TextRef(start: base + Int32(f.range.lowerBound), count: Int32(f.range.count))
            }
            batch.refs[rowRefs + column.rawValue] = ref
        }
        if batch.refs[rowRefs + EventBatch.Column.eventID.rawValue].isNull {
            batch.refs[rowRefs + EventBatch.Column.eventID.rawValue] = batch.append(EventNormalizer.synthesizedID(bytes))
            flags.insert(.synthesizedID)
        }
        if let stream = record.logStream {
            batch.refs[rowRefs + EventBatch.Column.logStream.rawValue] = batch.append(stream)
        }
        if bytes.count > EventNormalizer.oversizeLimit { flags.insert(.oversized) }
        let key = batch.key(of: batch.refs[rowRefs + EventBatch.Column.eventID.rawValue])
        batch.rows.append(EventBatch.Row(raw: .init(start: base, count: Int32(bytes.count)), eventKey: key, timeMillis: timeMillis,
                                         readOnly: readOnly, flags: flags, ingestionMillis: record.ingestionTimeMillis,
                                         recordIndex: record.index))
        return .stored(flags)
    }

    private func looksLikeCloudTrail() -> Bool {
        fields[eventVersionSlot] != nil || fields[eventTimeSlot] != nil
            || fields[EventBatch.Column.eventID.rawValue] != nil || fields[EventBatch.Column.eventSource.rawValue] != nil
    }

    private func appendLogEvent(_ record: RawRecord, logName: String, to batch: inout EventBatch) -> Outcome {
        let time = record.timestampMillis!
        var flags: EventFlags = [.logEvent]
        if record.bytes.count > EventNormalizer.oversizeLimit { flags.insert(.oversized) }
        let base = Int32(batch.bytes.count)
        batch.bytes.append(contentsOf: record.bytes)
        var refs = Array(repeating: EventBatch.TextRef.null, count: EventBatch.columnCount)
        // Identical messages in one stream at one millisecond are distinct events: the index keeps
        // them apart while a re-read of the same file still maps each to the same id.
        let key = "\(logName)\n\(time)\n\(record.logStream ?? "")\n\(record.index)\n"
        refs[EventBatch.Column.eventID.rawValue] = batch.append("log-" + EventNormalizer.hexDigest(Array(key.utf8) + record.bytes))
        if let stream = record.logStream { refs[EventBatch.Column.logStream.rawValue] = batch.append(stream) }
        batch.refs.append(contentsOf: refs)
        let eventKey = batch.key(of: refs[EventBatch.Column.eventID.rawValue])
        batch.rows.append(EventBatch.Row(raw: .init(start: base, count: Int32(record.bytes.count)), eventKey: eventKey, timeMillis: time,
                                         readOnly: -1, flags: flags, ingestionMillis: record.ingestionTimeMillis,
                                         recordIndex: record.index))
        return .stored(flags)
    }

    /// A stable id for a record without `eventID`: the same bytes always give the same id, so
    /// re-ingesting still de-duplicates.
    public static func synthesizedID(_ bytes: [UInt8]) -> String { "synth-" + hexDigest(bytes) }

    static func hexDigest(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes).prefix(16))
    }
}
