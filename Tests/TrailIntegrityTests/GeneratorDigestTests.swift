import CloudTrail
import Foundation
import Testing
import TrailGenerator
import TrailIntegrity
import TrailJSON

/// `generate --digests`: the real layout, a proper chain, and log files left untouched.
@Suite struct GeneratorDigestTests {
    @Test func digestsLeaveLogFilesByteIdentical() throws {
        var plain = MemorySink()
        _ = try TrailGenerator(config: chainConfig).generate(into: &plain)
        let logs = pristine.objects.filter { !$0.key.contains("CloudTrail-Digest") && !$0.key.hasPrefix("keys/") }
        #expect(logs.count == plain.objects.count)
        #expect(plain.objects.allSatisfy { logs[$0.path] == $0.contents })
    }

    @Test func sameKeyGivesIdenticalDigests() throws {
        let again = try Trail.generate()
        #expect(again.objects == pristine.objects)
        let other = try Trail.generate(key: strangerKey)
        let digest = try pristine.digest(endingAt: "05")
        #expect(other.objects[digest] != pristine.objects[digest])
    }

    @Test func layoutAndChainFollowCloudTrail() throws {
        let paths = pristine.digestPaths
        #expect(paths.count == 50)
        let pattern = #"^AWSLogs/(\d{12})/CloudTrail-Digest/(us-east-1|eu-west-1)/2026/10/0[12]/\1_CloudTrail-Digest_\2_management-events_us-east-1_2026100[12]T\d{2}0000Z\.json\.gz$"#
        for p in paths {
            #expect(p.range(of: pattern, options: .regularExpression) != nil, "\(p)")
            #expect(pristine.objects[p + ".sig"].map { String(decoding: $0, as: UTF8.self).count } == 513)  // 256 bytes hex + newline
        }
        #expect(pristine.objects["keys/digest-signing-key-\(trailKey.fingerprint).public.pem"].map { String(decoding: $0, as: UTF8.self) }
            == trailKey.publicKey.pemRepresentation)

        let east = paths.filter { $0.contains("_us-east-1_management") }
        var previous: (key: String, json: [UInt8])?
        var listed: [String] = []
        for p in east {
            let json = try pristine.digestJSON(p)
            let d = try DigestFile.parse(json)
            #expect(d.digestS3Object == p && d.digestS3Bucket == "trailwatch-synthetic-trail")
            #expect(d.digestPublicKeyFingerprint == trailKey.fingerprint && d.digestSignatureAlgorithm == "SHA256withRSA")
            #expect(d.endSeconds - d.startSeconds == 3600)
            #expect(d.jsonText() == String(decoding: json, as: UTF8.self))
            if let previous {
                #expect(d.previousDigestS3Object == previous.key)
                #expect(d.previousDigestHashValue == IntegrityHash.sha256Hex(previous.json))
                #expect(d.previousDigestSignature == String(decoding: pristine.objects[previous.key + ".sig"]!, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            } else {
                #expect(d.previousDigestS3Object == nil && d.previousDigestHashValue == nil && d.previousDigestSignature == nil)
            }
            for f in d.logFiles {
                let delivered = try #require(ISO8601.parseMillis(String(f.s3Object.split(separator: "_")[3]).replacingOccurrences(
                    of: #"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$"#, with: "$1-$2-$3T$4:$5:00Z", options: .regularExpression)))
                #expect((d.startSeconds * 1000..<d.endSeconds * 1000).contains(delivered), "\(f.s3Object) in \(p)")
                #expect(f.hashValue == Hex.string(try IntegrityHash.sha256OfUncompressed(pristine.objects[f.s3Object]!)))
                #expect(f.oldestEventTime! <= f.newestEventTime!)
            }
            if d.logFiles.isEmpty { #expect(d.newestEventTime == nil && d.oldestEventTime == nil) }
            listed += d.logFiles.map(\.s3Object)
            previous = (p, json)
        }
        #expect(listed.sorted() == pristine.logPaths.filter { $0.contains("/CloudTrail/us-east-1/") })
    }

    @Test func eventTimesInDigestsMatchTheRecords() throws {
        let d = try DigestFile.parse(try pristine.digestJSON(try pristine.digest(endingAt: "15")))
        let entry = try #require(d.logFiles.first)
        let records = try #require(JSONValue.parse(try GzipDecoder.decompress(pristine.objects[entry.s3Object]!))["Records"]?.arrayValue)
        let times = records.compactMap { $0["eventTime"]?.stringValue }.sorted()
        #expect(entry.oldestEventTime == times.first && entry.newestEventTime == times.last)
    }

    @Test func directoryRoundTripReportsDiskPaths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-verify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let summary = try TrailGenerator(config: chainConfig).generate(toDirectory: dir, digests: DigestOptions(signer: signer(trailKey)))
        #expect(summary.digestFiles == 50 && summary.publicKeyPath == "keys/digest-signing-key-\(trailKey.fingerprint).public.pem")
        let labels = try JSONValue.parse(Array(try #require(FileManager.default.contents(atPath: dir + "/labels.json"))))
        #expect(labels["generator"]?["digests"]?["files"] == 50)

        let keys = try DigestPublicKey.load(file: dir + "/" + summary.publicKeyPath!)
        let clean = try IntegrityVerifier.verify(root: dir, options: VerifyOptions(publicKeys: keys))
        #expect(clean.problems.isEmpty, "\(kinds(clean))")
        #expect(clean.digestCount == 50 && clean.validLogFiles == summary.files)

        let victim = dir + "/" + (try pristine.logFile(region: "eu-west-1", hour: "14"))
        try FileManager.default.removeItem(atPath: victim)
        let r = try IntegrityVerifier.verify(root: dir + "/", options: VerifyOptions(publicKeys: keys))
        #expect(kinds(r).map { $0.replacingOccurrences(of: "//", with: "/") } == ["logFileMissing \(victim)"])

        #expect(throws: IntegrityError.self) { try IntegrityVerifier.verify(root: dir + "/absent") }
    }
}
