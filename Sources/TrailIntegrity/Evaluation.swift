import CloudTrail

/// A digest file as found, before any checking.
struct FoundDigest: Sendable {
    var path: String
    /// `AWSLogs/…` key (the path itself when it has no `AWSLogs` folder).
    var key: String
    /// Uncompressed content, or why it could not be decompressed.
    var content: Result<[UInt8], DigestFormatError>
    /// A signature supplied outside the chain (`.sig` sidecar, `--signatures`), hex, with where it came from.
    var explicitSignature: (hex: String, origin: String)?
}

/// Everything the checks need, already read: digests and the trail log files present.
struct Inventory: Sendable {
    var digests: [FoundDigest]
    /// `AWSLogs/…/CloudTrail/…` key → path, for every trail log file present.
    var logFiles: [String: String]
}

/// The SHA-256 of a log file's uncompressed content, or why it has none.
enum LogHash: Sendable, Equatable {
    case sha256(String)
    case unreadable(String)
}

/// The checks themselves, on values: no file access, so tests can drive them directly.
/// Two steps because hashing the listed log files (the expensive part) happens in between:
/// `init` works out which log files need hashing, `report(hashes:)` judges everything.
struct Evaluation {
    struct Digest {
        var found: FoundDigest
        var file: DigestFile?
        var failure: String?
        var sha256Hex: String?
        var stream: DigestStream?
        var start: Int64?
        var end: Int64?
        var rootPrefix: String
    }

    let options: VerifyOptions
    let inventory: Inventory
    /// Sorted by stream, then end time.
    let digests: [Digest]
    let byKey: [String: Int]
    /// Digest key → index of the digest naming it as previous.
    let successorOf: [String: Int]
    let selected: [Int]
    let isSelected: Set<Int>
    /// Log file keys to hash: listed by a selected digest and present.
    let keysToHash: [String]

    init(_ inventory: Inventory, options: VerifyOptions) {
        self.inventory = inventory
        self.options = options
        var digests: [Digest] = inventory.digests.map { found in
            var d = Digest(found: found, stream: TrailLayout.stream(ofDigestKey: found.key), end: TrailLayout.nameTime(found.key),
                           rootPrefix: TrailLayout.rootPrefix(of: found.path, key: found.key))
            switch found.content {
            case .failure(let e): d.failure = e.description
            case .success(let bytes):
                d.sha256Hex = IntegrityHash.sha256Hex(bytes)
                do {
                    let file = try DigestFile.parse(bytes)
                    d.file = file
                    d.start = file.startSeconds
                    d.end = file.endSeconds
                } catch {
                    d.failure = "\(error)"
                }
            }
            return d
        }
        digests.sort { a, b in
            if a.stream != b.stream {
                guard let sa = a.stream, let sb = b.stream else { return a.stream == nil }
                return sa < sb
            }
            if a.end != b.end { return (a.end ?? .min) < (b.end ?? .min) }
            return a.found.path < b.found.path
        }
        self.digests = digests
        var byKey: [String: Int] = [:], successorOf: [String: Int] = [:]
        for (i, d) in digests.enumerated() {
            byKey[d.found.key] = i
            if let prev = d.file?.previousDigestS3Object, successorOf[TrailLayout.key(prev) ?? prev] == nil {
                successorOf[TrailLayout.key(prev) ?? prev] = i
            }
        }
        self.byKey = byKey
        self.successorOf = successorOf
        // The AWS CLI's window: digests ending from --start to an hour past --end, since files
        // delivered just before --end are listed in the digest written after it.
        selected = digests.indices.filter { i in
            guard let t = digests[i].end else { return true }
            if let s = options.start, t < s { return false }
            if let e = options.end, t > e + 3600 { return false }
            return true
        }
        isSelected = Set(selected)
        var toHash = Set<String>()
        for i in selected {
            for entry in digests[i].file?.logFiles ?? [] {
                let key = TrailLayout.key(entry.s3Object) ?? entry.s3Object
                if inventory.logFiles[key] != nil { toHash.insert(key) }
            }
        }
        keysToHash = toHash.sorted()
    }

    func report(hashes: [String: LogHash]) -> VerificationReport {
        var problems: [IntegrityProblem] = []
        var notes: [String] = []
        var signatureStatus: [Int: DigestResult.Signature] = [:]
        // (account, region) → delivery-time spans of missing digests.
        var missingSpans: [String: [(Int64, Int64)]] = [:]
        let checkSignatures = !options.publicKeys.isEmpty

        for i in selected {
            let d = digests[i]
            let path = d.found.path
            guard let file = d.file else {
                problems.append(IntegrityProblem(kind: .digestUnreadable, path: path, detail: "invalid format: \(d.failure ?? "unreadable")"))
                signatureStatus[i] = .notChecked
                continue
            }
            if (TrailLayout.key(file.digestS3Object) ?? file.digestS3Object) != d.found.key {
                problems.append(IntegrityProblem(kind: .digestMoved, path: path,
                                                 detail: "has been moved from its original location \(file.digestS3Object)"))
            }
            checkLink(i, &problems, &notes, &missingSpans)
            signatureStatus[i] = checkSignatures ? checkSignature(i, &problems) : .notChecked
        }

        // Digests whose own checks failed make what they list untrustworthy.
        let badDigestPaths = Set(problems.filter(\.concernsDigest).map(\.path))

        var logResults: [LogFileResult] = []
        var seen: [String: Int] = [:]
        for i in selected {
            let d = digests[i]
            for entry in d.file?.logFiles ?? [] {
                let key = TrailLayout.key(entry.s3Object) ?? entry.s3Object
                let present = inventory.logFiles[key]
                let path = present ?? d.rootPrefix + key
                let digestValid = !badDigestPaths.contains(d.found.path)
                var status = LogFileResult.Status.valid
                if present == nil {
                    status = .missing
                    problems.append(IntegrityProblem(kind: .logFileMissing, path: path, detail: "not found", relatedPath: d.found.path))
                } else if entry.hashAlgorithm.uppercased() != "SHA-256" {
                    status = .unreadable
                    problems.append(IntegrityProblem(kind: .logFileUnreadable, path: path,
                                                     detail: "unsupported hash algorithm \(entry.hashAlgorithm)", relatedPath: d.found.path))
                } else {
                    switch hashes[key] {
                    case .sha256(let actual)?:
                        if actual != entry.hashValue.lowercased() {
                            status = .modified
                            problems.append(IntegrityProblem(
                                kind: .logFileModified, path: path,
                                detail: "hash value doesn't match (digest: \(entry.hashValue), file: \(actual))", relatedPath: d.found.path))
                        }
                    case .unreadable(let why)?:
                        status = .unreadable
                        problems.append(IntegrityProblem(kind: .logFileUnreadable, path: path, detail: "invalid format: \(why)", relatedPath: d.found.path))
                    case nil:
                        status = .unreadable
                        problems.append(IntegrityProblem(kind: .logFileUnreadable, path: path, detail: "was not read", relatedPath: d.found.path))
                    }
                }
                let result = LogFileResult(path: path, status: status, digestPath: d.found.path, digestValid: digestValid)
                if let j = seen[key] {
                    // Listed twice (a backfill digest, say): the worse outcome stands.
                    if logResults[j].status == .valid && (status != .valid || !digestValid) { logResults[j] = result }
                } else {
                    seen[key] = logResults.count
                    logResults.append(result)
                }
            }
        }

        classifyUnlisted(&logResults, &problems, &notes, missingSpans)

        if !checkSignatures {
            let signed = selected.filter { digests[$0].found.explicitSignature != nil }.count
            notes.append(signed > 0
                ? "Signatures not checked: \(signed) digest files have signatures, but no public key was given"
                : "Signatures not checked: no public key was given")
        }

        var seenProblems = Set<IntegrityProblem>()
        var unique = problems.filter { seenProblems.insert($0).inserted }
        unique.sort { a, b in
            if a.concernsDigest != b.concernsDigest { return a.concernsDigest }
            if a.path != b.path { return a.path < b.path }
            return a.kind.rawValue < b.kind.rawValue
        }
        var kindsByDigest: [String: [IntegrityProblem.Kind]] = [:]
        for p in unique where p.concernsDigest { kindsByDigest[p.path, default: []].append(p.kind) }

        var digestResults: [DigestResult] = []
        var foundStart: Int64?, foundEnd: Int64?
        for i in selected {
            let d = digests[i]
            let kinds = kindsByDigest[d.found.path] ?? []
            digestResults.append(DigestResult(path: d.found.path, stream: d.stream, startTime: d.start, endTime: d.end,
                                              signature: signatureStatus[i] ?? .notChecked, problems: kinds,
                                              logFileCount: d.file?.logFiles.count ?? 0))
            if kinds.isEmpty, let s = d.start, let e = d.end {
                foundStart = min(foundStart ?? s, s)
                foundEnd = max(foundEnd ?? e, e)
            }
        }
        if let s = options.start, let f = foundStart { foundStart = max(f, s) }
        if let e = options.end, let f = foundEnd { foundEnd = min(f, e) }
        return VerificationReport(requestedStart: options.start, requestedEnd: options.end, foundStart: foundStart, foundEnd: foundEnd,
                                  signaturesChecked: checkSignatures, digests: digestResults, logFiles: logResults,
                                  problems: unique, notes: notes)
    }

    /// The link to the previous digest: it must be there and hash to `previousDigestHashValue`.
    private func checkLink(_ i: Int, _ problems: inout [IntegrityProblem], _ notes: inout [String],
                           _ missingSpans: inout [String: [(Int64, Int64)]]) {
        let d = digests[i]
        guard let file = d.file else { return }
        guard let prevObject = file.previousDigestS3Object else {
            // A starting digest: fine at the beginning; later it means validation or logging
            // was off for a while, which the AWS CLI reports as a notice, not an error.
            if let earlier = digests[..<i].last(where: { $0.stream == d.stream && $0.end != nil }), let end = earlier.end {
                notes.append("Chain restarts at \(d.found.path): no digests between \(ISO8601.format(millis: end * 1000)) and \(file.digestStartTime) (log file validation or logging was off)")
            }
            return
        }
        let prevKey = TrailLayout.key(prevObject) ?? prevObject
        guard let p = byKey[prevKey] else {
            let prevEnd = TrailLayout.nameTime(prevKey) ?? d.start ?? 0
            if let s = options.start, prevEnd < s { return }  // outside the requested window
            // How far back the hole goes: to the newest digest of this stream before the missing one.
            let before = digests.last { $0.stream == d.stream && $0.end != nil && $0.end! < prevEnd }
            let holeStart = before?.end ?? (prevEnd - 3600)
            var detail = "not found (\(TrailLayout.fileName(d.found.path)) names it as the previous digest)"
            if prevEnd - holeStart > 3600 + 120 {
                detail += "; no digests at all between \(ISO8601.format(millis: holeStart * 1000)) and \(ISO8601.format(millis: prevEnd * 1000))"
            }
            problems.append(IntegrityProblem(kind: .digestMissing, path: d.rootPrefix + prevKey, detail: detail, relatedPath: d.found.path))
            if let loc = TrailLayout.location(ofKey: d.found.key) {
                missingSpans[loc.account + "/" + loc.region, default: []].append((holeStart, d.start ?? prevEnd))
            }
            return
        }
        let prev = digests[p]
        guard let actual = prev.sha256Hex else {
            if !isSelected.contains(p) {
                problems.append(IntegrityProblem(kind: .digestUnreadable, path: prev.found.path,
                                                 detail: "invalid format: \(prev.failure ?? "unreadable")", relatedPath: d.found.path))
            }
            return
        }
        if let algorithm = file.previousDigestHashAlgorithm, algorithm.uppercased() != "SHA-256" {
            problems.append(IntegrityProblem(kind: .chainBroken, path: prev.found.path,
                                             detail: "its successor uses unsupported hash algorithm \(algorithm)", relatedPath: d.found.path))
        } else if file.previousDigestHashValue?.lowercased() != actual {
            problems.append(IntegrityProblem(
                kind: .chainBroken, path: prev.found.path,
                detail: "content does not match previousDigestHashValue in \(TrailLayout.fileName(d.found.path)) (recorded \(file.previousDigestHashValue ?? "null"), now \(actual))",
                relatedPath: d.found.path))
        }
    }

    private func checkSignature(_ i: Int, _ problems: inout [IntegrityProblem]) -> DigestResult.Signature {
        let d = digests[i]
        guard let file = d.file, case .success(let content) = d.found.content else { return .notChecked }
        let path = d.found.path
        let algorithm = file.digestSignatureAlgorithm ?? "SHA256withRSA"
        guard algorithm == "SHA256withRSA" else {
            problems.append(IntegrityProblem(kind: .signatureInvalid, path: path, detail: "unsupported signature algorithm \(algorithm)"))
            return .invalid
        }
        let fingerprint = file.digestPublicKeyFingerprint.lowercased()
        guard let key = options.publicKeys.first(where: { $0.fingerprints.contains(fingerprint) }) else {
            let given = options.publicKeys.map(\.fingerprint).joined(separator: ", ")
            problems.append(IntegrityProblem(kind: .publicKeyNotFound, path: path,
                                             detail: "public key not found for fingerprint \(file.digestPublicKeyFingerprint) (given: \(given))"))
            return .unknownKey
        }
        let successor = successorOf[d.found.key].map { digests[$0] }
        let recorded = successor?.file?.previousDigestSignature
        let signatureHex: String, origin: String
        if let explicit = d.found.explicitSignature {
            (signatureHex, origin) = explicit
            if let recorded, let successor, recorded.lowercased() != explicit.hex.lowercased() {
                problems.append(IntegrityProblem(
                    kind: .chainBroken, path: path,
                    detail: "its signature (\(explicit.origin)) differs from previousDigestSignature in \(TrailLayout.fileName(successor.found.path))",
                    relatedPath: successor.found.path))
            }
        } else if let recorded, let successor {
            // The successor carries this digest's signature: what makes offline checking of all
            // but the newest digest possible without S3 metadata.
            (signatureHex, origin) = (recorded, "previousDigestSignature in \(TrailLayout.fileName(successor.found.path))")
        } else {
            problems.append(IntegrityProblem(kind: .signatureMissing, path: path,
                                             detail: "no signature: put the x-amz-meta-signature value in \(TrailLayout.fileName(path)).sig or pass --signatures"))
            return .missing
        }
        guard let signature = IntegrityHash.bytes(hex: signatureHex.trimmingSpaces) else {
            problems.append(IntegrityProblem(kind: .signatureInvalid, path: path, detail: "signature from \(origin) is not hex"))
            return .invalid
        }
        let message = Array(DigestSigningString.make(file, uncompressedContent: content).utf8)
        guard key.isValidSignature(signature, for: message) else {
            problems.append(IntegrityProblem(kind: .signatureInvalid, path: path, detail: "signature verification failed (signature from \(origin))"))
            return .invalid
        }
        return .valid
    }

    /// Present trail log files no checked digest lists: added files when the digests cover their
    /// delivery time, otherwise not checkable.
    private func classifyUnlisted(_ results: inout [LogFileResult], _ problems: inout [IntegrityProblem], _ notes: inout [String],
                                  _ missingSpans: [String: [(Int64, Int64)]]) {
        var listed = Set<String>()
        for d in digests {
            for entry in d.file?.logFiles ?? [] { listed.insert(TrailLayout.key(entry.s3Object) ?? entry.s3Object) }
        }
        // Delivery-time spans the present digests cover, per account and region.
        var covered: [String: [(Int64, Int64)]] = [:]
        for d in digests {
            guard let s = d.start, let e = d.end, let loc = TrailLayout.location(ofKey: d.found.key) else { continue }
            covered[loc.account + "/" + loc.region, default: []].append((s, e))
        }
        var notCovered: [String: Int] = [:]
        var inMissing = 0
        for (key, path) in inventory.logFiles.sorted(by: { $0.value < $1.value }) where !listed.contains(key) {
            let t = TrailLayout.nameTime(key)
            if let t {
                if let s = options.start, t < s { continue }
                if let e = options.end, t > e { continue }
            }
            let stream = TrailLayout.location(ofKey: key).map { $0.account + "/" + $0.region } ?? ""
            // File names carry the delivery minute only: a file counts as inside a span when the
            // whole minute is, so boundary minutes never produce false alarms.
            func inside(_ spans: [(Int64, Int64)]?) -> Bool {
                guard let t, let spans else { return false }
                return spans.contains { t >= $0.0 && t + 59 < $0.1 }
            }
            let status: LogFileResult.Status
            if let t, missingSpans[stream]?.contains(where: { t + 59 >= $0.0 && t < $0.1 }) == true {
                status = .digestMissing
                inMissing += 1
            } else if t == nil || inside(covered[stream]) {
                status = .unlisted
                problems.append(IntegrityProblem(kind: .logFileUnlisted, path: path,
                                                 detail: "present but listed by no digest (its delivery time is covered by the digests)"))
            } else {
                status = .notCovered
                notCovered[stream, default: 0] += 1
            }
            results.append(LogFileResult(path: path, status: status, digestPath: nil, digestValid: false))
        }
        if inMissing > 0 {
            notes.append("\(inMissing) log files were delivered in the hours of missing digests and could not be checked")
        }
        for (stream, n) in notCovered.sorted(by: { $0.key < $1.key }) {
            let parts = stream.split(separator: "/")
            notes.append("\(n) log files of account \(parts.first ?? "?") in \(parts.last ?? "?") were delivered outside the hours any digest covers (validation off, or too recent to be digested): not checked")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
