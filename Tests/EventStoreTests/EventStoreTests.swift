import CloudTrail
import Foundation
import Testing
import TrailJSON
@testable import EventStore

func temporaryDatabasePath(_ name: String = #function) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-store-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("test.db").path
}

func record(_ json: String, index: Int = 0) -> RawRecord {
    RawRecord(bytes: Array(json.utf8), index: index, offset: 0, line: nil, timestampMillis: nil, ingestionTimeMillis: nil, logStream: nil)
}

func batch(_ records: [String]) -> EventBatch {
    var n = EventNormalizer()
    var b = EventBatch()
    for (i, r) in records.enumerated() { _ = n.append(record(r, index: i), logName: "cloudtrail", to: &b) }
    return b
}

@Suite struct StoreTests {
    let a = #"{"eventVersion":"1.08","eventID":"e-1","eventTime":"2026-10-01T03:00:00Z","eventName":"StopInstances","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice","principalId":"AIDA1","userName":"alice"},"sourceIPAddress":"198.51.100.7","readOnly":false,"eventType":"AwsApiCall","eventCategory":"Management"}"#
    let b = #"{"eventID":"e-2","eventTime":"2026-10-01T04:00:00Z","eventName":"Describe\"Quoted","errorCode":"AccessDenied","awsRegion":"eu-west-1"}"#

    @Test func createsFileWithOwnerOnlyMode() throws {
        let path = temporaryDatabasePath()
        _ = try TrailStore(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func migratesToCurrentVersion() throws {
        let path = temporaryDatabasePath()
        let store = try TrailStore(path: path)
        #expect(store.schemaVersion == Schema.version)
        let indexes = try store.connection.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'").rows()
        #expect(indexes.contains([.text("events_time")]) && indexes.contains([.text("events_event_key")]))
    }

    @Test func upgradesAnOlderFile() throws {
        let path = temporaryDatabasePath()
        do {
            let c = try SQLiteConnection(path: path)
            try c.execute(Schema.migrations[0])
            try c.execute("PRAGMA user_version = 1")
            try c.execute("INSERT INTO events(event_key, event_id, time_ms, log, ingestion_ms) VALUES (1, 'old', 1, 'cloudtrail', 1)")
        }
        let store = try TrailStore(path: path)
        #expect(store.schemaVersion == Schema.version)
        #expect(try store.connection.scalarInt("SELECT count(*) FROM events WHERE event_id = 'old'") == 1)
        #expect(try store.connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'events_name_time'") == 1)
    }

    @Test func refusesANewerSchema() throws {
        let path = temporaryDatabasePath()
        do {
            let c = try SQLiteConnection(path: path)
            try c.execute("PRAGMA user_version = 999")
        }
        #expect(throws: StoreError.self) { try TrailStore(path: path) }
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let path = temporaryDatabasePath()
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try TrailStore(path: path) }
    }

    @Test func insertsPromotedColumnsAndKeepsTheRecordExactly() throws {
        let store = try TrailStore(path: temporaryDatabasePath())
        let writer = try EventWriter(store: store)
        try store.begin()
        #expect(try writer.insert(batch([a, b]), log: "cloudtrail", sourceID: nil, ingestionMillis: 5) == 2)
        try store.commit()
        let row = try store.connection.prepare("""
            SELECT event_name, event_source, aws_region, recipient_account, identity_type, identity_arn, principal_id,
                   user_name, source_ip, error_code, event_type, event_category, time_ms, read_only, log FROM events WHERE event_id = 'e-1'
            """).rows()
        #expect(row == [[.text("StopInstances"), .text("ec2.amazonaws.com"), .text("us-east-1"), .text("111111111111"),
                         .text("IAMUser"), .text("arn:aws:iam::111111111111:user/alice"), .text("AIDA1"), .text("alice"),
                         .text("198.51.100.7"), .null, .text("AwsApiCall"), .text("Management"),
                         .integer(1_790_823_600_000), .integer(0), .text("cloudtrail")]])
        #expect(try store.rawRecord(eventID: "e-1") == a)
        #expect(try store.rawRecord(eventID: "e-2") == b)
        let escaped = try store.connection.prepare("SELECT event_name, error_code, read_only FROM events WHERE event_id = 'e-2'").rows()
        #expect(escaped == [[.text("Describe\"Quoted"), .text("AccessDenied"), .null]])
    }

    @Test func ignoresDuplicatesByEventID() throws {
        let store = try TrailStore(path: temporaryDatabasePath())
        let writer = try EventWriter(store: store)
        try store.begin()
        #expect(try writer.insert(batch([a, a, b]), log: "cloudtrail", sourceID: nil, ingestionMillis: 5) == 2)
        #expect(try writer.insert(batch([b]), log: "cloudtrail", sourceID: nil, ingestionMillis: 5) == 0)
        try store.commit()
        #expect(try store.connection.scalarInt("SELECT count(*) FROM event_json") == 2)
    }

    @Test func hashCollisionsLoseNothing() throws {
        // Force every event onto one key, as if all their eventIDs hashed alike.
        let store = try TrailStore(path: temporaryDatabasePath())
        let writer = try EventWriter(store: store)
        var colliding = batch([a, b, a])
        for i in colliding.rows.indices { colliding.rows[i].eventKey = 42 }
        try store.begin()
        #expect(try writer.insert(colliding, log: "cloudtrail", sourceID: nil, ingestionMillis: 5) == 2)
        #expect(try writer.insert(colliding, log: "cloudtrail", sourceID: nil, ingestionMillis: 5) == 0)
        try store.commit()
        #expect(try store.connection.prepare("SELECT event_key, event_id FROM events ORDER BY event_key").rows()
                == [[.integer(42), .text("e-1")], [.integer(43), .text("e-2")]])
        #expect(try store.rawRecord(eventID: "e-2") == nil, "looked up from its real hash, which was never stored")
        try store.connection.execute("UPDATE events SET event_key = \(EventKey.hash("e-2")) + (event_key - 42) * 0 WHERE event_id = 'e-1'")
        try store.connection.execute("UPDATE events SET event_key = \(EventKey.hash("e-2")) + 1 WHERE event_id = 'e-2'")
        #expect(try store.rawRecord(eventID: "e-2") == b, "found by probing past a colliding event")
    }

    @Test func rejectsAreStoredOncePerPosition() throws {
        let store = try TrailStore(path: temporaryDatabasePath())
        let writer = try EventWriter(store: store)
        let r = RejectRecord(path: "f.json", fileKey: "abc", recordIndex: 3, byteOffset: 10, line: nil, reason: "invalid JSON: x", excerpt: Array(repeating: 0x41, count: 10_000))
        #expect(try writer.insert(rejects: [r, r], sourceID: nil, nowMillis: 1) == 1)
        let stored = try store.rejects()
        #expect(stored.count == 1 && stored[0].excerpt.count == RejectRecord.excerptLimit && stored[0].recordIndex == 3)
    }

    @Test func infoSummarisesTheStore() throws {
        let store = try TrailStore(path: temporaryDatabasePath())
        let writer = try EventWriter(store: store)
        try store.begin()
        _ = try writer.insert(batch([a, b]), log: "cloudtrail", sourceID: nil, ingestionMillis: 5)
        try store.commit()
        let info = try store.info()
        #expect(info.events == 2)
        #expect(info.firstEventMillis == 1_790_823_600_000 && info.lastEventMillis == 1_790_827_200_000)
        #expect(info.regions.map(\.key).sorted() == ["eu-west-1", "us-east-1"])
        #expect(info.topEventNames.count == 2)
    }
}

@Suite struct NormalizerTests {
    func outcome(_ json: String, envelope: Int64? = nil) -> (EventNormalizer.Outcome, EventBatch) {
        var n = EventNormalizer()
        var b = EventBatch()
        var r = record(json)
        r.timestampMillis = envelope
        let o = n.append(r, logName: "cloudtrail", to: &b)
        return (o, b)
    }

    @Test(arguments: [
        (#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z"}"#, nil as String?),
        (#"{"eventID":"x"}"#, "missing eventTime"),
        (#"{"eventID":"x","eventTime":"yesterday"}"#, #"invalid eventTime "yesterday""#),
        (#"{"eventID":"x","eventTime":12}"#, "eventTime must be a string, found number"),
        (#"{"eventID":7,"eventTime":"2026-10-01T00:00:00Z"}"#, "eventID must be a string, found number"),
        (#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z","eventName":["a"]}"#, "eventName must be a string, found array"),
        (#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z","userIdentity":{"arn":{}}}"#, "userIdentity.arn must be a string, found object"),
        (#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z","readOnly":"maybe"}"#, "readOnly must be a boolean, found string"),
        (#"[1,2]"#, "record is not a JSON object"),
        (#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z""#, "invalid JSON: unexpected end of input at byte 49"),
    ])
    func validation(json: String, reason: String?) {
        let (o, b) = outcome(json)
        if let reason {
            #expect(o == .rejected(reason))
            #expect(b.isEmpty && b.bytes.isEmpty, "a rejected record leaves nothing in the batch")
        } else {
            #expect(o == .stored([]))
        }
    }

    @Test func synthesizesAStableIDWhenEventIDIsMissing() {
        let json = #"{"eventTime":"2026-10-01T00:00:00Z","eventName":"X"}"#
        let (o1, b1) = outcome(json)
        let (_, b2) = outcome(json)
        #expect(o1 == .stored([.synthesizedID]))
        let id = b1.text(0, .eventID)
        #expect(id != nil && id == b2.text(0, .eventID) && id!.hasPrefix("synth-"))
        let (_, other) = outcome(#"{"eventTime":"2026-10-01T00:00:00Z","eventName":"Y"}"#)
        #expect(other.text(0, .eventID) != id)
    }

    @Test func flagsOversizedRecords() {
        let big = #"{"eventID":"big","eventTime":"2026-10-01T00:00:00Z","pad":""# + String(repeating: "x", count: 300_000) + #""}"#
        #expect(outcome(big).0 == .stored([.oversized]))
    }

    @Test func lookupEventsReadOnlyStrings() {
        let (_, b) = outcome(#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z","readOnly":"true"}"#)
        #expect(b.rows[0].readOnly == 1)
    }

    @Test func plainLogMessagesBecomeLogEvents() {
        let (o, b) = outcome("GET /index.html 200", envelope: 1_790_000_000_000)
        #expect(o == .stored([.logEvent]))
        #expect(b.rows[0].timeMillis == 1_790_000_000_000 && b.text(0, .eventID)!.hasPrefix("log-"))
        #expect(b.rawText(0) == "GET /index.html 200")
        let (o2, _) = outcome(#"{"level":"info","msg":"x"}"#, envelope: 1)
        #expect(o2 == .stored([.logEvent]))
    }

    @Test func cloudTrailInsideCloudWatchLogsKeepsItsOwnTime() {
        let (o, b) = outcome(#"{"eventID":"x","eventTime":"2026-10-01T00:00:00Z"}"#, envelope: 5)
        #expect(o == .stored([]))
        #expect(b.rows[0].timeMillis == 1_790_812_800_000)
    }
}

@Suite struct JSONFunctionTests {
    @Test func twJSONMatchesJSONExtract() throws {
        let store = try TrailStore(path: temporaryDatabasePath())
        try store.connection.registerJSONFunctions()
        let doc = #"{"a":{"b":[10,2.5,"x\"y",true,false,null,{"c":1}]},"s":"plain","n":-7,"big":12345678901234}"#
        let paths = ["$.a.b[0]", "$.a.b[1]", "$.a.b[2]", "$.a.b[3]", "$.a.b[4]", "$.a.b[5]", "$.a.b[6]", "$.s", "$.n", "$.big", "$.missing", "$.a.b[9]"]
        for p in paths {
            let s = try store.connection.prepare("SELECT tw_json(?1, ?2), json_extract(?1, ?2), tw_json(?1, ?3)")
            let dotted = p.dropFirst(2).replacingOccurrences(of: "[", with: ".").replacingOccurrences(of: "]", with: "")
            try s.bind([.text(doc), .text(p), .text(dotted)])
            #expect(try s.step())
            #expect(s.value(0) == s.value(1), "\(p)")
            #expect(s.value(2) == s.value(1), "\(dotted)")
        }
    }

    @Test func invalidPathIsAnSQLError() throws {
        let store = try TrailStore(path: temporaryDatabasePath())
        try store.connection.registerJSONFunctions()
        let s = try store.connection.prepare("SELECT tw_json('{}', '$.a..b')")
        #expect(throws: StoreError.self) { try s.step() }
    }
}
