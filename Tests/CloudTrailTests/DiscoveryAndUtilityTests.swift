import Foundation
import TestSupport
import Testing
import TrailJSON

@testable import CloudTrail

@Suite struct DiscoveryTests {
    @Test func walksTreesSortedAndSeparatesDigests() throws {
        let dir = TempDir()
        let base = "AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/02/"
        dir.write(base + "123456789012_CloudTrail_us-east-1_20240102T0005Z_b.json.gz", [0x1F, 0x8B])
        dir.write(base + "123456789012_CloudTrail_us-east-1_20240102T0000Z_a.json", "{}")
        dir.write(base + "README.txt", "x")
        dir.write(base + ".hidden.json", "{}")
        dir.write(".git/config.json", "{}")
        dir.write("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/02/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240102T010000Z.json.gz", [0x1F, 0x8B])
        dir.write("AWSLogs/other/x_CloudTrail-Digest_y.json", "{}")
        dir.write("exports/000000.gz", [0x1F, 0x8B])
        dir.write("exports/events.jsonl", "")
        dir.write("exports/events.NDJSON", "")
        dir.write("exports/app.log", "")
        let explicitOdd = dir.write("notes.txt", "{}")
        let explicitDigest = dir.write("d/123_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T000000Z.json.gz", [0x1F, 0x8B])

        let d = try InputDiscovery.discover([dir.url.path, explicitOdd, explicitDigest])
        let root = dir.url.path + "/"
        #expect(d.files.map { String($0.path.dropFirst(root.count)) } == [
            base + "123456789012_CloudTrail_us-east-1_20240102T0000Z_a.json",
            base + "123456789012_CloudTrail_us-east-1_20240102T0005Z_b.json.gz",
            "exports/000000.gz",
            "exports/app.log",
            "exports/events.NDJSON",
            "exports/events.jsonl",
            "notes.txt",  // named explicitly: taken whatever its extension (and not twice)
        ])
        #expect(d.files[0].size == 2)
        #expect(d.digestFiles.map { String($0.dropFirst(root.count)) } == [
            "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/02/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240102T010000Z.json.gz",
            "AWSLogs/other/x_CloudTrail-Digest_y.json",
            "d/123_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T000000Z.json.gz",
        ])
        #expect(d.ignored.map { String($0.dropFirst(root.count)) } == [base + "README.txt", "notes.txt"])
        // Discovery is deterministic.
        let again = try InputDiscovery.discover([dir.url.path, explicitOdd, explicitDigest])
        #expect(again.files == d.files)
    }

    @Test func bucketRootTakesOnlyTheAWSLogsTree() throws {
        let dir = TempDir()
        dir.write("AWSLogs/1/CloudTrail/us-east-1/2024/01/02/a.json.gz", [0x1F, 0x8B])
        dir.write("labels.json", "{}")
        dir.write("plain/labels.json", "{}")
        let d = try InputDiscovery.discover([dir.url.path])
        let root = dir.url.path + "/"
        #expect(d.files.map { String($0.path.dropFirst(root.count)) } == ["AWSLogs/1/CloudTrail/us-east-1/2024/01/02/a.json.gz", "plain/labels.json"])
        #expect(d.ignored.map { String($0.dropFirst(root.count)) } == ["labels.json"])
    }

    @Test func explicitFileWithAnyExtensionAndStdin() throws {
        let dir = TempDir()
        let f = dir.write("trail.txt", "{}")
        let d = try InputDiscovery.discover([f, "-"])
        #expect(d.files == [InputFile(path: f, size: 2), InputFile(path: "-", size: -1)])
        #expect(d.ignored.isEmpty)
    }

    @Test func missingPathIsAnError() throws {
        let dir = TempDir()
        let missing = dir.path("nope/nothing.json")
        #expect(throws: InputError(path: missing, reason: "no such file or directory")) {
            try InputDiscovery.discover([missing])
        }
        #expect(InputError(path: "x", reason: "y").description == "x: y")
    }

    @Test func readerOpenErrors() throws {
        let dir = TempDir()
        let missing = dir.path("missing.json")
        #expect(throws: InputError(path: missing, reason: "no such file or directory")) { try RecordReader(path: missing) }
        #expect(throws: InputError(path: dir.url.path, reason: "is a directory")) { try RecordReader(path: dir.url.path) }
    }

    /// stdin shares every code path after `open(2)`; this checks the "-" path opens without
    /// touching the file system (reading the test runner's stdin would block or be empty).
    @Test func stdinPathOpens() throws {
        let reader = try RecordReader(path: "-", format: .ndjson)
        #expect(reader.path == "-")
        #expect(reader.compressedBytesRead == 0)
    }
}

@Suite struct ISO8601Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2024-02-29T12:34:56Z", 1_709_210_096_000),
        ("2014-03-06T21:22:54Z", 1_394_140_974_000),
        ("2014-03-06T21:22:54.1Z", 1_394_140_974_100),
        ("2014-03-06T21:22:54.123Z", 1_394_140_974_123),
        ("2014-03-06T21:22:54.123999999Z", 1_394_140_974_123),
        ("2021-11-18T09:41:02-08:00", 1_637_257_262_000),
        ("2021-11-18T19:11:02+01:30", 1_637_257_262_000),
        ("2000-01-01T00:00:00+00:00", 946_684_800_000),
        ("1999-12-31T23:59:59.999Z", 946_684_799_999),
        ("1969-12-31T23:59:59.999Z", -1),
        ("9999-12-31T23:59:59Z", 253_402_300_799_000),
        ("0000-01-01T00:00:00Z", -62_167_219_200_000),
    ])
    func parses(text: String, millis: Int64) {
        #expect(ISO8601.parseMillis(text) == millis)
    }

    @Test(arguments: [
        "", "2024", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z",
        "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-00T00:00:00Z",
        "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01t00:00:00Z",
        "2024-01-01T00:00:00z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00ZZ",
        "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00+01:60", "2024-1-01T00:00:00Z",
        "2024-01-01T00:00:00Z ", " 2024-01-01T00:00:00Z", "20x4-01-01T00:00:00Z", "2024/01/01T00:00:00Z",
        "2024-01-01T00:00:00.123", "2024-01-01T00:00:00+01:00:00",
    ])
    func rejects(text: String) {
        #expect(ISO8601.parseMillis(text) == nil)
    }

    @Test func formats() {
        #expect(ISO8601.format(millis: 0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601.format(millis: 1500) == "1970-01-01T00:00:01.500Z")
        #expect(ISO8601.format(millis: -1) == "1969-12-31T23:59:59.999Z")
        #expect(ISO8601.format(millis: 1_709_210_096_000) == "2024-02-29T12:34:56Z")
        #expect(ISO8601.format(millis: 1_394_140_974_007) == "2014-03-06T21:22:54.007Z")
    }

    @Test func roundTrips() {
        var rng = SplitMix(seed: 42)
        for _ in 0..<20_000 {
            let millis = Int64(bitPattern: rng.next() % 253_402_300_800_000)
            let whole = millis / 1000 * 1000
            for m in [millis, whole] {
                let text = ISO8601.format(millis: m)
                #expect(ISO8601.parseMillis(text) == m, "\(m) → \(text)")
            }
        }
        // Every day of a leap and a common year, month lengths included.
        var day: Int64 = 19_358  // 2023-01-01
        while day < 19_358 + 731 {
            let text = ISO8601.format(millis: day * 86_400_000)
            #expect(ISO8601.parseMillis(text) == day * 86_400_000)
            day += 1
        }
    }
}

@Suite struct GzipTests {
    @Test func roundTripAndMembers() throws {
        let text = Array(String(repeating: sampleRecord(1), count: 200).utf8)
        let gz = GzipEncoder.compress(text)
        #expect(gz.count < text.count / 5)
        #expect(try GzipDecoder.decompress(gz) == text)
        #expect(try GzipDecoder.decompress(gz + gz) == text + text)
        #expect(try GzipDecoder.decompress(GzipEncoder.compress([])) == [])
    }

    @Test func truncationAndCorruption() throws {
        let text = Array(String(repeating: sampleRecord(2), count: 200).utf8)
        let gz = GzipEncoder.compress(text)
        #expect {
            try GzipDecoder.decompress(Array(gz.dropLast(1)))
        } throws: { e in
            (e as? GzipError)?.kind == .truncated
        }
        var bad = gz
        bad[bad.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        #expect {
            try GzipDecoder.decompress(bad)
        } throws: { e in
            (e as? GzipError).map { $0.kind == .invalidData("incorrect data check") && $0.decodedOffset == text.count } ?? false
        }
    }

    @Test func streamingEncoderMatchesOneShot() throws {
        let text = Array(String(repeating: sampleRecord(3), count: 300).utf8)
        let enc = GzipEncoder(level: 1)
        var out = [UInt8]()
        for chunk in stride(from: 0, to: text.count, by: 10_000) {
            enc.compress(Array(text[chunk..<min(text.count, chunk + 10_000)]), into: &out)
        }
        enc.finish(into: &out)
        #expect(try GzipDecoder.decompress(out) == text)
    }
}

@Suite struct MemoryTests {
    /// ~50 MB of decoded records, gzip'd as it is generated, read back while the split buffer
    /// stays at its initial size: memory follows the record size, not the file size.
    @Test func bufferStaysSmallForLargeFiles() throws {
        let dir = TempDir()
        let path = dir.path("big.json.gz")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let enc = GzipEncoder(level: 1)
        var out = [UInt8]()
        var decoded = 0
        var count = 0
        var chunk = Array("{\"Records\":[".utf8)
        while decoded < 50_000_000 {
            if count > 0 { chunk.append(0x2C) }
            chunk += Array(sampleRecord(count, padding: count % 1000).utf8)
            count += 1
            if chunk.count > 1 << 20 {
                decoded += chunk.count
                enc.compress(chunk, into: &out)
                chunk.removeAll(keepingCapacity: true)
                handle.write(Data(out))
                out.removeAll(keepingCapacity: true)
            }
        }
        chunk += Array("]}".utf8)
        decoded += chunk.count
        enc.compress(chunk, into: &out)
        enc.finish(into: &out)
        handle.write(Data(out))
        try handle.close()

        let reader = try RecordReader(path: path)
        var seen = 0
        var problems = 0
        while let item = reader.next() {
            switch item {
            case .record(let r):
                if seen % 10_000 == 0 { #expect(r.bytes == Array(sampleRecord(seen, padding: seen % 1000).utf8)) }
                seen += 1
            case .problem: problems += 1
            }
        }
        #expect(seen == count)
        #expect(problems == 0)
        #expect(reader.decodedBytes == decoded)
        #expect(reader.bufferHighWater < 1 << 20)
    }
}
