import TrailJSON

/// A log event as Logs Insights sees it: a JSON record (a CloudTrail event, a JSON log line) whose
/// fields are discovered by flattened dot paths (spec §9), or a plain-text message that has only
/// the system fields. Used by tests, by the store's differential test, and for ad-hoc evaluation.
public struct JSONRecord: InsightsRecord, Sendable {
    /// The parsed record; nil for a plain-text message.
    public var json: JSONValue?
    /// `@message`: the record text as given.
    public var message: String
    public var timestampMillis: Int64
    public var logStream: String?
    public var log: String?
    public var ingestionTimeMillis: Int64?
    public var ptr: String?

    /// A JSON record. `@timestamp` is `timestampMillis` when given, else the record's `eventTime`
    /// (CloudTrail), else 0. `@message` is `message` when given, else the compact JSON text.
    public init(json: JSONValue, message: String? = nil, timestampMillis: Int64? = nil, logStream: String? = nil,
                log: String? = nil, ingestionTimeMillis: Int64? = nil, ptr: String? = nil) {
        self.json = json
        self.message = message ?? json.jsonText()
        self.timestampMillis = timestampMillis
            ?? json["eventTime"]?.stringValue.flatMap(parseISO8601Millis) ?? 0
        self.logStream = logStream
        self.log = log
        self.ingestionTimeMillis = ingestionTimeMillis
        self.ptr = ptr
    }

    /// A log event by its message: a message that is a JSON object has its fields discovered;
    /// any other text has only the system fields.
    public init(message: String, timestampMillis: Int64, logStream: String? = nil, log: String? = nil,
                ingestionTimeMillis: Int64? = nil, ptr: String? = nil) {
        var parsed: JSONValue?
        if message.utf8.first(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }) == UInt8(ascii: "{"),
           let value = try? JSONValue.parse(message), case .object = value {
            parsed = value
        }
        self.json = parsed
        self.message = message
        self.timestampMillis = timestampMillis
        self.logStream = logStream
        self.log = log
        self.ingestionTimeMillis = ingestionTimeMillis
        self.ptr = ptr
    }

    public func value(of field: FieldRef) -> InsightsValue {
        let segments = field.segments
        guard let first = segments.first, !first.isEmpty else { return .null }
        if first.utf8.first == UInt8(ascii: "@") {
            switch field.name {
            case "@timestamp": return .timestamp(timestampMillis)
            case "@message": return .string(message)
            case "@logStream": return logStream.map(InsightsValue.string) ?? .null
            case "@log": return log.map(InsightsValue.string) ?? .null
            case "@ingestionTime": return ingestionTimeMillis.map(InsightsValue.timestamp) ?? .null
            case "@ptr": return ptr.map(InsightsValue.string) ?? .null
            default:
                // A discovered key that itself starts with `@` is addressed with a second `@`
                // (`@@example.com` is the key `@example.com`); other `@` names are unknown.
                guard first.hasPrefix("@@"), let json else { return .null }
                var rest = segments
                rest[0] = String(first.dropFirst())
                return JSONRecord.lookup(json, rest[...])
            }
        }
        guard case .object(let root)? = json else { return .null }
        // Top-level CloudTrail keys (`eventName`, `errorCode`) are most lookups: one scan.
        if segments.count == 1 {
            guard let v = root[first] else { return .null }
            return .fromJSON(v)
        }
        return JSONRecord.lookup(.object(root), segments[...])
    }

    /// Walks a flattened path: object keys by name, array elements by a decimal index segment.
    /// A key that itself contains dots (`{"a.b": 1}` flattens to `a.b`) is found by joining
    /// segments when the single-segment key is missing.
    static func lookup(_ value: JSONValue, _ path: ArraySlice<String>) -> InsightsValue {
        guard let head = path.first else { return .fromJSON(value) }
        switch value {
        case .object(let o):
            if let child = o[head] {
                let r = lookup(child, path.dropFirst())
                if !r.isNull || path.count == 1 { return r }
            }
            var key = head
            var idx = path.startIndex + 1
            while idx < path.endIndex {
                key += "." + path[idx]
                if let child = o[key] {
                    let r = lookup(child, path[(idx + 1)...])
                    if !r.isNull { return r }
                }
                idx += 1
            }
            return .null
        case .array(let a):
            guard let i = Int(head), a.indices.contains(i) else { return .null }
            return lookup(a[i], path.dropFirst())
        default:
            return .null
        }
    }
}

/// Records held in memory, filtered by the window (inclusive bounds), in array order.
public struct ArrayRecordSource: InsightsRecordSource {
    public var records: [any InsightsRecord]

    public init(_ records: [any InsightsRecord]) { self.records = records }
    public init(_ records: [JSONRecord]) { self.records = records }

    public func forEachRecord(in window: TimeWindow, _ body: (any InsightsRecord) throws -> Bool) throws {
        let lo = window.startMillis ?? .min, hi = window.endMillis ?? .max
        for r in records {
            let t = r.timestampMillis
            guard t >= lo && t <= hi else { continue }
            if try !body(r) { return }
        }
    }
}
