import CloudTrail
import Foundation
import Testing
import TrailGenerator
import TrailIntegrity
import _CryptoExtras

/// Throwaway keys, made once per test process (RSA key generation is the slow part).
let trailKey = DigestSigningKey(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
let strangerKey = DigestSigningKey(try! _RSA.Signing.PrivateKey(keySize: .bits2048))

func signer(_ key: DigestSigningKey) -> DigestSigner {
    DigestSigner(fingerprint: key.fingerprint, publicKeyPEM: key.publicKey.pemRepresentation,
                 sha256: { IntegrityHash.sha256($0) }, sign: { try key.sign($0) })
}

/// One day, two regions, one account: 2 × 25 hourly digests and a few hundred log files.
let chainConfig = GeneratorConfig(days: 1, eventsPerDay: 300, seed: 11, accounts: 1, regions: ["us-east-1", "eu-west-1"], anomalies: .none)

/// A generated trail as objects in memory, to tamper with.
struct Trail {
    var objects: [String: [UInt8]]

    static func generate(_ config: GeneratorConfig = chainConfig, key: DigestSigningKey = trailKey) throws -> Trail {
        var sink = MemorySink()
        _ = try TrailGenerator(config: config).generate(into: &sink, digests: DigestOptions(signer: signer(key)))
        return Trail(objects: Dictionary(uniqueKeysWithValues: sink.objects.map { ($0.path, $0.contents) }))
    }

    var list: [(path: String, contents: [UInt8])] { objects.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    func verify(_ options: VerifyOptions = VerifyOptions()) -> VerificationReport {
        IntegrityVerifier.verify(objects: list, options: options)
    }

    var logPaths: [String] { objects.keys.filter { $0.contains("/CloudTrail/") }.sorted() }
    var digestPaths: [String] { objects.keys.filter { $0.contains("/CloudTrail-Digest/") && $0.hasSuffix(".json.gz") }.sorted() }

    /// The first log file of `region` delivered in the hour `hh` (`"10"`).
    func logFile(region: String = "us-east-1", hour hh: String) throws -> String {
        try #require(logPaths.first { $0.contains("/CloudTrail/\(region)/") && $0.contains("_20261001T\(hh)") })
    }

    /// The digest of `region` ending at `hh`:00:00 on the first day.
    func digest(region: String = "us-east-1", endingAt hh: String) throws -> String {
        try #require(digestPaths.first { $0.contains("CloudTrail-Digest_\(region)_") && $0.hasSuffix("20261001T\(hh)0000Z.json.gz") })
    }

    func digestJSON(_ path: String) throws -> [UInt8] { try GzipDecoder.decompress(objects[path]!) }

    /// Rewrites a digest's JSON and gzips it again (the sidecar stays as it was).
    mutating func editDigest(_ path: String, _ edit: (inout DigestFile) -> Void) throws {
        var file = try DigestFile.parse(try digestJSON(path))
        edit(&file)
        objects[path] = GzipEncoder.compress(Array(file.jsonText().utf8))
    }

    /// Re-chains and re-signs every digest of `region` after edits, as someone holding the
    /// private key could: the chain is then valid again.
    mutating func resign(region: String, key: DigestSigningKey = trailKey) throws {
        var previous: (hash: String, signature: String)?
        for path in digestPaths where path.contains("CloudTrail-Digest_\(region)_") {
            var file = try DigestFile.parse(try digestJSON(path))
            if file.previousDigestS3Object != nil, let previous {
                file.previousDigestHashValue = previous.hash
                file.previousDigestSignature = previous.signature
            }
            let json = Array(file.jsonText().utf8)
            let signature = Hex.string(try key.sign(Array(DigestSigningString.make(file, uncompressedContent: json).utf8)))
            objects[path] = GzipEncoder.compress(json)
            objects[path + ".sig"] = Array(signature.utf8)
            previous = (IntegrityHash.sha256Hex(json), signature)
        }
    }

    /// Rewrites a log file's JSON text and gzips it again.
    mutating func editLog(_ path: String, _ edit: (String) -> String) throws {
        let text = String(decoding: try GzipDecoder.decompress(objects[path]!), as: UTF8.self)
        let changed = edit(text)
        #expect(changed != text, "the edit must change \(path)")
        objects[path] = GzipEncoder.compress(Array(changed.utf8))
    }
}

/// Shared pristine trail (tests copy it before tampering: `var t = pristine`).
let pristine: Trail = try! Trail.generate()

let withKey = VerifyOptions(publicKeys: [trailKey.publicKey])

/// The problems as (kind, path) pairs, the way the tests state expectations.
func kinds(_ report: VerificationReport) -> [String] {
    report.problems.map { "\($0.kind.rawValue) \($0.path)" }
}
