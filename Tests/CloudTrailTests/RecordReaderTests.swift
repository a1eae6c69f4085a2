import Foundation
import Testing
import TrailJSON

@testable import CloudTrail

@Suite struct CloudTrailFileTests {
    @Test func sampleRecordsAreValidJSON() throws {
        for i in 0..<3 { _ = try JSONValue.parse(sampleRecord(i)) }
    }

    @Test func recordsObjectPlainAndGzip() throws {
        let dir = TempDir()
        let recs = (0..<3).map { sampleRecord($0) }
        let text = "{\"Records\":[" + recs.joined(separator: ",") + "]}"
        let plain = dir.write("a.json", text)
        let gz = dir.write("a.json.gz", gzip(text))
        for path in [plain, gz] {
            let r = try readAll(path)
            #expect(r.format == .cloudtrail)
            #expect(r.records == recs)
            #expect(r.problems.isEmpty)
            #expect(r.decoded == text.utf8.count)
            // Offsets point at each record in the decoded text.
            var expected = "{\"Records\":[".utf8.count
            for (i, item) in r.items.enumerated() {
                guard case .record(_, let index, let offset, let line, _, _, _) = item else { Issue.record("not a record"); continue }
                #expect(index == i)
                #expect(offset == expected)
                #expect(line == nil)
                expected += recs[i].utf8.count + 1
            }
        }
        let gzr = try readAll(gz)
        #expect(gzr.compressed == (try FileManager.default.attributesOfItem(atPath: gz)[.size] as! Int))
        #expect(try RecordReader(path: gz).isGzip == false)  // unknown until read
    }

    @Test func gzipDetectedByMagicNotExtension() throws {
        let dir = TempDir()
        let text = "{\"Records\":[" + sampleRecord(1) + "]}"
        let r1 = try readAll(dir.write("plain-named.gz", text))
        let r2 = try readAll(dir.write("compressed-named.json", gzip(text)))
        #expect(r1.records == [sampleRecord(1)])
        #expect(r2.records == [sampleRecord(1)])
    }

    @Test func multiMemberGzip() throws {
        let dir = TempDir()
        // A record split across members, plus zero padding after the last one.
        let a = "{\"Records\":[" + sampleRecord(0) + "," + String(sampleRecord(1).prefix(50))
        let b = String(sampleRecord(1).dropFirst(50)) + "]}"
        let bytes = gzip(a) + gzip(b) + [0, 0, 0, 0]
        let r = try readAll(dir.write("multi.json.gz", bytes))
        #expect(r.records == [sampleRecord(0), sampleRecord(1)])
        #expect(r.problems.isEmpty)
    }

    @Test func recordsSpanningChunkBoundaries() throws {
        let dir = TempDir()
        let recs = (0..<400).map { sampleRecord($0, padding: $0 % 7 * 100) }
        let text = "{\"Records\":[\n" + recs.joined(separator: ",\n") + "\n]}\n"
        #expect(text.utf8.count > 128 * 1024)
        let plain = dir.write("big.json", text)
        let gz = dir.write("big.json.gz", gzip(text))
        #expect(try readAll(plain).records == recs)
        #expect(try readAll(gz).records == recs)
    }

    /// Every structure crosses a chunk boundary somewhere when chunks are a few bytes long.
    @Test(arguments: [1, 2, 3, 7, 61, 4096])
    func tinyChunksGiveTheSameItems(chunk: Int) throws {
        let dir = TempDir()
        let recs = (0..<5).map { sampleRecord($0) }
        let files: [(String, [UInt8], InputFormat)] = [
            ("a.json", Array(("{\"NextToken\":\"x\\\"]}\",\"Records\":[" + recs.joined(separator: " , ") + "]}").utf8), .auto),
            ("b.json.gz", gzip("[" + recs.joined(separator: ",") + ", {\"a\": tru}, 7]"), .auto),
            ("c.ndjson", Array((recs.joined(separator: "\r\n") + "\n\nnope\n" + recs[0]).utf8), .auto),
            ("d.json", Array(("{\"Events\":[" + recs.map { "{\"EventId\":\"1\",\"CloudTrailEvent\":\(quoted($0))}" }.joined(separator: ",") + "]}").utf8), .auto),
            ("e.log", Array(recs.map { "2024-01-02T03:04:05.678Z " + $0 }.joined(separator: "\n").utf8), .auto),
            ("f.json", Array(("{\"Records\":[" + recs[0] + "," + recs[1] + ",{\"a\":[1,2}").utf8), .auto),
            ("g.json", Array(("{\"Records\":[" + recs[0] + "]}{\"Records\":[" + recs[1] + "]}").utf8), .cloudtrail),
        ]
        for (name, bytes, format) in files {
            let path = dir.write(name, bytes)
            let reference = try readAll(path, format: format)
            let small = try readAll(path, format: format, chunk: chunk)
            #expect(small.items == reference.items, "\(name) with \(chunk)-byte chunks")
            #expect(small.format == reference.format)
            #expect(!reference.items.isEmpty)
        }
    }

    @Test func keysBeforeRecordsAreSkipped() throws {
        let dir = TempDir()
        let text = #"{"NextToken":"a\"]}[{","meta":{"x":[1,{"Records":[{"not":"this"}]},"]"],"y":null},"n":-1.5e3,"t":true,"Records":[ "#
            + sampleRecord(0) + "," + sampleRecord(1) + #"],"after":{"Records":[{"z":1}]}}"#
        let r = try readAll(dir.write("k.json", text))
        #expect(r.records == [sampleRecord(0), sampleRecord(1)])
        #expect(r.problems.isEmpty)
    }

    @Test func bareArrays() throws {
        let dir = TempDir()
        let r = try readAll(dir.write("arr.json", "[\n  " + sampleRecord(0) + ",\n  " + sampleRecord(1) + "\n]\n"))
        #expect(r.format == .cloudtrail)
        #expect(r.records == [sampleRecord(0), sampleRecord(1)])
        let empty = try readAll(dir.write("empty-arr.json", "[ ]"))
        #expect(empty.items.isEmpty)
        #expect(empty.format == .cloudtrail)
        let mixed = try readAll(dir.write("mixed.json", "[" + sampleRecord(0) + ", 42, \"s\\\"]\", [1], " + sampleRecord(1) + "]"))
        #expect(mixed.items.count == 5)
        #expect(mixed.records == [sampleRecord(0), sampleRecord(1)])
        #expect(mixed.problems.map(\.index) == [1, 2, 3])
        #expect(mixed.problems.allSatisfy { $0.reason.contains("is not a JSON object") })
        #expect(mixed.problems[1].excerpt == Array("\"s\\\"]\"".utf8))
    }

    @Test func invalidElementBetweenValidOnesIsStillARecord() throws {
        let dir = TempDir()
        let text = "{\"Records\":[" + sampleRecord(0) + ",{\"a\": tru},{\"b\":\"unterminated \\\" [\"}," + sampleRecord(1) + "]}"
        let r = try readAll(dir.write("bad.json", text))
        #expect(r.records == [sampleRecord(0), "{\"a\": tru}", "{\"b\":\"unterminated \\\" [\"}", sampleRecord(1)])
        #expect(r.problems.isEmpty)
    }

    @Test func unbalancedArrayAtEOF() throws {
        let dir = TempDir()
        let head = "{\"Records\":[" + sampleRecord(0) + "," + sampleRecord(1) + ","
        let text = head + "{\"a\":[1,2}"
        let r = try readAll(dir.write("unbalanced.json", text))
        #expect(r.records == [sampleRecord(0), sampleRecord(1)])
        #expect(r.problems.count == 1)
        let p = try #require(r.problems.first)
        #expect(p.offset == head.utf8.count)
        #expect(p.index == 2)
        #expect(p.reason.contains("rest of file unreadable after record 2"))
        #expect(p.reason.contains("at byte \(head.utf8.count)"))
        #expect(p.excerpt == Array("{\"a\":[1,2}".utf8))
        // Missing closing brackets after complete records: everything is read, one problem.
        let r2 = try readAll(dir.write("unclosed.json", "{\"Records\":[" + sampleRecord(0)))
        #expect(r2.records == [sampleRecord(0)])
        #expect(r2.problems.count == 1)
    }

    @Test func garbageBetweenElementsEndsTheFile() throws {
        let dir = TempDir()
        let text = "[" + sampleRecord(0) + " xyz " + sampleRecord(1) + "]"
        let r = try readAll(dir.write("garbage.json", text))
        #expect(r.records == [sampleRecord(0)])
        #expect(r.problems.count == 1)
        #expect(r.problems[0].reason.contains("rest of file unreadable after record 1"))
        #expect(r.problems[0].offset == sampleRecord(0).utf8.count + 2)
        #expect(Array(r.problems[0].excerpt.prefix(3)) == Array("xyz".utf8))
    }

    @Test func concatenatedDocumentsAndPrettyPrintedRecords() throws {
        let dir = TempDir()
        let cat = "{\"Records\":[" + sampleRecord(0) + "]}\n{\"Records\":[" + sampleRecord(1) + "]}\n[" + sampleRecord(2) + "]"
        let r = try readAll(dir.write("cat.json", cat))
        #expect(r.records == [sampleRecord(0), sampleRecord(1), sampleRecord(2)])
        #expect(r.items.compactMap { if case .record(_, let i, _, _, _, _, _) = $0 { return i } else { return nil } } == [0, 1, 2])
        // `jq '.Records[]'` output: pretty-printed records one after another.
        let pretty = (0..<3).map { try! JSONValue.parse(sampleRecord($0)).jsonText(pretty: true) }
        let pr = try readAll(dir.write("pretty.json", pretty.joined(separator: "\n") + "\n"))
        #expect(pr.format == .cloudtrail)
        #expect(pr.records == pretty)
    }

    @Test func largeRecordsAreEmittedWhole() throws {
        let dir = TempDir()
        let big = sampleRecord(9, padding: 700_000)
        let text = "{\"Records\":[" + sampleRecord(0) + "," + big + "," + sampleRecord(1) + "]}"
        let r = try readAll(dir.write("large.json.gz", gzip(text)))
        #expect(r.records == [sampleRecord(0), big, sampleRecord(1)])
        let lines = try readAll(dir.write("large.ndjson", sampleRecord(0) + "\n" + big + "\n"))
        #expect(lines.format == .ndjson)
        #expect(lines.records == [sampleRecord(0), big])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let dir = TempDir()
        let r = try readAll(dir.write("bom.json", [0xEF, 0xBB, 0xBF] + Array(("{\"Records\":[" + sampleRecord(0) + "]}").utf8)))
        #expect(r.format == .cloudtrail)
        #expect(r.records == [sampleRecord(0)])
    }

    @Test func objectWithoutTheArray() throws {
        let dir = TempDir()
        let path = dir.write("other.json", "{\"foo\": 1, \"bar\": [2]}")
        let auto = try readAll(path)
        #expect(auto.problems.count == 1)
        #expect(auto.problems[0].reason.hasPrefix("unrecognised input format: starts with"))
        let forced = try readAll(path, format: .cloudtrail)
        #expect(forced.problems.map(\.reason) == ["no \"Records\" array in the JSON object"])
        let notArray = try readAll(dir.write("notarray.json", "{\"Records\": {}}"), format: .cloudtrail)
        #expect(notArray.problems.count == 1)
        #expect(notArray.problems[0].reason.contains("\"Records\" is not an array"))
    }
}

@Suite struct LineFormatTests {
    @Test func ndjsonWithBlankAndBadLines() throws {
        let dir = TempDir()
        let text = sampleRecord(0) + "\n\n   \n" + "this is not json\n" + sampleRecord(1) + "\r\n{\"eventVersion\": tru}\n" + sampleRecord(2)
        let path = dir.write("x.jsonl", text)
        let r = try readAll(path)
        #expect(r.format == .ndjson)
        #expect(r.records == [sampleRecord(0), sampleRecord(1), "{\"eventVersion\": tru}", sampleRecord(2)])
        #expect(r.problems.count == 1)
        let p = r.problems[0]
        #expect(p.line == 4)
        #expect(p.index == 1)
        #expect(p.reason == "line 4 is not a JSON object")
        #expect(p.excerpt == Array("this is not json".utf8))
        let lines = r.items.compactMap { item -> Int? in if case .record(_, _, _, let l, _, _, _) = item { return l } else { return nil } }
        #expect(lines == [1, 5, 6, 7])
        #expect(try readAll(dir.write("x.json.gz", gzip(text))).items == r.items)
        #expect(try readAll(path, format: .ndjson).items == r.items)
    }

    @Test func leadingBlankLinesKeepLineNumbers() throws {
        let dir = TempDir()
        let r = try readAll(dir.write("x.ndjson", "\n\n" + sampleRecord(0) + "\n"))
        #expect(r.items == [.record(text: sampleRecord(0), index: 0, offset: 2, line: 3, timestamp: nil, ingestion: nil, stream: nil)])
    }

    @Test func singleLineRecord() throws {
        let dir = TempDir()
        let r = try readAll(dir.write("one.json", sampleRecord(3)))
        #expect(r.format == .ndjson)
        #expect(r.records == [sampleRecord(3)])
    }
}

@Suite struct LookupEventsTests {
    @Test func lookupEventsOutput() throws {
        let dir = TempDir()
        let special = #"{"eventVersion":"1.08","eventID":"x","note":"\u00e9\ud83d\ude00 tab\there","q":"a\"b"}"#
        let specialDecoded = try JSONValue.parse(special)
        let events = [
            "{\"EventId\":\"1\",\"EventName\":\"GetObject\",\"ReadOnly\":\"true\",\"Resources\":[{\"ResourceType\":\"AWS::S3::Object\"}],\"CloudTrailEvent\":\(quoted(sampleRecord(0)))}",
            "{\"EventId\":\"2\",\"EventName\":\"NoEvent\"}",
            "{\"EventId\":\"3\",\"CloudTrailEvent\":5}",
            "\"just a string\"",
            "{\"EventId\":\"4\",\"CloudTrailEvent\":\(quoted(special))}",
        ]
        let text = "{\n  \"NextToken\": \"tok\",\n  \"Events\": [\n" + events.joined(separator: ",\n") + "\n  ]\n}\n"
        let r = try readAll(dir.write("lookup.json", text))
        #expect(r.format == .lookupEvents)
        #expect(r.items.count == 5)
        #expect(r.records.count == 2)
        #expect(r.records[0] == sampleRecord(0))
        #expect(try JSONValue.parse(r.records[1]) == specialDecoded)
        #expect(r.records[1] == special)  // \u escapes inside the record survive a decode of the outer string
        #expect(r.problems.map(\.index) == [1, 2, 3])
        #expect(r.problems[0].reason == "event 1 has no string \"CloudTrailEvent\"")
        #expect(r.problems[1].reason == "event 2 has no string \"CloudTrailEvent\"")
        #expect(r.problems[2].reason == "event 3 is not a JSON object")
    }

    @Test func bareArrayOfLookupEventsAndEventsPerLine() throws {
        let dir = TempDir()
        let e0 = "{\"EventId\":\"1\",\"CloudTrailEvent\":\(quoted(sampleRecord(0)))}"
        let e1 = "{\"EventId\":\"2\",\"CloudTrailEvent\":\(quoted(sampleRecord(1)))}"
        let arr = try readAll(dir.write("arr.json", "[" + e0 + "," + e1 + "]"))
        #expect(arr.format == .lookupEvents)
        #expect(arr.records == [sampleRecord(0), sampleRecord(1)])
        let lines = try readAll(dir.write("lines.json", e0 + "\n" + e1 + "\n"))
        #expect(lines.format == .lookupEvents)
        #expect(lines.records == [sampleRecord(0), sampleRecord(1)])
    }

    @Test func invalidEnvelopeJSON() throws {
        let dir = TempDir()
        let text = "{\"Events\":[{\"CloudTrailEvent\":\(quoted(sampleRecord(0))), oops},{\"CloudTrailEvent\":\(quoted(sampleRecord(1)))}]}"
        let r = try readAll(dir.write("bad.json", text))
        #expect(r.records == [sampleRecord(1)])
        #expect(r.problems.count == 1)
        #expect(r.problems[0].reason.hasPrefix("event 0 is not valid JSON"))
    }
}

@Suite struct CloudWatchLogsTests {
    static func event(_ i: Int, message: String, stream: String? = "123456789012_CloudTrail_us-east-1") -> String {
        var parts = [String]()
        if let stream { parts.append("\"logStreamName\":\(quoted(stream))") }
        parts.append("\"timestamp\":\(1_700_000_000_000 + i)")
        parts.append("\"message\":\(quoted(message))")
        parts.append("\"ingestionTime\":\(1_700_000_000_500 + i)")
        parts.append("\"eventId\":\"\(i)\"")
        return "{" + parts.joined(separator: ",") + "}"
    }

    @Test func filterLogEventsOutput() throws {
        let dir = TempDir()
        let events = [
            Self.event(0, message: sampleRecord(0)),
            "{\"timestamp\":1,\"ingestionTime\":2}",
            Self.event(2, message: "plain text message", stream: nil),
        ]
        let text = "{\"events\":[" + events.joined(separator: ",") + "],\"searchedLogStreams\":[{\"logStreamName\":\"s\",\"searchedCompletely\":true}],\"nextToken\":\"n\"}"
        let r = try readAll(dir.write("fle.json", text))
        #expect(r.format == .cwlogs)
        #expect(r.items.count == 3)
        guard case .record(let t, 0, _, nil, let ts, let ing, let stream) = r.items[0] else {
            Issue.record("expected a record, got \(r.items[0])")
            return
        }
        #expect(t == sampleRecord(0))
        #expect(ts == 1_700_000_000_000)
        #expect(ing == 1_700_000_000_500)
        #expect(stream == "123456789012_CloudTrail_us-east-1")
        #expect(r.items[1].problem?.reason == "event 1 has no string \"message\"")
        #expect(r.items[2] == .record(text: "plain text message", index: 2, offset: r.items[2].offset, line: nil, timestamp: 1_700_000_000_002, ingestion: 1_700_000_000_502, stream: nil))
        // The CLI's default (pretty-printed) output reads the same.
        let pretty = try JSONValue.parse(text).jsonText(pretty: true)
        let pr = try readAll(dir.write("fle-pretty.json", pretty))
        #expect(pr.format == .cwlogs)
        #expect(pr.records == r.records)
        // get-log-events output has nextForwardToken/nextBackwardToken around the same array.
        let gle = "{\"nextBackwardToken\":\"b/1\",\"events\":[" + events[0] + "],\"nextForwardToken\":\"f/2\"}"
        #expect(try readAll(dir.write("gle.json", gle)).records == [sampleRecord(0)])
    }

    @Test func oneEventPerLineAndBareArray() throws {
        let dir = TempDir()
        let text = Self.event(0, message: sampleRecord(0)) + "\n" + "{\"timestamp\":1,\"message\":\n\n" + Self.event(1, message: sampleRecord(1)) + "\n"
        let r = try readAll(dir.write("events.jsonl", text))
        #expect(r.format == .cwlogs)
        #expect(r.records == [sampleRecord(0), sampleRecord(1)])
        #expect(r.problems.count == 1)
        #expect(r.problems[0].line == 2)
        #expect(r.problems[0].reason.hasPrefix("line 2 is not valid JSON"))
        let arr = try readAll(dir.write("events.json", "[" + Self.event(0, message: sampleRecord(0)) + "," + Self.event(1, message: "m") + "]"))
        #expect(arr.format == .cwlogs)
        #expect(arr.records == [sampleRecord(0), "m"])
    }

    @Test func exportLines() throws {
        let dir = TempDir()
        let text = """
            2024-01-02T03:04:05.678Z \(sampleRecord(0))
            2024-13-02T03:04:05.678Z \(sampleRecord(1))
            no timestamp here

            2024-01-02T03:04:06Z plain message with spaces
            """
        let path = dir.write("000000.gz", gzip(text))
        let r = try readAll(path)
        #expect(r.format == .cwlogs)
        #expect(r.items.count == 4)
        #expect(r.items[0] == .record(text: sampleRecord(0), index: 0, offset: 0, line: 1, timestamp: 1_704_164_645_678, ingestion: nil, stream: nil))
        #expect(r.items[1].problem?.reason == "line 2 does not start with a valid ISO-8601 timestamp")
        #expect(r.items[2].problem?.line == 3)
        #expect(r.items[3].text == "plain message with spaces")
        #expect(try readAll(path, format: .cwlogs).items == r.items)
    }
}

@Suite struct DamagedInputTests {
    static func records(_ n: Int) -> [String] { (0..<n).map { sampleRecord($0) } }

    @Test func truncatedGzipEmitsGoodRecordsThenTheProblem() throws {
        let dir = TempDir()
        let recs = Self.records(600)
        let text = "{\"Records\":[" + recs.joined(separator: ",") + "]}"
        let gz = gzip(text)
        let cut = Array(gz.prefix(gz.count * 6 / 10))
        let r = try readAll(dir.write("cut.json.gz", cut))
        let p = try #require(r.items.last?.problem)
        #expect(p.reason.hasPrefix("truncated gzip stream after "))
        #expect(p.reason == "truncated gzip stream after \(r.decoded) bytes")
        #expect(p.offset == r.decoded)
        #expect(r.problems.count == 1)
        #expect(r.records.count > 100)
        #expect(r.records == Array(recs.prefix(r.records.count)))
        // Everything complete before the cut was emitted; the partial record is the excerpt.
        let prefix = Array(text.utf8.prefix(r.decoded))
        let emittedThrough = "{\"Records\":[".utf8.count + recs.prefix(r.records.count).map { $0.utf8.count + 1 }.reduce(0, +)
        #expect(r.decoded - emittedThrough < sampleRecord(0).utf8.count + 10)
        #expect(p.excerpt == Array(prefix[emittedThrough...].prefix(RecordProblem.maxExcerpt)))
        // The same for lines: the cut line is not a record.
        let lines = recs.joined(separator: "\n") + "\n"
        let lgz = gzip(lines)
        let lr = try readAll(dir.write("cut.ndjson.gz", Array(lgz.prefix(lgz.count / 2))))
        #expect(lr.items.last?.problem?.reason.hasPrefix("truncated gzip stream") == true)
        #expect(lr.records == Array(recs.prefix(lr.records.count)))
    }

    @Test func corruptGzip() throws {
        let dir = TempDir()
        let recs = Self.records(600)
        var gz = gzip("{\"Records\":[" + recs.joined(separator: ",") + "]}")
        for k in stride(from: gz.count / 2, to: gz.count / 2 + 64, by: 1) { gz[k] ^= 0x5A }
        let r = try readAll(dir.write("corrupt.json.gz", gz))
        // zlib may decode some garbage before it notices; the splitter may trip over that
        // first, but zlib's verdict always comes last.
        let p = try #require(r.items.last?.problem)
        #expect(p.reason.hasPrefix("invalid gzip data: "))
        #expect(p.offset == r.decoded)
        #expect(r.problems.count <= 3)
        #expect(r.records.count > 100)
        #expect(Array(r.records.prefix(100)) == Array(recs.prefix(100)))
        // Garbage right after the header.
        let bad: [UInt8] = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let b = try readAll(dir.write("bad.gz", bad))
        #expect(b.items.count == 1)
        #expect(b.problems.first?.reason.hasPrefix("invalid gzip data") == true)
        // Data that is not gzip after a member.
        let trailing = try readAll(dir.write("trailing.json.gz", gzip("[" + recs[0] + "]") + Array("junk".utf8)))
        #expect(trailing.records == [recs[0]])
        #expect(trailing.problems.count == 1)
        #expect(trailing.problems[0].reason.contains("after the end of a gzip member"))
    }

    @Test func binaryGarbage() throws {
        let dir = TempDir()
        var rng = SystemRandomNumberGenerator()
        var bytes: [UInt8] = [0x00, 0xFF, 0x13, 0x37]
        for _ in 0..<10_000 { bytes.append(UInt8.random(in: 0...255, using: &rng)) }
        let r = try readAll(dir.write("garbage.bin", bytes))
        #expect(r.items.count == 1)
        let p = try #require(r.problems.first)
        #expect(p.reason.hasPrefix("unrecognised input format: starts with \"\\x00\\xff\\x137"))
        #expect(p.excerpt.count == RecordProblem.maxExcerpt)
        #expect(r.format != .auto)
        let text = try readAll(dir.write("garbage.txt", "hello world\n{\"Records\":[]}"))
        #expect(text.problems.map(\.reason) == ["unrecognised input format: starts with \"hello world\\n{\\\"Records\\\":[]}\""])
    }

    @Test func emptyFiles() throws {
        let dir = TempDir()
        for (name, bytes) in [("empty.json", [UInt8]()), ("blank.json", Array(" \n\t\r\n".utf8)), ("empty.json.gz", GzipEncoder.compress([])), ("bom.json", [0xEF, 0xBB, 0xBF, 0x0A])] {
            for format in [InputFormat.auto, .cloudtrail, .ndjson] {
                let r = try readAll(dir.write(name, bytes), format: format)
                #expect(r.items == [.problem(RecordProblem(offset: 0, reason: "empty file"))], "\(name) as \(format)")
                #expect(r.format != .auto)
            }
        }
    }

    @Test func veryLongLinesAreSkippedNotBuffered() throws {
        let dir = TempDir()
        var bytes = Array(sampleRecord(0).utf8) + [0x0A]
        bytes += [UInt8](repeating: 0x41, count: RecordReader.maxRecordBytes + 300_000)
        bytes += [0x0A] + Array(sampleRecord(1).utf8)
        let r = try readAll(dir.write("long.ndjson", bytes), format: .ndjson)
        #expect(r.records == [sampleRecord(0), sampleRecord(1)])
        #expect(r.problems.count == 1)
        #expect(r.problems[0].line == 2)
        #expect(r.highWater < RecordReader.maxRecordBytes * 2 + 1_000_000)
    }
}

extension Got {
    var offset: Int { if case .record(_, _, let o, _, _, _, _) = self { return o }; return -1 }
}
