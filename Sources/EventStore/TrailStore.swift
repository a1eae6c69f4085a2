import CSQLite
import CloudTrail
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Trailwatch database: one SQLite file in WAL mode.
public final class TrailStore {
    public let connection: SQLiteConnection

    /// Measured on a 1M-event load: 16 KB pages wrote 13% less than 4 KB ones and loaded ~20% faster;
    /// 64 KB gained little more and makes every point read fetch a larger page.
    static let pageSize = 16384

    /// Where the CLI looks when `--db` is not given.
    public static func defaultPath(environment: [String: String]) -> String {
        if let p = environment["TRAILWATCH_DB"], !p.isEmpty { return p }
        return "./trailwatch.db"
    }

    /// Opens or creates the store at `path` and brings its schema up to date.
    public init(path: String) throws(StoreError) {
        connection = try SQLiteConnection(path: path)
        do {
            // Page size only takes effect on a new, empty file. Records average ~1.3 KB, so 4 KB
            // pages hold three; bigger pages mean fewer page writes and less per-page overhead.
            try connection.execute("PRAGMA page_size=\(TrailStore.pageSize)")
            // A file that is not SQLite fails here, with SQLite's "file is not a database".
            try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
            try connection.execute("PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;")
            try migrate()
        } catch {
            throw StoreError(code: error.code, message: error.message, context: "database \(path)")
        }
    }

    /// Opens an existing store without creating or migrating it (for read-only commands).
    public init(existingPath path: String) throws(StoreError) {
        guard access(path, F_OK) == 0 else {
            throw StoreError(code: SQLITE_CANTOPEN, message: "no such file", context: "cannot open database \(path)")
        }
        connection = try SQLiteConnection(path: path)
        do {
            try connection.execute("PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;")
            try migrate()
        } catch {
            throw StoreError(code: error.code, message: error.message, context: "database \(path)")
        }
    }

    public var schemaVersion: Int {
        (try? connection.scalarInt("PRAGMA user_version")).flatMap { $0 }.map(Int.init) ?? 0
    }

    /// Applies every migration newer than the file's `user_version`.
    func migrate() throws(StoreError) {
        let current = schemaVersion
        guard current < Schema.version else {
            if current > Schema.version {
                throw StoreError(code: SQLITE_ERROR,
                                 message: "database schema version \(current) is newer than this trailwatch supports (\(Schema.version))",
                                 context: connection.path)
            }
            return
        }
        for n in current..<Schema.version {
            do {
                try connection.transaction {
                    try connection.execute(Schema.migrations[n])
                    try connection.execute("PRAGMA user_version = \(n + 1)")
                }
            } catch let e as StoreError {
                throw StoreError(code: e.code, message: e.message, context: "migration \(n + 1)")
            } catch {
                throw StoreError(code: SQLITE_ERROR, message: "\(error)", context: "migration \(n + 1)")
            }
        }
    }

    // MARK: Sources

    /// Checksums of files whose every record is already stored.
    public func completedSourceHashes() throws(StoreError) -> Set<String> {
        let s = try connection.prepare("SELECT sha256 FROM sources WHERE status = 'complete'")
        var out = Set<String>()
        while try s.step() { if let t = s.text(0) { out.insert(t) } }
        return out
    }

    /// Registers a file about to be read, or returns the row of an earlier, interrupted read of
    /// the same content so that it is finished rather than duplicated.
    public func beginSource(path: String, size: Int64, sha256: String, format: String?, sourceName: String,
                            nowMillis: Int64) throws(StoreError) -> Int64
    {
        let find = try connection.cached("SELECT id FROM sources WHERE sha256 = ?")
        defer { find.reset() }  // a cached statement left on a row would hold its read open
        try find.bind([.text(sha256)])
        if try find.step() {
            let id = find.int64(0)
            let upd = try connection.cached("UPDATE sources SET path = ?, format = ?, status = 'partial', started_ms = ? WHERE id = ?")
            try upd.bind([.text(path), format.map(SQLiteValue.text) ?? .null, .integer(nowMillis), .integer(id)])
            try upd.step()
            return id
        }
        let ins = try connection.cached("""
            INSERT INTO sources(path, size, sha256, format, source_name, status, started_ms)
            VALUES (?, ?, ?, ?, ?, 'partial', ?)
            """)
        try ins.bind([.text(path), .integer(size), .text(sha256), format.map(SQLiteValue.text) ?? .null,
                      .text(sourceName), .integer(nowMillis)])
        try ins.step()
        return connection.lastInsertRowID
    }

    /// Marks a file as wholly read, with what it held. Counts replace earlier partial counts:
    /// the final read saw every record.
    public func completeSource(id: Int64, format: String?, counts: SourceCounts, nowMillis: Int64) throws(StoreError) {
        let s = try connection.cached("""
            UPDATE sources SET status = 'complete', format = ?, records = ?, inserted = inserted + ?,
                duplicates = ?, rejects = ?, ingested_ms = ? WHERE id = ?
            """)
        try s.bind([format.map(SQLiteValue.text) ?? .null, .integer(Int64(counts.records)), .integer(Int64(counts.inserted)),
                    .integer(Int64(counts.duplicates)), .integer(Int64(counts.rejects)), .integer(nowMillis), .integer(id)])
        try s.step()
    }

    /// Records what `verify` concluded about a source file: verified, unverified or invalid.
    public func setVerification(path: String, status: String) throws(StoreError) {
        let s = try connection.cached("UPDATE sources SET verification = ? WHERE path = ?")
        try s.bind([.text(status), .text(path)])
        try s.step()
    }

    // MARK: Transactions for the writer

    /// Switches to the rollback journal for a bulk load, when no other connection is open. In
    /// WAL mode every page is written twice (to the WAL, then checkpointed), which measured ~1.4x
    /// slower for a 1M-event load; the rollback journal copies only pages that already existed,
    /// and appends need none. Commits stay atomic either way, so a killed load is rolled back to
    /// its last commit. Returns false (and stays in WAL) when another connection holds the file.
    @discardableResult
    public func beginBulkLoad() -> Bool {
        if (try? connection.scalarInt("SELECT EXISTS(SELECT 1 FROM events)")) == 0 {
            for index in Schema.deferrableIndexes { try? connection.execute("DROP INDEX IF EXISTS \(index.name)") }
        } else {
            // A load killed after dropping them left them missing: build them before adding more.
            try? ensureIndexes()
        }
        let s = try? connection.prepare("PRAGMA journal_mode=DELETE")
        guard let s, (try? s.step()) == true else { return false }
        return s.text(0) == "delete"
    }

    /// Creates the secondary indexes a bulk load deferred (a no-op when they exist).
    func ensureIndexes() throws(StoreError) {
        for index in Schema.deferrableIndexes { try connection.execute(index.sql) }
    }

    /// Back to WAL, so readers can run beside the next writer. If another connection holds the
    /// file the switch waits for the next open, which always asks for WAL.
    public func endBulkLoad() {
        try? ensureIndexes()
        try? connection.execute("PRAGMA journal_mode=WAL")
    }

    public func begin() throws(StoreError) { try connection.execute("BEGIN IMMEDIATE") }
    public func commit() throws(StoreError) { try connection.execute("COMMIT") }
    public func rollback() { try? connection.execute("ROLLBACK") }

    // MARK: Ingest runs

    public func startRun(nowMillis: Int64) throws(StoreError) -> Int64 {
        let s = try connection.prepare("INSERT INTO ingest_runs(started_ms) VALUES (?)")
        try s.bind([.integer(nowMillis)])
        try s.step()
        return connection.lastInsertRowID
    }

    public func finishRun(id: Int64, summaryJSON: String, nowMillis: Int64) throws(StoreError) {
        let s = try connection.prepare("UPDATE ingest_runs SET finished_ms = ?, summary = ? WHERE id = ?")
        try s.bind([.integer(nowMillis), .text(summaryJSON), .integer(id)])
        try s.step()
    }
}

/// What one file held.
public struct SourceCounts: Sendable, Equatable {
    public var records = 0
    public var inserted = 0
    public var duplicates = 0
    public var rejects = 0
    public init() {}
}
