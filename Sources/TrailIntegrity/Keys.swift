import CloudTrail
import Crypto
import Foundation
import TrailJSON
import _CryptoExtras

/// SHA-256 the way CloudTrail applies it: to the *uncompressed* content of log and digest files.
public enum IntegrityHash {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }

    /// SHA-256 of what `gzip` holds, decoded in chunks so a large log file is never held
    /// uncompressed. Input that is not gzip is hashed as it is (a copy someone gunzipped).
    public static func sha256OfUncompressed(_ gzip: [UInt8]) throws(GzipError) -> [UInt8] {
        let isGzip = gzip.withUnsafeBytes { GzipDecoder.isGzip($0) }
        guard isGzip else { return sha256(gzip) }
        var hasher = SHA256()
        try GzipDecoder.decompress(gzip) { hasher.update(bufferPointer: $0) }
        return Array(hasher.finalize())
    }

    /// Lower-case hex → bytes; nil for anything else (odd length, stray characters).
    public static func bytes(hex: String) -> [UInt8]? {
        let u = Array(hex.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// The string CloudTrail signs for each digest (CloudTrail User Guide, "Custom implementations of
/// CloudTrail log file integrity validation", *Recreate the data signing string*; the same in
/// `aws cloudtrail validate-logs`):
///
///     digestEndTime + "\n" + digestS3Bucket + "/" + digestS3Object + "\n"
///       + hex(SHA-256(uncompressed digest file)) + "\n" + previousDigestSignature
///
/// A starting digest has a null `previousDigestSignature`, which is written as `null` (the AWS
/// CLI does this "to match the Java implementation"). The signature is RSA PKCS #1 v1.5 over
/// SHA-256 of these UTF-8 bytes (`SHA256withRSA`), hex-encoded into the S3 object metadata
/// `x-amz-meta-signature`.
public enum DigestSigningString {
    public static func make(digestEndTime: String, digestS3Bucket: String, digestS3Object: String,
                            digestContentSHA256Hex: String, previousDigestSignature: String?) -> String {
        "\(digestEndTime)\n\(digestS3Bucket)/\(digestS3Object)\n\(digestContentSHA256Hex)\n\(previousDigestSignature ?? "null")"
    }

    public static func make(_ digest: DigestFile, uncompressedContent: [UInt8]) -> String {
        make(digestEndTime: digest.digestEndTime, digestS3Bucket: digest.digestS3Bucket, digestS3Object: digest.digestS3Object,
             digestContentSHA256Hex: IntegrityHash.sha256Hex(uncompressedContent),
             previousDigestSignature: digest.previousDigestSignature)
    }
}

/// A public key that digests name by `digestPublicKeyFingerprint`.
///
/// The fingerprint is the hex MD5 of the key's DER bytes as `ListPublicKeys` returns them
/// (`Value`, "the DER encoded public key value in PKCS #1 format"). This was checked against the
/// three keys in the CloudTrail User Guide's sample `list-public-keys` response: MD5 of each
/// base64-decoded `Value` equals its `Fingerprint`; one of those `Value`s is a SubjectPublicKeyInfo
/// rather than PKCS #1, so both DER forms' MD5s are accepted when matching.
public struct DigestPublicKey: Sendable {
    let key: _RSA.Signing.PublicKey
    /// MD5 of the PKCS #1 DER: what CloudTrail writes into digests today.
    public let fingerprint: String
    /// Every fingerprint this key answers to (PKCS #1 and SubjectPublicKeyInfo MD5s, and one
    /// given alongside the key in `list-public-keys` output).
    public let fingerprints: Set<String>
    /// Where the key came from (a file name), for messages.
    public let source: String

    init(key: _RSA.Signing.PublicKey, source: String, extraFingerprint: String? = nil) {
        self.key = key
        self.source = source
        fingerprint = Hex.string(Insecure.MD5.hash(data: key.pkcs1DERRepresentation))
        var all: Set<String> = [fingerprint, Hex.string(Insecure.MD5.hash(data: key.derRepresentation))]
        if let extraFingerprint { all.insert(extraFingerprint.lowercased()) }
        fingerprints = all
    }

    /// A DER public key, PKCS #1 (`RSAPublicKey`, as `ListPublicKeys` returns) or SubjectPublicKeyInfo.
    public init(der: [UInt8], source: String) throws(IntegrityError) {
        do {
            let key = try _RSA.Signing.PublicKey(derRepresentation: der)
            self.init(key: key, source: source, extraFingerprint: Hex.string(Insecure.MD5.hash(data: der)))
        } catch {
            throw .badPublicKey(path: source, reason: "not a DER RSA public key of 2048 bits or more")
        }
    }

    /// Whether `signature` is a valid `SHA256withRSA` (PKCS #1 v1.5) signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
    }

    /// `-----BEGIN RSA PUBLIC KEY-----`: its base64 body is exactly the `Value` AWS publishes.
    public var pemRepresentation: String { key.pkcs1PEMRepresentation }

    /// Reads public keys from a file: PEM blocks (`PUBLIC KEY` or `RSA PUBLIC KEY`), the JSON of
    /// `aws cloudtrail list-public-keys` (`PublicKeyList[].Value`, base64 DER), or one bare base64
    /// DER value (`--query 'PublicKeyList[0].Value' --output text`).
    public static func load(file path: String) throws(IntegrityError) -> [DigestPublicKey] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: fileProblem(path))
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String) throws(IntegrityError) -> [DigestPublicKey] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            let json: JSONValue
            do { json = try JSONValue.parse(trimmed) } catch { throw .badPublicKey(path: source, reason: "not valid JSON: \(error)") }
            guard let list = (json["PublicKeyList"] ?? json["publicKeyList"])?.arrayValue else {
                throw .badPublicKey(path: source, reason: "JSON without a PublicKeyList array (expected `aws cloudtrail list-public-keys` output)")
            }
            var keys: [DigestPublicKey] = []
            for (i, entry) in list.enumerated() {
                guard let value = entry["Value"]?.stringValue, let der = Data(base64Encoded: value, options: .ignoreUnknownCharacters) else {
                    throw .badPublicKey(path: source, reason: "PublicKeyList[\(i)].Value is not base64")
                }
                let key = try DigestPublicKey(der: Array(der), source: source)
                let given = entry["Fingerprint"]?.stringValue
                keys.append(DigestPublicKey(key: key.key, source: source, extraFingerprint: given))
            }
            guard !keys.isEmpty else { throw .badPublicKey(path: source, reason: "PublicKeyList is empty") }
            return keys
        }
        if trimmed.contains("-----BEGIN") {
            var keys: [DigestPublicKey] = []
            for block in pemBlocks(trimmed) {
                guard block.label.hasSuffix("PUBLIC KEY") else {
                    throw .badPublicKey(path: source, reason: "holds a \(block.label), not a public key")
                }
                keys.append(try DigestPublicKey(der: block.der, source: source))
            }
            guard !keys.isEmpty else { throw .badPublicKey(path: source, reason: "no complete PEM block") }
            return keys
        }
        guard let der = Data(base64Encoded: trimmed, options: .ignoreUnknownCharacters), !der.isEmpty else {
            throw .badPublicKey(path: source, reason: "neither PEM, list-public-keys JSON nor base64 DER")
        }
        return [try DigestPublicKey(der: Array(der), source: source)]
    }

    /// `-----BEGIN X-----` … `-----END X-----` blocks, decoded. Blocks with broken base64 are
    /// returned empty so the key parser reports them.
    static func pemBlocks(_ text: String) -> [(label: String, der: [UInt8])] {
        var blocks: [(String, [UInt8])] = []
        var label: String?
        var body = ""
        // Keys pasted together without a line break between them are still separate blocks.
        let text = text.replacingOccurrences(of: "-----BEGIN", with: "\n-----BEGIN")
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
                label = String(line.dropFirst(11).dropLast(5))
                body = ""
            } else if line.hasPrefix("-----END "), let l = label {
                blocks.append((l, Data(base64Encoded: body).map(Array.init) ?? []))
                label = nil
            } else if label != nil {
                body += line
            }
        }
        return blocks
    }
}

/// The private half, for writing signed digests (`generate --digests`, tests).
public struct DigestSigningKey: Sendable {
    let key: _RSA.Signing.PrivateKey

    public init(_ key: _RSA.Signing.PrivateKey) {
        self.key = key
    }

    /// A fresh 2048-bit key (the size CloudTrail uses).
    public static func generate() throws(IntegrityError) -> DigestSigningKey {
        do { return DigestSigningKey(try _RSA.Signing.PrivateKey(keySize: .bits2048)) } catch {
            throw .signingFailed(reason: "cannot generate an RSA key: \(error)")
        }
    }

    /// A PEM private key (`RSA PRIVATE KEY` or PKCS #8 `PRIVATE KEY`, as `openssl genrsa` or
    /// `openssl genpkey -algorithm RSA` write them).
    public static func load(file path: String) throws(IntegrityError) -> DigestSigningKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: fileProblem(path))
        }
        do { return DigestSigningKey(try _RSA.Signing.PrivateKey(pemRepresentation: String(decoding: data, as: UTF8.self))) } catch {
            throw .badSigningKey(path: path, reason: "not a PEM RSA private key of 2048 bits or more")
        }
    }

    public var publicKey: DigestPublicKey { DigestPublicKey(key: key.publicKey, source: "signing key") }

    /// `digestPublicKeyFingerprint` for digests signed with this key.
    public var fingerprint: String { publicKey.fingerprint }

    /// The private key as PEM (PKCS #1), for saving a generated key.
    public var pemRepresentation: String { key.pemRepresentation }

    /// `SHA256withRSA` (PKCS #1 v1.5, deterministic) over `message`, normally the signing string's UTF-8.
    public func sign(_ message: [UInt8]) throws(IntegrityError) -> [UInt8] {
        do { return Array(try key.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation) } catch {
            throw .signingFailed(reason: "\(error)")
        }
    }
}

/// Why a file cannot be read, in the system's words.
func fileProblem(_ path: String) -> String {
    var st = stat()
    guard stat(path, &st) == 0 else { return RecordReader.errnoText(errno) }
    if (st.st_mode & S_IFMT) == S_IFDIR { return "is a directory" }
    return access(path, R_OK) == 0 ? "cannot be read" : RecordReader.errnoText(EACCES)
}
