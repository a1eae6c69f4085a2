import Alarms
import Foundation

/// An alarm as stored: its definition and its persisted evaluation status.
public struct StoredAlarm: Hashable, Sendable {
    public var definition: AlarmDefinition
    public var status: AlarmStatus
    public var createdMillis: Int64
    public var updatedMillis: Int64
}

/// Alarm rows whose JSON no longer decodes (written by another version), named so the user can
/// fix or delete them.
public struct AlarmStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension TrailStore {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Creates or updates an alarm. Updating keeps its current state (as `PutMetricAlarm` does)
    /// and records a configuration update in its history.
    public func putAlarm(_ definition: AlarmDefinition, nowMillis: Int64) throws {
        let existing = try alarm(named: definition.name)
        let status = existing?.status ?? AlarmStatus()
        let s = try connection.cached("""
            INSERT INTO alarms (name, definition, status, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET definition = excluded.definition, updated_ms = excluded.updated_ms
            """)
        try s.bind([.text(definition.name), .text(try Self.json(definition)), .text(try Self.json(status)),
                    .integer(nowMillis), .integer(nowMillis)])
        try s.step()
        try appendAlarmHistory(AlarmHistoryItem(alarmName: definition.name, timestampMillis: nowMillis, kind: .configurationUpdate,
                                                summary: existing == nil ? "Alarm \"\(definition.name)\" created" : "Alarm \"\(definition.name)\" updated"))
    }

    public func alarm(named name: String) throws -> StoredAlarm? {
        try alarms(where: "WHERE name = ?", [.text(name)]).first
    }

    public func alarms() throws -> [StoredAlarm] { try alarms(where: "", []) }

    private func alarms(where clause: String, _ bindings: [SQLiteValue]) throws -> [StoredAlarm] {
        let s = try connection.prepare("SELECT name, definition, status, created_ms, updated_ms FROM alarms \(clause) ORDER BY name")
        try s.bind(bindings)
        var out: [StoredAlarm] = []
        let decoder = JSONDecoder()
        while try s.step() {
            let name = s.text(0) ?? ""
            do {
                out.append(StoredAlarm(definition: try decoder.decode(AlarmDefinition.self, from: Data((s.text(1) ?? "").utf8)),
                                       status: try decoder.decode(AlarmStatus.self, from: Data((s.text(2) ?? "").utf8)),
                                       createdMillis: s.int64(3), updatedMillis: s.int64(4)))
            } catch {
                throw AlarmStoreError(description: "alarm \(name) cannot be read (\(error)); delete it and put it again")
            }
        }
        return out
    }

    /// Saves the status an evaluation produced.
    public func setAlarmStatus(name: String, status: AlarmStatus, nowMillis: Int64) throws {
        let s = try connection.cached("UPDATE alarms SET status = ?, updated_ms = ? WHERE name = ?")
        try s.bind([.text(try Self.json(status)), .integer(nowMillis), .text(name)])
        try s.step()
    }

    /// Deletes the alarm and its history; false when there was none.
    @discardableResult
    public func deleteAlarm(named name: String) throws -> Bool {
        let s = try connection.prepare("DELETE FROM alarms WHERE name = ?")
        try s.bind([.text(name)])
        try s.step()
        let deleted = connection.changes > 0
        let h = try connection.prepare("DELETE FROM alarm_history WHERE alarm = ?")
        try h.bind([.text(name)])
        try h.step()
        return deleted
    }

    public func appendAlarmHistory(_ item: AlarmHistoryItem) throws {
        let s = try connection.cached("INSERT INTO alarm_history (alarm, time_ms, kind, summary, item) VALUES (?, ?, ?, ?, ?)")
        try s.bind([.text(item.alarmName), .integer(item.timestampMillis), .text(item.kind.rawValue), .text(item.summary),
                    .text(try Self.json(item))])
        try s.step()
    }

    /// History entries, oldest first (all alarms when `name` is nil).
    public func alarmHistory(name: String? = nil, limit: Int? = nil) throws -> [AlarmHistoryItem] {
        var sql = "SELECT item FROM alarm_history"
        var bindings: [SQLiteValue] = []
        if let name { sql += " WHERE alarm = ?"; bindings.append(.text(name)) }
        sql += " ORDER BY time_ms DESC, id DESC"
        if let limit { sql += " LIMIT \(limit)" }
        let s = try connection.prepare(sql)
        try s.bind(bindings)
        var out: [AlarmHistoryItem] = []
        let decoder = JSONDecoder()
        while try s.step() { out.append(try decoder.decode(AlarmHistoryItem.self, from: Data((s.text(0) ?? "").utf8))) }
        return out.reversed()
    }

    /// Small persisted values for `watch` (last processed file, last retrain, …).
    public func watchState(_ key: String) throws -> String? {
        let s = try connection.cached("SELECT value FROM watch_state WHERE key = ?")
        try s.bind([.text(key)])
        return try s.step() ? s.text(0) : nil
    }

    public func setWatchState(_ key: String, _ value: String) throws {
        let s = try connection.cached("INSERT INTO watch_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        try s.bind([.text(key), .text(value)])
        try s.step()
    }
}
