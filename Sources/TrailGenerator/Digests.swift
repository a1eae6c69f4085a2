import CloudTrail
import TrailJSON

/// Hashing and signing for digest files. The caller supplies them (TrailIntegrity's
/// `DigestSigningKey` has everything needed) so the generator links no cryptography.
public struct DigestSigner: Sendable {
    /// `digestPublicKeyFingerprint`: hex MD5 of the PKCS #1 DER public key, as `ListPublicKeys` reports it.
    public var fingerprint: String
    /// Written to `keys/` so the trail can be checked.
    public var publicKeyPEM: String
    public var sha256: @Sendable ([UInt8]) -> [UInt8]
    /// `SHA256withRSA` over the message (the signing string's UTF-8).
    public var sign: @Sendable ([UInt8]) throws -> [UInt8]

    public init(fingerprint: String, publicKeyPEM: String, sha256: @escaping @Sendable ([UInt8]) -> [UInt8],
                sign: @escaping @Sendable ([UInt8]) throws -> [UInt8]) {
        self.fingerprint = fingerprint
        self.publicKeyPEM = publicKeyPEM
        self.sha256 = sha256
        self.sign = sign
    }
}

/// `generate --digests`: hourly digest files per account and region, as CloudTrail writes them
/// with log file integrity validation on.
public struct DigestOptions: Sendable {
    public var signer: DigestSigner
    /// `digestS3Bucket` / `s3Bucket`: the bucket the generated folder stands for.
    public var bucket: String
    /// The trail named in digest file names (the generated accounts' trail is `management-events`).
    public var trailName: String

    public init(signer: DigestSigner, bucket: String = "trailwatch-synthetic-trail", trailName: String = "management-events") {
        self.signer = signer
        self.bucket = bucket
        self.trailName = trailName
    }

    /// Where the public key goes, relative to the output folder.
    public var publicKeyPath: String { "keys/\(Self.publicKeyPrefix)\(signer.fingerprint).public.pem" }

    static let publicKeyPrefix = "digest-signing-key-"
}

/// Oldest and newest eventTime in a file (epoch seconds).
struct EventSpan {
    var oldest = Int64.max
    var newest = Int64.min

    mutating func add(_ t: Int64) {
        oldest = min(oldest, t)
        newest = max(newest, t)
    }

    mutating func add(_ other: EventSpan) {
        oldest = min(oldest, other.oldest)
        newest = max(newest, other.newest)
    }

    var isEmpty: Bool { oldest > newest }
}

/// Builds the digest chains while the trail is written: every delivered log file is recorded in
/// the current hour of its stream; when the hour ends, each stream gets a digest (empty hours
/// too, as CloudTrail does) chained to the one before and signed, with the signature in a
/// `<digest>.sig` sidecar because a local copy has no S3 object metadata.
///
/// Digest hours are whole UTC hours, [HH:00:00, HH+1:00:00) by delivery time; CloudTrail's are
/// offset by some seconds, which verification does not depend on.
struct DigestChains {
    struct Entry {
        var key: String
        var hashHex: String
        var events: EventSpan
    }

    struct Link {
        var key: String
        var hashHex: String
        var signatureHex: String
    }

    let options: DigestOptions
    let accounts: [String]
    let regions: [String]
    let homeRegion: String
    /// Start of the hour being collected.
    var hourStart: Int64
    /// [stream] → files delivered this hour, stream = account × regions + region.
    var pending: [[Entry]]
    var previous: [Link?]
    var written = 0

    init(options: DigestOptions, accounts: [String], regions: [String], homeRegion: String, periodStart: Int64) {
        self.options = options
        self.accounts = accounts
        self.regions = regions
        self.homeRegion = homeRegion
        hourStart = periodStart - periodStart % 3600
        pending = Array(repeating: [], count: accounts.count * regions.count)
        previous = Array(repeating: nil, count: accounts.count * regions.count)
    }

    /// Records a delivered log file; `deliveryTime` must not precede earlier deliveries.
    mutating func record<S: TrailSink>(stream: Int, key: String, uncompressed: [UInt8], events: EventSpan,
                                       deliveryTime: Int64, gzip: GzipEncoder, into sink: inout S) throws(GeneratorError) {
        try advance(to: deliveryTime, gzip: gzip, into: &sink)
        pending[stream].append(Entry(key: key, hashHex: Hex.string(options.signer.sha256(uncompressed)), events: events))
    }

    /// Closes every hour that ends at or before `time`.
    mutating func advance<S: TrailSink>(to time: Int64, gzip: GzipEncoder, into sink: inout S) throws(GeneratorError) {
        while time >= hourStart + 3600 {
            try closeHour(gzip: gzip, into: &sink)
        }
    }

    /// Writes the current hour's digests for every stream and moves to the next hour.
    mutating func closeHour<S: TrailSink>(gzip: GzipEncoder, into sink: inout S) throws(GeneratorError) {
        let end = hourStart + 3600
        var endISO: [UInt8] = []
        UTC.appendISO(&endISO, end)
        let endText = String(decoding: endISO, as: UTF8.self)
        let y = endText.prefix(4), m = endText.dropFirst(5).prefix(2), d = endText.dropFirst(8).prefix(2)
        let stamp = "\(y)\(m)\(d)T\(endText.dropFirst(11).prefix(2))\(endText.dropFirst(14).prefix(2))\(endText.dropFirst(17).prefix(2))Z"
        for (a, account) in accounts.enumerated() {
            for (r, region) in regions.enumerated() {
                let s = a * regions.count + r
                let key = "AWSLogs/\(account)/CloudTrail-Digest/\(region)/\(y)/\(m)/\(d)/\(account)_CloudTrail-Digest_\(region)_\(options.trailName)_\(homeRegion)_\(stamp).json.gz"
                var span = EventSpan()
                for e in pending[s] { span.add(e.events) }
                let json = digestJSON(account: account, start: UTC.iso(hourStart), end: endText, key: key, span: span,
                                      files: pending[s], previous: previous[s])
                let hashHex = Hex.string(options.signer.sha256(json))
                let signingString = "\(endText)\n\(options.bucket)/\(key)\n\(hashHex)\n\(previous[s]?.signatureHex ?? "null")"
                let signature: [UInt8]
                do { signature = try options.signer.sign(Array(signingString.utf8)) } catch {
                    throw .io(path: key, message: "cannot sign the digest: \(error)")
                }
                let signatureHex = Hex.string(signature)
                try sink.write(relativePath: key, contents: gzip.member(json))
                try sink.write(relativePath: key + ".sig", contents: Array((signatureHex + "\n").utf8))
                previous[s] = Link(key: key, hashHex: hashHex, signatureHex: signatureHex)
                pending[s].removeAll(keepingCapacity: true)
                written += 1
            }
        }
        hourStart = end
    }

    /// The digest in CloudTrail's field order (CloudTrail User Guide, "CloudTrail digest file structure").
    private func digestJSON(account: String, start: String, end: String, key: String, span: EventSpan,
                            files: [Entry], previous: Link?) -> [UInt8] {
        func time(_ t: Int64) -> JSONValue { .string(UTC.iso(t)) }
        let spanNewest: JSONValue = span.isEmpty ? .null : time(span.newest)
        let spanOldest: JSONValue = span.isEmpty ? .null : time(span.oldest)
        let logFiles = files.map { f -> JSONValue in
            .object(JSONObject([
                ("s3Bucket", .string(options.bucket)), ("s3Object", .string(f.key)), ("hashValue", .string(f.hashHex)),
                ("hashAlgorithm", "SHA-256"), ("newestEventTime", time(f.events.newest)), ("oldestEventTime", time(f.events.oldest)),
            ]))
        }
        let root = JSONValue.object(JSONObject([
            ("awsAccountId", .string(account)), ("digestStartTime", .string(start)), ("digestEndTime", .string(end)),
            ("digestS3Bucket", .string(options.bucket)), ("digestS3Object", .string(key)),
            ("digestPublicKeyFingerprint", .string(options.signer.fingerprint)), ("digestSignatureAlgorithm", "SHA256withRSA"),
            ("newestEventTime", spanNewest), ("oldestEventTime", spanOldest),
            ("previousDigestS3Bucket", previous == nil ? .null : .string(options.bucket)),
            ("previousDigestS3Object", previous.map { .string($0.key) } ?? .null),
            ("previousDigestHashValue", previous.map { .string($0.hashHex) } ?? .null),
            ("previousDigestHashAlgorithm", previous == nil ? .null : "SHA-256"),
            ("previousDigestSignature", previous.map { .string($0.signatureHex) } ?? .null),
            ("logFiles", .array(logFiles)),
        ]))
        return Array(root.jsonText().utf8)
    }
}
