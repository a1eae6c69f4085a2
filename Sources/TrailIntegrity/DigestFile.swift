import CloudTrail
import TrailJSON

/// One CloudTrail digest file (log file integrity validation), as delivered hourly per region
/// under `AWSLogs/<account>/CloudTrail-Digest/`. Strings are kept exactly as written: the
/// signing string is built from them, so re-formatting a time would break verification.
public struct DigestFile: Sendable, Equatable {
    public var awsAccountId: String?
    public var digestStartTime: String
    public var digestEndTime: String
    public var digestS3Bucket: String
    public var digestS3Object: String
    public var digestPublicKeyFingerprint: String
    /// `SHA256withRSA` in every digest CloudTrail has delivered so far.
    public var digestSignatureAlgorithm: String?
    public var newestEventTime: String?
    public var oldestEventTime: String?
    /// All five `previousDigest…` fields are null in a starting digest (validation just enabled,
    /// or logging restarted).
    public var previousDigestS3Bucket: String?
    public var previousDigestS3Object: String?
    public var previousDigestHashValue: String?
    public var previousDigestHashAlgorithm: String?
    public var previousDigestSignature: String?
    public var logFiles: [DigestLogFile]

    /// Epoch seconds of `digestStartTime` / `digestEndTime` (validated by `parse`).
    public var startSeconds: Int64 { ISO8601.parseMillis(digestStartTime).map { $0 / 1000 } ?? 0 }
    public var endSeconds: Int64 { ISO8601.parseMillis(digestEndTime).map { $0 / 1000 } ?? 0 }

    public init(awsAccountId: String?, digestStartTime: String, digestEndTime: String, digestS3Bucket: String,
                digestS3Object: String, digestPublicKeyFingerprint: String, digestSignatureAlgorithm: String?,
                newestEventTime: String? = nil, oldestEventTime: String? = nil, previousDigestS3Bucket: String? = nil,
                previousDigestS3Object: String? = nil, previousDigestHashValue: String? = nil,
                previousDigestHashAlgorithm: String? = nil, previousDigestSignature: String? = nil, logFiles: [DigestLogFile]) {
        self.awsAccountId = awsAccountId
        self.digestStartTime = digestStartTime
        self.digestEndTime = digestEndTime
        self.digestS3Bucket = digestS3Bucket
        self.digestS3Object = digestS3Object
        self.digestPublicKeyFingerprint = digestPublicKeyFingerprint
        self.digestSignatureAlgorithm = digestSignatureAlgorithm
        self.newestEventTime = newestEventTime
        self.oldestEventTime = oldestEventTime
        self.previousDigestS3Bucket = previousDigestS3Bucket
        self.previousDigestS3Object = previousDigestS3Object
        self.previousDigestHashValue = previousDigestHashValue
        self.previousDigestHashAlgorithm = previousDigestHashAlgorithm
        self.previousDigestSignature = previousDigestSignature
        self.logFiles = logFiles
    }

    /// Parses the *uncompressed* digest JSON. Requires the fields `aws cloudtrail validate-logs`
    /// requires (`digestStartTime`, `digestEndTime`, `digestS3Bucket`, `digestS3Object`,
    /// `digestPublicKeyFingerprint`, `previousDigestSignature` — null allowed) plus `logFiles`.
    public static func parse(_ json: [UInt8]) throws(DigestFormatError) -> DigestFile {
        let root: JSONValue
        do { root = try JSONValue.parse(json) } catch { throw DigestFormatError("not JSON: \(error)") }
        guard case .object(let o) = root else { throw DigestFormatError("not a JSON object") }

        func string(_ key: String) throws(DigestFormatError) -> String {
            guard let v = o[key] else { throw DigestFormatError("missing \(key)") }
            guard let s = v.stringValue else { throw DigestFormatError("\(key) is not a string") }
            return s
        }
        func optional(_ key: String) throws(DigestFormatError) -> String? {
            guard let v = o[key], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw DigestFormatError("\(key) is not a string or null") }
            return s
        }
        func time(_ key: String) throws(DigestFormatError) -> String {
            let s = try string(key)
            guard ISO8601.parseMillis(s) != nil else { throw DigestFormatError("\(key) is not a UTC timestamp: \"\(s)\"") }
            return s
        }

        guard o["previousDigestSignature"] != nil else { throw DigestFormatError("missing previousDigestSignature") }
        guard let list = o["logFiles"] else { throw DigestFormatError("missing logFiles") }
        guard let entries = list.arrayValue else { throw DigestFormatError("logFiles is not an array") }
        var logFiles: [DigestLogFile] = []
        logFiles.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            guard case .object(let e) = entry else { throw DigestFormatError("logFiles[\(i)] is not an object") }
            func field(_ key: String) throws(DigestFormatError) -> String {
                guard let s = e[key]?.stringValue else { throw DigestFormatError("logFiles[\(i)].\(key) is missing or not a string") }
                return s
            }
            logFiles.append(DigestLogFile(
                s3Bucket: (try? field("s3Bucket")) ?? "", s3Object: try field("s3Object"), hashValue: try field("hashValue"),
                hashAlgorithm: (try? field("hashAlgorithm")) ?? "SHA-256",
                newestEventTime: e["newestEventTime"]?.stringValue, oldestEventTime: e["oldestEventTime"]?.stringValue))
        }
        return DigestFile(
            awsAccountId: try optional("awsAccountId"), digestStartTime: try time("digestStartTime"),
            digestEndTime: try time("digestEndTime"), digestS3Bucket: try string("digestS3Bucket"),
            digestS3Object: try string("digestS3Object"), digestPublicKeyFingerprint: try string("digestPublicKeyFingerprint"),
            digestSignatureAlgorithm: try optional("digestSignatureAlgorithm"), newestEventTime: try optional("newestEventTime"),
            oldestEventTime: try optional("oldestEventTime"), previousDigestS3Bucket: try optional("previousDigestS3Bucket"),
            previousDigestS3Object: try optional("previousDigestS3Object"),
            previousDigestHashValue: try optional("previousDigestHashValue"),
            previousDigestHashAlgorithm: try optional("previousDigestHashAlgorithm"),
            previousDigestSignature: try optional("previousDigestSignature"), logFiles: logFiles)
    }

    /// The digest as CloudTrail writes it (compact JSON, AWS's field order).
    public func jsonText() -> String {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let files = logFiles.map { f -> JSONValue in
            .object(JSONObject([
                ("s3Bucket", .string(f.s3Bucket)), ("s3Object", .string(f.s3Object)), ("hashValue", .string(f.hashValue)),
                ("hashAlgorithm", .string(f.hashAlgorithm)), ("newestEventTime", opt(f.newestEventTime)),
                ("oldestEventTime", opt(f.oldestEventTime)),
            ]))
        }
        return JSONValue.object(JSONObject([
            ("awsAccountId", opt(awsAccountId)), ("digestStartTime", .string(digestStartTime)),
            ("digestEndTime", .string(digestEndTime)), ("digestS3Bucket", .string(digestS3Bucket)),
            ("digestS3Object", .string(digestS3Object)), ("digestPublicKeyFingerprint", .string(digestPublicKeyFingerprint)),
            ("digestSignatureAlgorithm", opt(digestSignatureAlgorithm)), ("newestEventTime", opt(newestEventTime)),
            ("oldestEventTime", opt(oldestEventTime)), ("previousDigestS3Bucket", opt(previousDigestS3Bucket)),
            ("previousDigestS3Object", opt(previousDigestS3Object)), ("previousDigestHashValue", opt(previousDigestHashValue)),
            ("previousDigestHashAlgorithm", opt(previousDigestHashAlgorithm)),
            ("previousDigestSignature", opt(previousDigestSignature)), ("logFiles", .array(files)),
        ])).jsonText()
    }
}

/// One `logFiles[]` entry: a log file delivered in the digest's hour and the SHA-256 of its
/// uncompressed content.
public struct DigestLogFile: Sendable, Equatable {
    public var s3Bucket: String
    public var s3Object: String
    public var hashValue: String
    public var hashAlgorithm: String
    public var newestEventTime: String?
    public var oldestEventTime: String?

    public init(s3Bucket: String, s3Object: String, hashValue: String, hashAlgorithm: String = "SHA-256",
                newestEventTime: String? = nil, oldestEventTime: String? = nil) {
        self.s3Bucket = s3Bucket
        self.s3Object = s3Object
        self.hashValue = hashValue
        self.hashAlgorithm = hashAlgorithm
        self.newestEventTime = newestEventTime
        self.oldestEventTime = oldestEventTime
    }
}

/// Why a digest file's content is not a usable digest.
public struct DigestFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The trail a digest belongs to, from its name
/// `<account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHmmssZ>.json.gz`:
/// one hourly chain per stream.
public struct DigestStream: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var account: String
    public var region: String
    public var trail: String
    public var homeRegion: String

    public init(account: String, region: String, trail: String, homeRegion: String) {
        self.account = account
        self.region = region
        self.trail = trail
        self.homeRegion = homeRegion
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.account, a.region, a.trail, a.homeRegion) < (b.account, b.region, b.trail, b.homeRegion)
    }

    public var description: String { "account \(account), region \(region), trail \(trail)" }
}

/// S3 object keys and the trail layout (`AWSLogs/[<org-id>/]<account>/<CloudTrail|CloudTrail-Digest>/<region>/YYYY/MM/DD/<name>`).
enum TrailLayout {
    /// The key from the `AWSLogs/` segment on: how a local copy (any bucket prefix, any download
    /// folder) is matched to the S3 keys recorded in digests.
    static func key(_ pathOrKey: String) -> String? {
        let parts = pathOrKey.split(separator: "/", omittingEmptySubsequences: false)
        guard let i = parts.lastIndex(of: "AWSLogs") else { return nil }
        return parts[i...].joined(separator: "/")
    }

    /// The folder holding `AWSLogs/`, with its trailing slash (empty for a relative key).
    static func rootPrefix(of path: String, key: String) -> String {
        path.hasSuffix(key) ? String(path.dropLast(key.utf8.count)) : ""
    }

    struct Location: Equatable {
        var account: String
        /// `CloudTrail`, `CloudTrail-Digest`, `CloudTrail-Insight`, …
        var kind: String
        var region: String
    }

    static func location(ofKey key: String) -> Location? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == "AWSLogs" else { return nil }
        // Organization trails put the organization id before the account.
        for i in [2, 3] where i + 1 < parts.count && parts[i].hasPrefix("CloudTrail") {
            return Location(account: String(parts[i - 1]), kind: String(parts[i]), region: String(parts[i + 1]))
        }
        return nil
    }

    static func fileName(_ path: String) -> Substring {
        path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? Substring(path)
    }

    /// The stream of a digest file, from its name (falling back to the folders for odd names).
    static func stream(ofDigestKey key: String) -> DigestStream? {
        let name = fileName(key)
        let marker = "_CloudTrail-Digest_"
        if let m = name.range(of: marker) {
            let account = String(name[..<m.lowerBound])
            var rest = name[m.upperBound...]
            for ext in [".json.gz", ".json"] where rest.hasSuffix(ext) {
                rest = rest.dropLast(ext.count)
                break
            }
            let fields = rest.split(separator: "_", omittingEmptySubsequences: false)
            // region _ trail (may itself hold underscores) _ home-region _ timestamp
            if fields.count >= 4 {
                return DigestStream(account: account, region: String(fields[0]),
                                    trail: fields[1..<(fields.count - 2)].joined(separator: "_"),
                                    homeRegion: String(fields[fields.count - 2]))
            }
        }
        guard let loc = location(ofKey: key) else { return nil }
        return DigestStream(account: loc.account, region: loc.region, trail: "", homeRegion: loc.region)
    }

    /// The first `YYYYMMDDTHHmm[ss]Z` in a file name, as epoch seconds: the delivery time of a log
    /// file (minute precision) or the end time of a digest.
    static func nameTime(_ path: String) -> Int64? {
        let b = Array(fileName(path).utf8)
        func digits(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        var i = 0
        while i + 14 <= b.count {
            if (i == 0 || b[i - 1] == UInt8(ascii: "_")), let ymd = digits(i, 8), b[i + 8] == UInt8(ascii: "T"), let hm = digits(i + 9, 4) {
                var seconds = 0
                var z = i + 13
                if let s = digits(z, 2), z + 2 < b.count, b[z + 2] == UInt8(ascii: "Z") {
                    seconds = s
                    z += 2
                }
                if z < b.count, b[z] == UInt8(ascii: "Z") {
                    let text = isoText(ymd, hm, seconds)
                    if let ms = ISO8601.parseMillis(text) { return ms / 1000 }
                }
            }
            i += 1
        }
        return nil
    }

    private static func isoText(_ ymd: Int, _ hm: Int, _ s: Int) -> String {
        func pad(_ v: Int, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "\(pad(ymd / 10000, 4))-\(pad(ymd / 100 % 100, 2))-\(pad(ymd % 100, 2))T\(pad(hm / 100, 2)):\(pad(hm % 100, 2)):\(pad(s, 2))Z"
    }
}
