import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    private let findKey: SQLiteStatement

    public init(store: TrailStore) throws(StoreError) {
        self.store = store
        insertEvent = try store.connection.prepare("""
            INSERT OR IGNORE INTO events(event_id, event_name, event_source, aws_region, recipient_account,
                identity_type, identity_arn, principal_id, user_name, source_ip, error_code, event_type,
                event_category, log_stream, time_ms, read_only, log, source_id, ingestion_ms, flags, event_key)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
            """)
        findKey = try store.connection.prepare("SELECT event_id FROM events WHERE event_key = ?1")
        insertJSON = try store.connection.prepare("INSERT INTO event_json(id, json) VALUES (?1, ?2)")
        insertReject = try store.connection.prepare("""
            INSERT OR IGNORE INTO rejects(source_id, path, file_key, record_index, byte_offset, line, reason, excerpt, rejected_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// Inserts every row not already stored (by eventID). Returns how many were new.
    public func insert(_ batch: EventBatch, log: String, sourceID: Int64?, ingestionMillis: Int64) throws(StoreError) -> Int {
        var ignored: [Bool] = []
        return try insert(batch, log: log, sourceID: sourceID, ingestionMillis: ingestionMillis, newRows: &ignored)
    }

    /// Inserts every row not already stored; `newRows[i]` tells whether row i was new (metric
    /// filters count only those, so re-ingesting never counts an event twice).
    public func insert(_ batch: EventBatch, log: String, sourceID: Int64?, ingestionMillis: Int64,
                       newRows: inout [Bool]) throws(StoreError) -> Int
    {
        newRows = Array(repeating: false, count: batch.count)
        var inserted = 0
        let db = store.connection.handle
        let columns = EventBatch.columnCount
        let idColumn = EventBatch.Column.eventID.rawValue
        // The C handles and raw buffers are taken once: this loop runs per event and any
        // retain/release or bounds check in it shows in the ingest profile.
        let ev = insertEvent.handle
        let js = insertJSON.handle
        let outcome: StoreError? = batch.bytes.withUnsafeBufferPointer { buf -> StoreError? in
            guard let base = buf.baseAddress else { return nil }
            return batch.refs.withUnsafeBufferPointer { refs in
                batch.rows.withUnsafeBufferPointer { rows in
                    log.withCString { logPtr -> StoreError? in
                        for r in 0..<rows.count {
                            let row = rows[r]
                            let rowRefs = refs.baseAddress! + r * columns
                            for c in 0..<columns {
                                let ref = rowRefs[c]
                                if ref.count < 0 { sqlite3_bind_null(ev, Int32(c + 1)) } else {
                                    (base + Int(ref.start)).withMemoryRebound(to: CChar.self, capacity: Int(ref.count)) {
                                        _ = sqlite3_bind_text(ev, Int32(c + 1), $0, ref.count, csqlite_static())
                                    }
                                }
                            }
                            sqlite3_bind_int64(ev, 15, row.timeMillis)
                            if row.readOnly < 0 { sqlite3_bind_null(ev, 16) } else { sqlite3_bind_int64(ev, 16, Int64(row.readOnly)) }
                            sqlite3_bind_text(ev, 17, logPtr, -1, csqlite_static())
                            if let sourceID { sqlite3_bind_int64(ev, 18, sourceID) } else { sqlite3_bind_null(ev, 18) }
                            sqlite3_bind_int64(ev, 19, row.ingestionMillis ?? ingestionMillis)
                            sqlite3_bind_int64(ev, 20, Int64(row.flags.rawValue))
                            // Insert under the event's key; on a conflict, the same eventID means a
                            // duplicate and another one means a hash collision: try the next key.
                            var key = row.eventKey
                            var isNew = false
                            while true {
                                sqlite3_bind_int64(ev, 21, key)
                                let rc = sqlite3_step(ev)
                                sqlite3_reset(ev)
                                guard rc == SQLITE_DONE else {
                                    return StoreError(code: rc, message: String(cString: sqlite3_errmsg(db)), context: "inserting event")
                                }
                                if sqlite3_changes(db) == 1 { isNew = true; break }
                                let idRef = rowRefs[idColumn]
                                if storedID(forKey: key, equals: UnsafeRawBufferPointer(start: base + Int(idRef.start), count: Int(idRef.count))) { break }
                                key = EventKey.probe(after: key)
                            }
                            guard isNew else { continue }
                            inserted += 1
                            newRows[r] = true
                            sqlite3_bind_int64(js, 1, sqlite3_last_insert_rowid(db))
                            (base + Int(row.raw.start)).withMemoryRebound(to: CChar.self, capacity: Int(row.raw.count)) {
                                _ = sqlite3_bind_text(js, 2, $0, row.raw.count, csqlite_static())
                            }
                            let rc2 = sqlite3_step(js)
                            sqlite3_reset(js)
                            guard rc2 == SQLITE_DONE else {
                                return StoreError(code: rc2, message: String(cString: sqlite3_errmsg(db)), context: "inserting event record")
                            }
                        }
                        return nil
                    }
                }
            }
        }
        if let outcome { throw outcome }
        return inserted
    }

    /// Whether the event stored under `key` has exactly this eventID.
    private func storedID(forKey key: Int64, equals id: UnsafeRawBufferPointer) -> Bool {
        findKey.bindInt(key, at: 1)
        defer { sqlite3_reset(findKey.handle) }
        guard sqlite3_step(findKey.handle) == SQLITE_ROW, let p = sqlite3_column_text(findKey.handle, 0) else { return false }
        let n = Int(sqlite3_column_bytes(findKey.handle, 0))
        return n == id.count && (n == 0 || memcmp(p, id.baseAddress!, n) == 0)
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
