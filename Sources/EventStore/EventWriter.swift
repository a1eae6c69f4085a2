import CSQLite
import CloudTrail

/// A record that could not be stored, with where it was and why.
public struct RejectRecord: Sendable, Equatable {
    public var path: String
    /// Identifies the file's content (its SHA-256) so a re-read does not count a reject twice.
    public var fileKey: String
    public var recordIndex: Int?
    public var byteOffset: Int?
    public var line: Int?
    public var reason: String
    public var excerpt: [UInt8]

    public init(path: String, fileKey: String, recordIndex: Int?, byteOffset: Int?, line: Int?, reason: String, excerpt: [UInt8]) {
        self.path = path
        self.fileKey = fileKey
        self.recordIndex = recordIndex
        self.byteOffset = byteOffset
        self.line = line
        self.reason = reason
        self.excerpt = excerpt.count > RejectRecord.excerptLimit ? Array(excerpt.prefix(RejectRecord.excerptLimit)) : excerpt
    }

    /// How much of a rejected record is kept.
    public static let excerptLimit = 4096
}

/// Inserts normalised batches. Holds its prepared statements for the life of an ingest; the
/// caller brackets calls with `TrailStore.begin()`/`commit()` to choose the transaction size.
public final class EventWriter {
    let store: TrailStore
    private let insertEvent: SQLiteStatement
    private let insertJSON: SQLiteStatement
    private let insertReject: SQLiteStatement

    public init(store: TrailStore) throws(StoreError) {
        self.store = store
        insertEvent = try store.connection.prepare("""
            INSERT OR IGNORE INTO events(event_id, event_name, event_source, aws_region, recipient_account,
                identity_type, identity_arn, principal_id, user_name, source_ip, error_code, event_type,
                event_category, log_stream, time_ms, read_only, log, source_id, ingestion_ms, flags)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
            """)
        insertJSON = try store.connection.prepare("INSERT INTO event_json(id, json) VALUES (?1, ?2)")
        insertReject = try store.connection.prepare("""
            INSERT OR IGNORE INTO rejects(source_id, path, file_key, record_index, byte_offset, line, reason, excerpt, rejected_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// Inserts every row not already stored (by eventID). Returns how many were new.
    public func insert(_ batch: EventBatch, log: String, sourceID: Int64?, ingestionMillis: Int64) throws(StoreError) -> Int {
        var inserted = 0
        let db = store.connection.handle
        let columns = EventBatch.columnCount
        let outcome: StoreError? = batch.bytes.withUnsafeBufferPointer { buf -> StoreError? in
            guard let base = buf.baseAddress else { return nil }
            return log.withCString { logPtr -> StoreError? in
                for (r, row) in batch.rows.enumerated() {
                    let s = insertEvent
                    for c in 0..<columns {
                        let ref = batch.refs[r * columns + c]
                        if ref.isNull { s.bindNull(at: Int32(c + 1)) } else {
                            s.bindTextNoCopy(base + Int(ref.start), count: Int(ref.count), at: Int32(c + 1))
                        }
                    }
                    s.bindInt(row.timeMillis, at: 15)
                    if row.readOnly < 0 { s.bindNull(at: 16) } else { s.bindInt(Int64(row.readOnly), at: 16) }
                    sqlite3_bind_text(s.handle, 17, logPtr, -1, csqlite_static())
                    if let sourceID { s.bindInt(sourceID, at: 18) } else { s.bindNull(at: 18) }
                    s.bindInt(row.ingestionMillis ?? ingestionMillis, at: 19)
                    s.bindInt(Int64(row.flags.rawValue), at: 20)
                    let rc = sqlite3_step(s.handle)
                    sqlite3_reset(s.handle)
                    guard rc == SQLITE_DONE else {
                        return StoreError(code: rc, message: String(cString: sqlite3_errmsg(db)), context: "inserting event")
                    }
                    guard sqlite3_changes(db) == 1 else { continue }
                    inserted += 1
                    let j = insertJSON
                    j.bindInt(sqlite3_last_insert_rowid(db), at: 1)
                    j.bindTextNoCopy(base + Int(row.raw.start), count: Int(row.raw.count), at: 2)
                    let rc2 = sqlite3_step(j.handle)
                    sqlite3_reset(j.handle)
                    guard rc2 == SQLITE_DONE else {
                        return StoreError(code: rc2, message: String(cString: sqlite3_errmsg(db)), context: "inserting event record")
                    }
                }
                return nil
            }
        }
        if let outcome { throw outcome }
        return inserted
    }

    /// Stores rejects; one already recorded for the same file position is not added again.
    /// Returns how many were new.
    @discardableResult
    public func insert(rejects: [RejectRecord], sourceID: Int64?, nowMillis: Int64) throws(StoreError) -> Int {
        var added = 0
        for r in rejects {
            try insertReject.bind([
                sourceID.map(SQLiteValue.integer) ?? .null, .text(r.path), .text(r.fileKey),
                r.recordIndex.map { .integer(Int64($0)) } ?? .null, r.byteOffset.map { .integer(Int64($0)) } ?? .null,
                r.line.map { .integer(Int64($0)) } ?? .null, .text(r.reason), .blob(r.excerpt), .integer(nowMillis),
            ])
            try insertReject.step()
            added += store.connection.changes
        }
        return added
    }
}
