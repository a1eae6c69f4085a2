/// Normalised events ready for the store, kept columnar so the writer binds text straight from
/// one byte buffer: no per-field `String`s on the ingest hot path.
public struct EventBatch: Sendable {
    /// The promoted text columns, in storage order.
    public enum Column: Int, CaseIterable, Sendable {
        case eventID, eventName, eventSource, awsRegion, recipientAccountId
        case identityType, identityArn, principalId, userName, sourceIPAddress
        case errorCode, eventType, eventCategory, logStream

        /// The JSON path each column is promoted from (nil: not taken from the record).
        public var recordPath: [String]? {
            switch self {
            case .eventID: ["eventID"]
            case .eventName: ["eventName"]
            case .eventSource: ["eventSource"]
            case .awsRegion: ["awsRegion"]
            case .recipientAccountId: ["recipientAccountId"]
            case .identityType: ["userIdentity", "type"]
            case .identityArn: ["userIdentity", "arn"]
            case .principalId: ["userIdentity", "principalId"]
            case .userName: ["userIdentity", "userName"]
            case .sourceIPAddress: ["sourceIPAddress"]
            case .errorCode: ["errorCode"]
            case .eventType: ["eventType"]
            case .eventCategory: ["eventCategory"]
            case .logStream: nil
            }
        }
    }

    /// A slice of `bytes`; a negative count is SQL NULL.
    public struct TextRef: Sendable, Equatable {
        public var start: Int32
        public var count: Int32
        public static let null = TextRef(start: 0, count: -1)
        public var isNull: Bool { count < 0 }
    }

    public struct Row: Sendable {
        public var raw: TextRef
        /// `EventKey.hash` of the eventID column.
        public var eventKey: Int64
        public var timeMillis: Int64
        /// 1, 0, or -1 for absent.
        public var readOnly: Int8
        public var flags: EventFlags
        public var ingestionMillis: Int64?
        /// Index of the record in its input file.
        public var recordIndex: Int
    }

    public static let columnCount = Column.allCases.count

    public var bytes: [UInt8] = []
    public var rows: [Row] = []
    /// `columnCount` refs per row.
    public var refs: [TextRef] = []

    public init() {}

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    public func ref(_ row: Int, _ column: Column) -> TextRef { refs[row * EventBatch.columnCount + column.rawValue] }

    /// The column's text, decoded (for tests and diagnostics; the writer binds bytes directly).
    public func text(_ row: Int, _ column: Column) -> String? { string(ref(row, column)) }

    public func rawText(_ row: Int) -> String { string(rows[row].raw) ?? "" }

    func string(_ r: TextRef) -> String? {
        guard !r.isNull else { return nil }
        return String(decoding: bytes[Int(r.start)..<Int(r.start + r.count)], as: UTF8.self)
    }

    /// `EventKey.hash` of the text at `ref`.
    func key(of ref: TextRef) -> Int64 {
        bytes.withUnsafeBytes { EventKey.hash(UnsafeRawBufferPointer(rebasing: $0[Int(ref.start)..<Int(ref.start + max(ref.count, 0))])) }
    }

    /// Appends bytes and returns their ref.
    @discardableResult
    public mutating func append(_ data: UnsafeRawBufferPointer) -> TextRef {
        let start = bytes.count
        bytes.append(contentsOf: data)
        return TextRef(start: Int32(start), count: Int32(data.count))
    }

    @discardableResult
    public mutating func append(_ s: String) -> TextRef {
        var s = s
        return s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        rows.removeAll(keepingCapacity: keepingCapacity)
        refs.removeAll(keepingCapacity: keepingCapacity)
    }
}

/// Facts about how a record was stored, kept with the event.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// The record had no eventID; one was derived from its bytes.
    public static let synthesizedID = EventFlags(rawValue: 1)
    /// Larger than CloudWatch Logs' 256 KB event limit (stored anyway, reported).
    public static let oversized = EventFlags(rawValue: 2)
    /// Not a CloudTrail record: a plain log event stored under its source name.
    public static let logEvent = EventFlags(rawValue: 4)
    /// eventTime was missing or unusable and the log envelope's timestamp was used.
    public static let envelopeTime = EventFlags(rawValue: 8)
}
