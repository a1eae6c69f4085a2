import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An SQLite failure, with the statement or operation that failed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var context: String

    public init(code: Int32, message: String, context: String) {
        self.code = code
        self.message = message
        self.context = context
    }

    public var description: String { context.isEmpty ? message : "\(context): \(message)" }
}

/// A thin owner of one `sqlite3*` connection. Not thread-safe by design: the store has one writer
/// thread and readers open their own connections.
public final class SQLiteConnection {
    public let handle: OpaquePointer
    public let path: String
    /// Statements that run once per file or per query, kept prepared.
    private var statementCache: [String: SQLiteStatement] = [:]

    /// Opens (creating if needed) the database at `path`. New files get mode 0600 because trails
    /// hold sensitive data; SQLite gives its -wal/-shm files the same mode.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        if !readOnly && path != ":memory:" {
            let fd = open(path, O_RDWR | O_CREAT, 0o600)
            if fd < 0 {
                throw StoreError(code: SQLITE_CANTOPEN, message: String(cString: strerror(errno)),
                                 context: "cannot open database \(path)")
            }
            close(fd)
        }
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(code: rc, message: msg, context: "cannot open database \(path)")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(StoreError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(err)
            throw StoreError(code: rc, message: msg, context: String(sql.prefix(120)))
        }
    }

    public func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw StoreError(code: rc, message: errorMessage, context: String(sql.prefix(160)))
        }
        return SQLiteStatement(stmt, connection: self, sql: sql)
    }

    /// A prepared statement reused across calls (reset and rebound by the caller's `bind`).
    public func cached(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let s = statementCache[sql] { return s }
        let s = try prepare(sql)
        statementCache[sql] = s
        return s
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Convenience: the first column of the first row as an integer.
    public func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws(StoreError) -> Int64? {
        let s = try prepare(sql)
        try s.bind(bindings)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.int64(0)
    }
}

/// A value to bind or read back.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

public final class SQLiteStatement {
    public let handle: OpaquePointer
    let connection: SQLiteConnection
    let sql: String

    init(_ handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once; true when a row is available.
    @discardableResult
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw StoreError(code: rc, message: connection.errorMessage, context: String(sql.prefix(160)))
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ values: [SQLiteValue]) throws(StoreError) {
        reset()
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws(StoreError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, csqlite_transient())
        case .blob(let b):
            rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), csqlite_transient()) }
        }
        guard rc == SQLITE_OK else {
            throw StoreError(code: rc, message: connection.errorMessage, context: "bind \(index) in \(sql.prefix(80))")
        }
    }

    /// Binds text that stays valid until the next `reset` (no copy).
    @inline(__always)
    public func bindTextNoCopy(_ pointer: UnsafePointer<UInt8>, count: Int, at index: Int32) {
        pointer.withMemoryRebound(to: CChar.self, capacity: count) {
            _ = sqlite3_bind_text(handle, index, $0, Int32(count), csqlite_static())
        }
    }

    @inline(__always) public func bindInt(_ v: Int64, at index: Int32) { sqlite3_bind_int64(handle, index, v) }
    @inline(__always) public func bindNull(at index: Int32) { sqlite3_bind_null(handle, index) }

    /// Runs to completion and returns every row.
    public func rows() throws(StoreError) -> [[SQLiteValue]] {
        var out: [[SQLiteValue]] = []
        while try step() { out.append((0..<columnCount).map { value($0) }) }
        return out
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }
    public func columnName(_ i: Int32) -> String { String(cString: sqlite3_column_name(handle, i)) }
    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    public func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    public func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, i))), as: UTF8.self)
    }
    public func bytes(_ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func value(_ i: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(int64(i))
        case SQLITE_FLOAT: return .real(double(i))
        case SQLITE_TEXT: return .text(text(i) ?? "")
        case SQLITE_BLOB: return .blob(bytes(i))
        default: return .null
        }
    }
}
