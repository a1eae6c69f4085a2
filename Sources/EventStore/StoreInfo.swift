import CloudTrail

/// A summary of what a store holds (`trailwatch events info`).
public struct StoreInfo: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var key: String
        public var count: Int
    }

    public var events = 0
    public var firstEventMillis: Int64?
    public var lastEventMillis: Int64?
    public var accounts: [Count] = []
    public var regions: [Count] = []
    public var logs: [Count] = []
    public var topEventNames: [Count] = []
    public var sources = 0
    public var partialSources = 0
    public var rejects = 0
    public var rejectReasons: [Count] = []
    public var synthesizedIDs = 0
    public var oversized = 0
    public var logEvents = 0
    public var schemaVersion = 0
    /// Source files by `verify` status ("verified", "unverified", "invalid"; unchecked ones absent).
    public var verification: [Count] = []
    public var metricFilters = 0
    public var metricSeries = 0
}

/// One stored reject (`trailwatch events rejects`).
public struct StoredReject: Sendable, Equatable {
    public var path: String
    public var recordIndex: Int?
    public var byteOffset: Int?
    public var line: Int?
    public var reason: String
    public var excerpt: [UInt8]
    public var rejectedMillis: Int64
}

extension TrailStore {
    public func info(topNames: Int = 10) throws(StoreError) -> StoreInfo {
        var info = StoreInfo()
        info.schemaVersion = schemaVersion
        let totals = try connection.prepare("""
            SELECT count(*), min(time_ms), max(time_ms),
                   sum(flags & 1 != 0), sum(flags & 2 != 0), sum(flags & 4 != 0) FROM events
            """)
        if try totals.step() {
            info.events = Int(totals.int64(0))
            info.firstEventMillis = totals.isNull(1) ? nil : totals.int64(1)
            info.lastEventMillis = totals.isNull(2) ? nil : totals.int64(2)
            info.synthesizedIDs = Int(totals.int64(3))
            info.oversized = Int(totals.int64(4))
            info.logEvents = Int(totals.int64(5))
        }
        info.accounts = try counts("SELECT ifnull(recipient_account, '(none)'), count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1")
        info.regions = try counts("SELECT ifnull(aws_region, '(none)'), count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1")
        info.logs = try counts("SELECT log, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1")
        info.topEventNames = try counts("""
            SELECT event_name, count(*) FROM events WHERE event_name IS NOT NULL
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT \(topNames)
            """)
        info.sources = Int(try connection.scalarInt("SELECT count(*) FROM sources") ?? 0)
        info.partialSources = Int(try connection.scalarInt("SELECT count(*) FROM sources WHERE status = 'partial'") ?? 0)
        info.rejects = Int(try connection.scalarInt("SELECT count(*) FROM rejects") ?? 0)
        info.metricFilters = Int(try connection.scalarInt("SELECT count(*) FROM metric_filters") ?? 0)
        info.metricSeries = Int(try connection.scalarInt("SELECT count(*) FROM metrics") ?? 0)
        info.verification = try counts("SELECT verification, count(*) FROM sources WHERE verification IS NOT NULL GROUP BY 1 ORDER BY 1")
        info.rejectReasons = try counts("""
            SELECT CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) ELSE reason END,
                   count(*) FROM rejects GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
            """)
        return info
    }

    private func counts(_ sql: String) throws(StoreError) -> [StoreInfo.Count] {
        let s = try connection.prepare(sql)
        var out: [StoreInfo.Count] = []
        while try s.step() { out.append(.init(key: s.text(0) ?? "", count: Int(s.int64(1)))) }
        return out
    }

    public func rejects(limit: Int? = nil) throws(StoreError) -> [StoredReject] {
        let s = try connection.prepare("""
            SELECT path, record_index, byte_offset, line, reason, excerpt, rejected_ms FROM rejects
            ORDER BY path, ifnull(record_index, -1), ifnull(line, -1), id
            \(limit.map { "LIMIT \($0)" } ?? "")
            """)
        var out: [StoredReject] = []
        while try s.step() {
            out.append(StoredReject(
                path: s.text(0) ?? "", recordIndex: s.isNull(1) ? nil : Int(s.int64(1)),
                byteOffset: s.isNull(2) ? nil : Int(s.int64(2)), line: s.isNull(3) ? nil : Int(s.int64(3)),
                reason: s.text(4) ?? "", excerpt: s.bytes(5), rejectedMillis: s.int64(6)))
        }
        return out
    }

    /// The raw records of the latest `limit` events, oldest first.
    public func latestRecords(limit: Int) throws(StoreError) -> [[UInt8]] {
        let s = try connection.prepare("""
            SELECT j.json FROM (SELECT id, time_ms FROM events ORDER BY time_ms DESC, id DESC LIMIT ?) e
            JOIN event_json j ON j.id = e.id ORDER BY e.time_ms, e.id
            """)
        try s.bind([.integer(Int64(limit))])
        var out: [[UInt8]] = []
        while try s.step() { out.append(s.bytes(0)) }
        return out
    }

    /// The stored record of an event, exactly as ingested.
    public func rawRecord(eventID: String) throws(StoreError) -> String? {
        guard let id = try rowID(eventID: eventID) else { return nil }
        let s = try connection.prepare("SELECT json FROM event_json WHERE id = ?")
        try s.bind([.integer(id)])
        return try s.step() ? s.text(0) : nil
    }

    /// The `events.id` of an eventID: probes from its key until the id or a free key is found.
    public func rowID(eventID: String) throws(StoreError) -> Int64? {
        let s = try connection.prepare("SELECT id, event_id FROM events WHERE event_key = ?")
        var key = EventKey.hash(eventID)
        while true {
            try s.bind([.integer(key)])
            guard try s.step() else { return nil }
            if s.text(1) == eventID { return s.int64(0) }
            key = EventKey.probe(after: key)
        }
    }
}
