import CloudTrail

/// What `verify` found wrong, with the file it concerns. Every problem makes the check fail.
public struct IntegrityProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// A listed log file whose uncompressed SHA-256 differs from the digest's `hashValue`.
        case logFileModified
        /// A log file a digest lists is not there.
        case logFileMissing
        /// A listed log file that is not valid gzip (or has an unsupported hash algorithm).
        case logFileUnreadable
        /// A log file inside the hours the digests cover that no digest lists (added afterwards).
        case logFileUnlisted
        /// A digest the chain refers to (`previousDigestS3Object`) is not there: a gap.
        case digestMissing
        /// A digest that is not gzip, not JSON, or lacks required fields.
        case digestUnreadable
        /// A digest whose own `digestS3Object` is not where it was found.
        case digestMoved
        /// A digest whose content does not match what its successor recorded about it
        /// (`previousDigestHashValue`, or `previousDigestSignature` against its own signature).
        case chainBroken
        /// The signature does not verify with the key the digest names.
        case signatureInvalid
        /// Public keys were given but no signature was available for this digest (no `.sig`
        /// sidecar, no `--signatures` entry, no successor recording it).
        case signatureMissing
        /// No given public key has the digest's `digestPublicKeyFingerprint`.
        case publicKeyNotFound
    }

    public var kind: Kind
    /// The file concerned (for missing files, where it should be).
    public var path: String
    /// What exactly is wrong.
    public var detail: String
    /// The other file involved: the digest listing a log file, the successor of a digest.
    public var relatedPath: String?

    public init(kind: Kind, path: String, detail: String, relatedPath: String? = nil) {
        self.kind = kind
        self.path = path
        self.detail = detail
        self.relatedPath = relatedPath
    }

    public var concernsDigest: Bool {
        switch kind {
        case .logFileModified, .logFileMissing, .logFileUnreadable, .logFileUnlisted: false
        default: true
        }
    }

    /// The line `aws cloudtrail validate-logs` would print, with a local path.
    public var description: String {
        "\(concernsDigest ? "Digest file" : "Log file")\t\(path)\tINVALID: \(detail)"
    }
}

/// The outcome for one digest file.
public struct DigestResult: Sendable, Equatable {
    public enum Signature: String, Sendable {
        /// Verified with a given public key.
        case valid
        case invalid
        /// No key with the digest's fingerprint among those given.
        case unknownKey
        /// Keys were given but no signature was found for this digest.
        case missing
        /// No public keys were given.
        case notChecked
    }

    public var path: String
    public var stream: DigestStream?
    public var startTime: Int64?
    public var endTime: Int64?
    public var signature: Signature
    /// The problems that make this digest untrustworthy (empty when valid).
    public var problems: [IntegrityProblem.Kind]
    public var isValid: Bool { problems.isEmpty }
    /// Log files it lists.
    public var logFileCount: Int
}

/// The outcome for one log file.
public struct LogFileResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Present, and its content matches the hash a digest lists.
        case valid
        case modified
        case missing
        case unreadable
        /// Inside the digests' coverage but listed by none.
        case unlisted
        /// Delivered in the hour of a digest that is missing: cannot be checked.
        case digestMissing
        /// Delivered when no digest covers its account and region (validation off, or the newest
        /// hour, which CloudTrail digests an hour later): cannot be checked.
        case notCovered
    }

    public var path: String
    public var status: Status
    /// The digest that lists it.
    public var digestPath: String?
    /// Whether that digest passed every check that was run.
    public var digestValid: Bool

    /// How far `ingest --verify` can trust the file's events.
    public var trust: LogFileTrust {
        switch status {
        case .valid: digestValid ? .verified : .unverified
        case .modified, .unreadable, .unlisted: .invalid
        case .missing, .digestMissing, .notCovered: .unverified
        }
    }
}

public enum LogFileTrust: String, Sendable {
    /// Content matches a digest that passed every check run (see `signaturesChecked`).
    case verified
    /// Not covered by a usable digest.
    case unverified
    /// Modified, unreadable, or present where the digests say nothing was delivered.
    case invalid
}

/// Everything `verify` found: per-file outcomes, the problems, and the AWS-style counts.
public struct VerificationReport: Sendable {
    /// Requested window (epoch seconds), if any.
    public let requestedStart: Int64?
    public let requestedEnd: Int64?
    /// The span the checked digests cover (clamped to the request, as the AWS CLI does).
    public let foundStart: Int64?
    public let foundEnd: Int64?
    /// False when no public key was given: digests were checked for content and chaining only.
    public let signaturesChecked: Bool
    /// Digest results in stream then time order; missing digests are not in here (see problems).
    public let digests: [DigestResult]
    public let logFiles: [LogFileResult]
    /// Digest problems first, then log file problems, each by path.
    public let problems: [IntegrityProblem]
    /// Things worth knowing that are not failures (chain restarts, uncovered files, digests
    /// carrying signatures that were not checked).
    public let notes: [String]

    /// Log file index by path and by `AWSLogs/…` key.
    private let byPath: [String: Int]
    private let byKey: [String: Int]

    init(requestedStart: Int64?, requestedEnd: Int64?, foundStart: Int64?, foundEnd: Int64?, signaturesChecked: Bool,
         digests: [DigestResult], logFiles: [LogFileResult], problems: [IntegrityProblem], notes: [String]) {
        self.requestedStart = requestedStart
        self.requestedEnd = requestedEnd
        self.foundStart = foundStart
        self.foundEnd = foundEnd
        self.signaturesChecked = signaturesChecked
        self.digests = digests
        self.logFiles = logFiles
        self.problems = problems
        self.notes = notes
        var byPath: [String: Int] = [:], byKey: [String: Int] = [:]
        for (i, f) in logFiles.enumerated() {
            byPath[f.path] = i
            if let key = TrailLayout.key(f.path) { byKey[key] = i }
        }
        self.byPath = byPath
        self.byKey = byKey
    }

    public var isValid: Bool { problems.isEmpty }

    /// Digests counted like the AWS CLI: the ones found plus the ones missing from the chain.
    public var digestCount: Int { digests.count + missingDigests }
    public var validDigests: Int { digests.filter(\.isValid).count }
    public var missingDigests: Int { problems.filter { $0.kind == .digestMissing }.count }

    /// Log files listed by the checked digests, and how many of those are present and unchanged.
    public var listedLogFiles: Int { logFiles.filter { [.valid, .modified, .missing, .unreadable].contains($0.status) }.count }
    public var validLogFiles: Int { logFiles.filter { $0.status == .valid }.count }
    public func logFiles(_ status: LogFileResult.Status) -> Int { logFiles.filter { $0.status == status }.count }

    /// The result for a log file, by the path it was found at (or any path ending in the same
    /// `AWSLogs/…` key, so a caller that spelled the folder differently still finds it).
    public func result(forLogFile path: String) -> LogFileResult? {
        if let i = byPath[path] { return logFiles[i] }
        guard let key = TrailLayout.key(path), let i = byKey[key] else { return nil }
        return logFiles[i]
    }

    /// verified / unverified / invalid for a log file; files the report does not know (outside
    /// the time window, not trail log files) are unverified.
    public func trust(ofLogFile path: String) -> LogFileTrust {
        result(forLogFile: path)?.trust ?? .unverified
    }
}
