import CloudTrail
import Foundation
import TrailJSON

/// What to check and with what.
public struct VerifyOptions: Sendable {
    /// Only digests whose `digestEndTime` lies from `start` to an hour past `end` (epoch seconds),
    /// like `aws cloudtrail validate-logs --start-time/--end-time`; log files by delivery time.
    public var start: Int64?
    public var end: Int64?
    /// Keys for signature checking; none means signatures are not checked.
    public var publicKeys: [DigestPublicKey]
    /// Digest signatures (hex) by digest path, S3 key or file name, from a `--signatures` file.
    /// `.sig` sidecars next to the digests are read as well.
    public var signatures: [String: String]

    public init(start: Int64? = nil, end: Int64? = nil, publicKeys: [DigestPublicKey] = [], signatures: [String: String] = [:]) {
        self.start = start
        self.end = end
        self.publicKeys = publicKeys
        self.signatures = signatures
    }

    /// Reads a `--signatures` file: a JSON object mapping digest path (or S3 key,
    /// `s3://bucket/key`, or file name) to hex signature.
    public static func loadSignatures(file path: String) throws(IntegrityError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: fileProblem(path))
        }
        let json: JSONValue
        do { json = try JSONValue.parse(Array(data)) } catch { throw .badSignatures(path: path, reason: "not valid JSON: \(error)") }
        guard case .object(let o) = json else { throw .badSignatures(path: path, reason: "expected a JSON object of digest path → hex signature") }
        var map: [String: String] = [:]
        for (key, value) in o.pairs {
            guard let hex = value.stringValue, IntegrityHash.bytes(hex: hex.trimmingSpaces) != nil else {
                throw .badSignatures(path: path, reason: "the signature for \"\(key)\" is not a hex string")
            }
            map[key] = hex.trimmingSpaces
        }
        return map
    }

    /// The signature given for a digest: by exact path, `AWSLogs/…` key, or file name.
    func signature(forDigest path: String, key: String) -> String? {
        if let s = signatures[path] ?? signatures[key] { return s.trimmingSpaces }
        for (k, v) in signatures where TrailLayout.key(k) == key { return v.trimmingSpaces }
        return signatures[String(TrailLayout.fileName(path))]?.trimmingSpaces
    }
}

public enum IntegrityError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case badPublicKey(path: String, reason: String)
    case badSigningKey(path: String, reason: String)
    case badSignatures(path: String, reason: String)
    case signingFailed(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .badPublicKey(let path, let reason): "public key \(path): \(reason)"
        case .badSigningKey(let path, let reason): "signing key \(path): \(reason)"
        case .badSignatures(let path, let reason): "signatures file \(path): \(reason)"
        case .signingFailed(let reason): "cannot sign a digest: \(reason)"
        }
    }
}

/// CloudTrail log file integrity validation on a local copy of a trail, the way
/// `aws cloudtrail validate-logs` does it against S3.
public enum IntegrityVerifier {
    /// Checks every digest under `root` (an S3 bucket copy, or any folder holding `AWSLogs/`).
    /// Only problems reading `root` itself throw; everything about individual files is in the report.
    public static func verify(root: String, options: VerifyOptions = VerifyOptions()) throws(IntegrityError) -> VerificationReport {
        let discovery: Discovery
        do { discovery = try InputDiscovery.discover([root]) } catch { throw .unreadable(path: error.path, reason: error.reason) }
        // Sidecars (`<digest>.sig`) are not inputs, so discovery lists them as ignored.
        var paths = discovery.files.map(\.path) + discovery.digestFiles + discovery.ignored.filter { $0.hasSuffix(".sig") }
        paths.sort()
        let sidecars = Set(paths.filter { $0.hasSuffix(".sig") })
        var digests: [FoundDigest] = []
        var logFiles: [String: String] = [:]
        for path in paths where !sidecars.contains(path) {
            guard let key = TrailLayout.key(path) else { continue }
            if InputDiscovery.isDigest(path) {
                let content = Result { () throws(DigestFormatError) -> [UInt8] in
                    guard let data = FileManager.default.contents(atPath: path) else { throw DigestFormatError(fileProblem(path)) }
                    return try uncompressDigest(Array(data))
                }
                var explicit: (String, String)?
                if sidecars.contains(path + ".sig"), let data = FileManager.default.contents(atPath: path + ".sig") {
                    explicit = (String(decoding: data, as: UTF8.self).trimmingSpaces, String(TrailLayout.fileName(path)) + ".sig")
                } else if let s = options.signature(forDigest: path, key: key) {
                    explicit = (s, "--signatures")
                }
                digests.append(FoundDigest(path: path, key: key, content: content, explicitSignature: explicit))
            } else if TrailLayout.location(ofKey: key)?.kind == "CloudTrail" {
                logFiles[key] = path
            }
        }
        let evaluation = Evaluation(Inventory(digests: digests, logFiles: logFiles), options: options)
        let found = logFiles
        let hashes = hashAll(evaluation.keysToHash) { key throws(IntegrityError) -> [UInt8] in
            let path = found[key]!
            guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path, reason: fileProblem(path)) }
            return Array(data)
        }
        return evaluation.report(hashes: hashes)
    }

    /// The same checks on objects in memory (relative paths such as `AWSLogs/…`), as a
    /// `MemorySink` holds them: for tests and for tools that never touch the disk.
    public static func verify(objects: [(path: String, contents: [UInt8])], options: VerifyOptions = VerifyOptions()) -> VerificationReport {
        var byPath: [String: [UInt8]] = [:]
        for o in objects { byPath[o.path] = o.contents }
        var digests: [FoundDigest] = []
        var logFiles: [String: String] = [:]
        for (path, contents) in objects.sorted(by: { $0.path < $1.path }) where !path.hasSuffix(".sig") {
            guard let key = TrailLayout.key(path) else { continue }
            if InputDiscovery.isDigest(path) {
                var explicit: (String, String)?
                if let sig = byPath[path + ".sig"] {
                    explicit = (String(decoding: sig, as: UTF8.self).trimmingSpaces, String(TrailLayout.fileName(path)) + ".sig")
                } else if let s = options.signature(forDigest: path, key: key) {
                    explicit = (s, "--signatures")
                }
                let content = Result { () throws(DigestFormatError) -> [UInt8] in try uncompressDigest(contents) }
                digests.append(FoundDigest(path: path, key: key, content: content, explicitSignature: explicit))
            } else if TrailLayout.location(ofKey: key)?.kind == "CloudTrail" {
                logFiles[key] = path
            }
        }
        let evaluation = Evaluation(Inventory(digests: digests, logFiles: logFiles), options: options)
        let contents = byPath, found = logFiles
        let hashes = hashAll(evaluation.keysToHash) { key throws(IntegrityError) -> [UInt8] in contents[found[key]!]! }
        return evaluation.report(hashes: hashes)
    }

    static func uncompressDigest(_ bytes: [UInt8]) throws(DigestFormatError) -> [UInt8] {
        guard bytes.withUnsafeBytes({ GzipDecoder.isGzip($0) }) else {
            // A digest someone gunzipped still hashes the same; CloudTrail hashes the JSON.
            return bytes
        }
        do { return try GzipDecoder.decompress(bytes) } catch { throw DigestFormatError("not valid gzip: \(error)") }
    }

    /// Hashes log files on every core: this is where the time goes on a large trail.
    static func hashAll(_ keys: [String], read: @Sendable (String) throws(IntegrityError) -> [UInt8]) -> [String: LogHash] {
        let results = ResultSlots(count: keys.count)
        DispatchQueue.concurrentPerform(iterations: keys.count) { i in
            let hash: LogHash
            do {
                let bytes = try read(keys[i])
                do { hash = .sha256(Hex.string(try IntegrityHash.sha256OfUncompressed(bytes))) } catch { hash = .unreadable("not valid gzip: \(error)") }
            } catch {
                hash = .unreadable("\(error)")
            }
            results.set(i, hash)
        }
        var out: [String: LogHash] = [:]
        for (i, key) in keys.enumerated() { out[key] = results.get(i) }
        return out
    }
}

/// One slot per task, written from `concurrentPerform`: each index is written by one task only,
/// the lock just makes that visible to the reader afterwards.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [LogHash?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ v: LogHash) {
        lock.lock()
        slots[i] = v
        lock.unlock()
    }

    func get(_ i: Int) -> LogHash? {
        lock.lock()
        defer { lock.unlock() }
        return slots[i]
    }
}
