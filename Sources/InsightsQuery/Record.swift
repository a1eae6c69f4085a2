/// What the evaluator reads: one stored event (or any log event). Implemented by the store over
/// its rows and by tests over in-memory JSON.
public protocol InsightsRecord {
    /// `@timestamp` in epoch ms.
    var timestampMillis: Int64 { get }
    /// The value of a field by its flattened name (system fields `@message`, `@timestamp`,
    /// `@logStream`, `@log`, `@ingestionTime`, `@ptr` included); `.null` when absent. JSON
    /// `null` is absent, booleans are the strings "true"/"false", numbers stay numbers, objects
    /// and arrays are not addressable except through their leaves (spec §9).
    func value(of field: FieldRef) -> InsightsValue
}

/// A closed time range in epoch ms; nil bounds are open.
public struct TimeWindow: Hashable, Sendable {
    public var startMillis: Int64?
    public var endMillis: Int64?
    public init(startMillis: Int64? = nil, endMillis: Int64? = nil) {
        self.startMillis = startMillis
        self.endMillis = endMillis
    }
}

/// Where records come from. `diff` asks for a second, earlier window.
public protocol InsightsRecordSource {
    /// Calls `body` for each record whose `@timestamp` lies in `window` (bounds inclusive), in
    /// any order. `body` returns false to stop early (`limit any`).
    func forEachRecord(in window: TimeWindow, _ body: (any InsightsRecord) throws -> Bool) throws
}

/// Everything a query sees besides its records.
public struct QueryContext: Hashable, Sendable {
    /// The query range (`queryStartTime()`, `diff`'s previous range, …).
    public var window: TimeWindow
    /// Start of query processing, epoch ms (`now()` returns it in seconds).
    public var nowMillis: Int64
    /// Rows returned when the query has no `limit` (spec §4.6: 10,000).
    public var defaultLimit: Int

    public init(window: TimeWindow = TimeWindow(), nowMillis: Int64, defaultLimit: Int = 10_000) {
        self.window = window
        self.nowMillis = nowMillis
        self.defaultLimit = defaultLimit
    }
}

/// One row between commands and in the result: named values in column order.
public struct ResultRow: Hashable, Sendable {
    public var names: [String]
    public var values: [InsightsValue]

    public init(names: [String] = [], values: [InsightsValue] = []) {
        self.names = names
        self.values = values
    }

    public subscript(name: String) -> InsightsValue {
        guard let i = names.lastIndex(of: name) else { return .null }
        return values[i]
    }
}

/// A finished query: column names and rows of values, plus how much was read.
public struct QueryResult: Hashable, Sendable {
    public var columns: [String]
    public var rows: [[InsightsValue]]
    public var recordsScanned: Int
    public var recordsMatched: Int

    public init(columns: [String], rows: [[InsightsValue]], recordsScanned: Int = 0, recordsMatched: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.recordsScanned = recordsScanned
        self.recordsMatched = recordsMatched
    }
}
