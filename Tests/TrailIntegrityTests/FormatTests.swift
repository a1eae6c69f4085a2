import CloudTrail
import Foundation
import Testing
import TrailIntegrity
import _CryptoExtras

/// The digest format, the signing string and key fingerprints, checked on values from the
/// CloudTrail User Guide.
@Suite struct FormatTests {
    /// The sample digest of "CloudTrail digest file structure" (log entry and signatures shortened).
    static let sample = #"""
        {"awsAccountId":"111122223333","digestStartTime":"2015-08-17T14:01:31Z","digestEndTime":"2015-08-17T15:01:31Z",
         "digestS3Bucket":"amzn-s3-demo-bucket",
         "digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz",
         "digestPublicKeyFingerprint":"31e8b5433410dfb61a9dc45cc65b22ff","digestSignatureAlgorithm":"SHA256withRSA",
         "newestEventTime":"2015-08-17T14:52:27Z","oldestEventTime":"2015-08-17T14:42:27Z",
         "previousDigestS3Bucket":"amzn-s3-demo-bucket",
         "previousDigestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz",
         "previousDigestHashValue":"97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d",
         "previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"50887ccffad4c002b97caa37cc9dc626",
         "logFiles":[{"s3Bucket":"amzn-s3-demo-bucket",
           "s3Object":"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz",
           "hashValue":"9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6","hashAlgorithm":"SHA-256",
           "newestEventTime":"2015-08-17T14:52:27Z","oldestEventTime":"2015-08-17T14:42:27Z"}]}
        """#

    @Test func parsesTheUserGuideSample() throws {
        let d = try DigestFile.parse(Array(Self.sample.utf8))
        #expect(d.awsAccountId == "111122223333")
        #expect(d.digestEndTime == "2015-08-17T15:01:31Z" && d.endSeconds - d.startSeconds == 3600)
        #expect(d.digestPublicKeyFingerprint == "31e8b5433410dfb61a9dc45cc65b22ff")
        #expect(d.previousDigestHashAlgorithm == "SHA-256")
        #expect(d.logFiles.count == 1 && d.logFiles[0].hashValue.hasPrefix("9bb6196f"))
        #expect(try DigestFile.parse(Array(d.jsonText().utf8)) == d)
    }

    @Test func startingDigestHasNullPreviousFields() throws {
        let start = Self.sample.replacingOccurrences(of: #""previousDigestS3Bucket":"amzn-s3-demo-bucket""#, with: #""previousDigestS3Bucket":null"#)
            .replacingOccurrences(of: #""previousDigestSignature":"50887ccffad4c002b97caa37cc9dc626""#, with: #""previousDigestSignature":null"#)
        let d = try DigestFile.parse(Array(start.utf8))
        #expect(d.previousDigestS3Bucket == nil && d.previousDigestSignature == nil)
    }

    @Test func rejectsDigestsWithoutRequiredFields() {
        for field in ["digestEndTime", "digestS3Object", "digestPublicKeyFingerprint", "previousDigestSignature", "logFiles"] {
            let broken = Self.sample.replacingOccurrences(of: "\"\(field)\"", with: "\"x\(field)\"")
            #expect(throws: DigestFormatError("missing \(field)")) { try DigestFile.parse(Array(broken.utf8)) }
        }
        #expect(throws: DigestFormatError.self) { try DigestFile.parse(Array("[]".utf8)) }
        let badTime = Self.sample.replacingOccurrences(of: "2015-08-17T15:01:31Z", with: "yesterday")
        #expect(throws: DigestFormatError("digestEndTime is not a UTC timestamp: \"yesterday\"")) { try DigestFile.parse(Array(badTime.utf8)) }
    }

    /// The format of "Recreate the data signing string", with a starting digest's `null`.
    @Test func signingStringIsTheDocumentedFourLines() throws {
        let content = Array(Self.sample.utf8)
        let d = try DigestFile.parse(content)
        let s = DigestSigningString.make(d, uncompressedContent: content)
        #expect(s == "2015-08-17T15:01:31Z\namzn-s3-demo-bucket/\(d.digestS3Object)\n\(IntegrityHash.sha256Hex(content))\n50887ccffad4c002b97caa37cc9dc626")
        let first = DigestSigningString.make(digestEndTime: "2015-08-12T04:01:31Z", digestS3Bucket: "b", digestS3Object: "k",
                                             digestContentSHA256Hex: "00", previousDigestSignature: nil)
        #expect(first == "2015-08-12T04:01:31Z\nb/k\n00\nnull")
    }

    /// `list-public-keys` sample of the User Guide ("Custom implementations…"): the fingerprint is
    /// the MD5 of the DER value, PKCS #1 or SubjectPublicKeyInfo as given.
    @Test func fingerprintsMatchTheUserGuideKeys() throws {
        let json = """
            {"PublicKeyList": [
              {"Value": "MIIBCgKCAQEAn11L2YZ9h7onug2ILi1MWyHiMRsTQjfWE+pHVRLk1QjfWhirG+lpOa8NrwQ/r7Ah5bNL6HepznOU9XTDSfmmnP97mqyc7z/upfZdS/AHhYcGaz7n6Wc/RRBU6VmiPCrAUojuSk6/GjvA8iOPFsYDuBtviXarvuLPlrT9kAd4Lb+rFfR5peEgBEkhlzc5HuWO7S0y+KunqxX6jQBnXGMtxmPBPP0FylgWGNdFtks/4YSKcgqwH0YDcawP9GGGDAeCIqPWIXDLG1jOjRRzWfCmD0iJUkz8vTsn4hq/5ZxRFE7UBAUiVcGbdnDdvVfhF9C3dQiDq3k7adQIziLT0cShgQIDAQAB"},
              {"Value": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqlzPJbvZJ42UdcmLfPUqXYNfOs6I8lCfao/tOs8CmzPOEdtLWugB9xoIUz78qVHdKIqxbaG4jWHfJBiOSSFBM0lt8cdVo4TnRa7oG9io5pysS6DJhBBAeXsicufsiFJR+wrUNh8RSLxL4k6G1+BhLX20tJkZ/erT97tDGBujAelqseGg3vPZbTx9SMfOLN65PdLFudLP7Gat0Z9p5jw/rjpclKfo9Bfc3heeBxWGKwBBOKnFAaN9V57pOaosCvPKmHd9bg7jsQkI9Xp22IzGLsTFJZYVA3KiTAElDMu80iFXPHEq9hKNbt9e4URFam+1utKVEiLkR2disdCmPTK0VQIDAQAB"}
            ]}
            """
        let keys = try DigestPublicKey.parse(json, source: "sample")
        #expect(keys.count == 2)
        #expect(keys[0].fingerprint == "8eba5db5bea9b640d1c96a77256fe7f2")
        #expect(keys[1].fingerprints.contains("31e8b5433410dfb61a9dc45cc65b22ff"))
    }

    @Test func publicKeysLoadFromPEMEitherWayAndBareBase64() throws {
        let pkcs1 = trailKey.publicKey.pemRepresentation
        #expect(pkcs1.hasPrefix("-----BEGIN RSA PUBLIC KEY-----"))
        let spki = try _RSA.Signing.PublicKey(pemRepresentation: pkcs1).pemRepresentation
        #expect(spki.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let base64 = pkcs1.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        for text in [pkcs1, spki, base64, spki + "\n" + strangerKey.publicKey.pemRepresentation] {
            let keys = try DigestPublicKey.parse(text, source: "t")
            #expect(keys[0].fingerprint == trailKey.fingerprint)
            #expect(keys[0].fingerprints.contains(trailKey.fingerprint))
        }
        #expect(try DigestPublicKey.parse(spki + strangerKey.publicKey.pemRepresentation, source: "t").count == 2)
        #expect(throws: IntegrityError.self) { try DigestPublicKey.parse(trailKey.pemRepresentation, source: "private.pem") }
        #expect(throws: IntegrityError.self) { try DigestPublicKey.parse("hello", source: "junk") }
    }

    @Test func signingKeyRoundTripsThroughPEMAndSignsDeterministically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try trailKey.pemRepresentation.write(toFile: dir + "/k.pem", atomically: false, encoding: .utf8)
        let loaded = try DigestSigningKey.load(file: dir + "/k.pem")
        #expect(loaded.fingerprint == trailKey.fingerprint)
        let message = Array("2026-10-01T01:00:00Z\nb/k\n00\nnull".utf8)
        #expect(try loaded.sign(message) == trailKey.sign(message))
        #expect(trailKey.publicKey.isValidSignature(try loaded.sign(message), for: message))
        #expect(!strangerKey.publicKey.isValidSignature(try loaded.sign(message), for: message))
        #expect {
            _ = try DigestSigningKey.load(file: dir + "/absent.pem")
        } throws: { "\($0)".contains(dir + "/absent.pem") }
    }

    @Test func uncompressedHashIgnoresCompression() throws {
        let text = Array(String(repeating: #"{"Records":[]}"#, count: 1000).utf8)
        let fast = GzipEncoder.compress(text, level: 1), best = GzipEncoder.compress(text, level: 9)
        #expect(fast != best)
        #expect(try IntegrityHash.sha256OfUncompressed(fast) == IntegrityHash.sha256(text))
        #expect(try IntegrityHash.sha256OfUncompressed(best) == IntegrityHash.sha256(text))
        #expect(try IntegrityHash.sha256OfUncompressed(text) == IntegrityHash.sha256(text))
        #expect(throws: GzipError.self) { try IntegrityHash.sha256OfUncompressed(Array(fast.dropLast(12))) }
        #expect(IntegrityHash.bytes(hex: "00ffA0") == [0, 255, 160] && IntegrityHash.bytes(hex: "0g") == nil)
    }

    @Test func signaturesFileAcceptsPathsKeysAndNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-sigs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"s3://b/AWSLogs/1/CloudTrail-Digest/r/x.json.gz": "ab01"}"#.write(toFile: dir + "/s.json", atomically: false, encoding: .utf8)
        #expect(try VerifyOptions.loadSignatures(file: dir + "/s.json") == ["s3://b/AWSLogs/1/CloudTrail-Digest/r/x.json.gz": "ab01"])
        try #"{"x.json.gz": "not hex"}"#.write(toFile: dir + "/bad.json", atomically: false, encoding: .utf8)
        #expect {
            _ = try VerifyOptions.loadSignatures(file: dir + "/bad.json")
        } throws: { "\($0)".contains("bad.json") && "\($0)".contains("x.json.gz") }
    }
}
