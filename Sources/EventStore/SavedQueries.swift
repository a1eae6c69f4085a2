/// Named Insights queries kept in the store (`trailwatch query save|list|run`).
public struct SavedQuery: Hashable, Sendable {
    public var name: String
    public var query: String
    public var createdMillis: Int64
    public var updatedMillis: Int64
}

extension TrailStore {
    /// Saves or replaces the query called `name`.
    public func saveQuery(name: String, query: String, nowMillis: Int64) throws(StoreError) {
        let s = try connection.cached("""
            INSERT INTO saved_queries (name, query, created_ms, updated_ms) VALUES (?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET query = excluded.query, updated_ms = excluded.updated_ms
            """)
        try s.bind([.text(name), .text(query), .integer(nowMillis), .integer(nowMillis)])
        try s.step()
    }

    public func savedQueries() throws(StoreError) -> [SavedQuery] {
        let s = try connection.prepare("SELECT name, query, created_ms, updated_ms FROM saved_queries ORDER BY name")
        var out: [SavedQuery] = []
        while try s.step() {
            out.append(SavedQuery(name: s.text(0) ?? "", query: s.text(1) ?? "", createdMillis: s.int64(2), updatedMillis: s.int64(3)))
        }
        return out
    }

    public func savedQuery(named name: String) throws(StoreError) -> SavedQuery? {
        try savedQueries().first { $0.name == name }
    }

    /// Deletes the query; false when there was none by that name.
    @discardableResult
    public func deleteSavedQuery(named name: String) throws(StoreError) -> Bool {
        let s = try connection.prepare("DELETE FROM saved_queries WHERE name = ?")
        try s.bind([.text(name)])
        try s.step()
        return connection.changes > 0
    }
}
