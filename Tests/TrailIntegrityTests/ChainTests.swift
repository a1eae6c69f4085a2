import CloudTrail
import Foundation
import Testing
import TrailGenerator
import TrailIntegrity

/// Tampering scenarios on a generated, signed chain: each is reported exactly (kind and path).
@Suite struct ChainTests {
    @Test func validChainPassesWithoutKeysAndSaysSignaturesWereNotChecked() {
        let r = pristine.verify()
        #expect(r.problems.isEmpty, "\(kinds(r))")
        #expect(r.isValid)
        #expect(!r.signaturesChecked)
        #expect(r.notes.contains { $0.hasPrefix("Signatures not checked") && $0.contains("50 digest files have signatures") })
        #expect(r.digestCount == 50 && r.validDigests == 50)
        #expect(r.digests.allSatisfy { $0.signature == .notChecked })
        #expect(r.listedLogFiles == pristine.logPaths.count && r.validLogFiles == pristine.logPaths.count)
        #expect(pristine.logPaths.allSatisfy { r.trust(ofLogFile: $0) == .verified })
        #expect(r.foundStart == ISO8601.parseMillis("2026-10-01T00:00:00Z")! / 1000)
        #expect(r.foundEnd == ISO8601.parseMillis("2026-10-02T01:00:00Z")! / 1000)
    }

    @Test func validChainPassesWithSignatures() {
        let r = pristine.verify(withKey)
        #expect(r.problems.isEmpty, "\(kinds(r))")
        #expect(r.signaturesChecked)
        #expect(r.digests.count == 50 && r.digests.allSatisfy { $0.signature == .valid })
        #expect(!r.notes.contains { $0.hasPrefix("Signatures not checked") })
    }

    @Test func withoutSidecarsTheChainSuppliesEveryButTheNewestSignature() throws {
        var t = pristine
        for p in t.objects.keys where p.hasSuffix(".sig") { t.objects[p] = nil }
        let r = t.verify(withKey)
        let newest = t.digestPaths.filter { $0.hasSuffix("_20261002T010000Z.json.gz") }
        #expect(newest.count == 2)
        #expect(kinds(r) == newest.map { "signatureMissing \($0)" })
        #expect(r.digests.filter { $0.signature == .valid }.count == 48)
    }

    @Test func signaturesFileStandsInForSidecars() throws {
        var t = pristine
        var map: [String: String] = [:]
        for p in t.objects.keys where p.hasSuffix(".sig") {
            map[String(p.dropLast(4))] = String(decoding: t.objects[p]!, as: UTF8.self)
            t.objects[p] = nil
        }
        var options = withKey
        options.signatures = map
        let r = t.verify(options)
        #expect(r.problems.isEmpty, "\(kinds(r))")
        #expect(r.digests.allSatisfy { $0.signature == .valid })
    }

    @Test func modifiedLogFile() throws {
        var t = pristine
        let path = try t.logFile(hour: "10")
        try t.editLog(path) { $0.replacingOccurrences(of: "\"eventVersion\":\"1.", with: "\"eventVersion\":\"2.") }
        let r = t.verify(withKey)
        #expect(kinds(r) == ["logFileModified \(path)"])
        #expect(r.problems[0].relatedPath == (try t.digest(endingAt: "11")))
        #expect(r.result(forLogFile: path)?.status == .modified)
        #expect(r.trust(ofLogFile: path) == .invalid)
        #expect(r.validLogFiles == t.logPaths.count - 1 && r.validDigests == 50)
    }

    @Test func deletedLogFile() throws {
        var t = pristine
        let path = try t.logFile(hour: "07")
        t.objects[path] = nil
        let r = t.verify()
        #expect(kinds(r) == ["logFileMissing \(path)"])
        #expect(r.result(forLogFile: path)?.status == .missing)
        #expect(r.listedLogFiles == pristine.logPaths.count && r.validLogFiles == pristine.logPaths.count - 1)
    }

    @Test func corruptLogFileIsUnreadable() throws {
        var t = pristine
        let path = try t.logFile(hour: "08")
        t.objects[path] = Array(t.objects[path]!.dropLast(20))
        let r = t.verify()
        #expect(kinds(r) == ["logFileUnreadable \(path)"])
    }

    @Test func addedUnlistedLogFile() throws {
        var t = pristine
        let original = try t.logFile(hour: "13")
        let added = original.replacingOccurrences(of: #"_[A-Za-z0-9]{16}\.json\.gz$"#, with: "_AAAAAAAAAAAAAAAA.json.gz", options: .regularExpression)
        #expect(added != original)
        t.objects[added] = t.objects[original]
        let r = t.verify(withKey)
        #expect(kinds(r) == ["logFileUnlisted \(added)"])
        #expect(r.trust(ofLogFile: added) == .invalid)
        #expect(r.trust(ofLogFile: original) == .verified)
    }

    @Test func removedDigestIsAGapAndItsLogFilesAreUnverified() throws {
        var t = pristine
        let gone = try t.digest(endingAt: "15")
        t.objects[gone] = nil
        t.objects[gone + ".sig"] = nil
        let r = t.verify(withKey)
        #expect(kinds(r) == ["digestMissing \(gone)"])
        #expect(r.problems[0].relatedPath == (try t.digest(endingAt: "16")))
        #expect(r.digestCount == 50 && r.validDigests == 49)
        let orphans = t.logPaths.filter { $0.contains("/CloudTrail/us-east-1/") && $0.contains("_20261001T14") }
        #expect(!orphans.isEmpty)
        #expect(orphans.allSatisfy { r.result(forLogFile: $0)?.status == .digestMissing && r.trust(ofLogFile: $0) == .unverified })
    }

    @Test func twoRemovedDigestsNameTheWholeHole() throws {
        var t = pristine
        for hh in ["05", "06"] {
            let gone = try t.digest(region: "eu-west-1", endingAt: hh)
            t.objects[gone] = nil
        }
        let r = t.verify()
        #expect(kinds(r) == ["digestMissing \(try pristine.digest(region: "eu-west-1", endingAt: "06"))"])
        #expect(r.problems[0].detail.contains("no digests at all between 2026-10-01T04:00:00Z and 2026-10-01T06:00:00Z"))
        #expect(!r.logFiles.contains { $0.status == .unlisted })
    }

    @Test func editedDigestBreaksTheChainAndItsSignature() throws {
        var t = pristine
        let edited = try t.digest(endingAt: "09")
        try t.editDigest(edited) { $0.newestEventTime = "2026-10-01T08:59:59Z" }
        let unsigned = t.verify()
        #expect(kinds(unsigned) == ["chainBroken \(edited)"])
        #expect(unsigned.problems[0].relatedPath == (try t.digest(endingAt: "10")))
        let signed = t.verify(withKey)
        #expect(kinds(signed) == ["chainBroken \(edited)", "signatureInvalid \(edited)"])
        // What the edited digest lists can no longer be trusted, though the files are intact.
        let listed = signed.logFiles.filter { $0.digestPath == edited }
        #expect(!listed.isEmpty && listed.allSatisfy { $0.status == .valid && $0.trust == .unverified })
    }

    @Test func editedNewestDigestIsCaughtOnlyBySignature() throws {
        var t = pristine
        let newest = try #require(t.digestPaths.last { $0.contains("CloudTrail-Digest_us-east-1_") })
        #expect(try !DigestFile.parse(t.digestJSON(newest)).logFiles.isEmpty)
        try t.editDigest(newest) { $0.logFiles.removeLast() }
        let r = t.verify(withKey)
        let dropped = try #require(t.logPaths.last { $0.contains("/CloudTrail/us-east-1/") })
        #expect(kinds(r) == ["signatureInvalid \(newest)", "logFileUnlisted \(dropped)"])
    }

    @Test func editedLinkFieldInSuccessorIsBlamedOnItsSignature() throws {
        var t = pristine
        let successor = try t.digest(endingAt: "04")
        try t.editDigest(successor) { $0.previousDigestHashValue = String(repeating: "0", count: 64) }
        let r = t.verify(withKey)
        // The successor of the edited digest notices too; the signature says which one was edited.
        #expect(kinds(r) == ["chainBroken \(try t.digest(endingAt: "03"))", "chainBroken \(successor)", "signatureInvalid \(successor)"])
    }

    @Test func wrongKeyIsReportedForEveryDigest() {
        let r = pristine.verify(VerifyOptions(publicKeys: [strangerKey.publicKey]))
        #expect(r.problems.count == 50)
        #expect(Set(r.problems.map(\.kind)) == [.publicKeyNotFound])
        #expect(Set(r.problems.map(\.path)) == Set(pristine.digestPaths))
        #expect(r.problems[0].detail.contains(trailKey.fingerprint) && r.problems[0].detail.contains(strangerKey.fingerprint))
        #expect(r.digests.allSatisfy { $0.signature == .unknownKey })
        // Nothing the digests list is trusted when no digest could be authenticated.
        #expect(pristine.logPaths.allSatisfy { r.trust(ofLogFile: $0) == .unverified })
    }

    @Test func trailSignedWithAnotherKeyUnderTheRightFingerprintFailsSignatures() throws {
        // A forger who knows the fingerprint but not the private key.
        var t = pristine
        let forged = try t.digest(region: "eu-west-1", endingAt: "12")
        let message = Array("forged".utf8)
        t.objects[forged + ".sig"] = Array(Hex.string(try strangerKey.sign(message)).utf8)
        let r = t.verify(withKey)
        #expect(kinds(r) == ["chainBroken \(forged)", "signatureInvalid \(forged)"])
        #expect(r.problems[0].detail.contains("differs from previousDigestSignature"))
    }

    @Test func movedDigestIsReported() throws {
        var t = pristine
        let original = try t.digest(endingAt: "20")
        let moved = original.replacingOccurrences(of: "/2026/10/01/", with: "/2026/10/02/")
        t.objects[moved] = t.objects.removeValue(forKey: original)
        t.objects[moved + ".sig"] = t.objects.removeValue(forKey: original + ".sig")
        let r = t.verify()
        #expect(kinds(r) == ["digestMissing \(original)", "digestMoved \(moved)"])
    }

    @Test func unreadableDigest() throws {
        var t = pristine
        let broken = try t.digest(endingAt: "02")
        t.objects[broken] = GzipEncoder.compress(Array(#"{"digestEndTime":"2026-10-01T02:00:00Z"}"#.utf8))
        let r = t.verify()
        #expect(kinds(r) == ["chainBroken \(broken)", "digestUnreadable \(broken)"])
        #expect(r.problems[1].detail.contains("missing"))
    }

    @Test func timeWindowLimitsWhatIsChecked() throws {
        var t = pristine
        let late = try t.logFile(hour: "20")
        try t.editLog(late) { $0.replacingOccurrences(of: "\"eventVersion\":\"1.", with: "\"eventVersion\":\"2.") }
        let day = ISO8601.parseMillis("2026-10-01T00:00:00Z")! / 1000
        let morning = t.verify(VerifyOptions(start: day, end: day + 10 * 3600, publicKeys: [trailKey.publicKey]))
        #expect(morning.problems.isEmpty, "\(kinds(morning))")
        // Digests ending from 00:00 to an hour past 10:00, per region.
        #expect(morning.digests.count == 2 * 11)
        #expect(morning.requestedStart == day && morning.foundEnd == day + 10 * 3600)
        #expect(morning.trust(ofLogFile: late) == .unverified)
        let evening = t.verify(VerifyOptions(start: day + 18 * 3600, end: day + 22 * 3600))
        #expect(kinds(evening) == ["logFileModified \(late)"])
    }

    @Test func restartedChainIsANoteNotAProblem() throws {
        var t = pristine
        // Validation off from 12:00 to 15:00 in eu-west-1: those digests never existed and the
        // 16:00 digest starts a new chain, signed over a `null` previous signature.
        for hh in ["13", "14", "15"] {
            let p = try t.digest(region: "eu-west-1", endingAt: hh)
            t.objects[p] = nil
            t.objects[p + ".sig"] = nil
        }
        let restart = try t.digest(region: "eu-west-1", endingAt: "16")
        try t.editDigest(restart) {
            $0.previousDigestS3Bucket = nil; $0.previousDigestS3Object = nil; $0.previousDigestHashValue = nil
            $0.previousDigestHashAlgorithm = nil; $0.previousDigestSignature = nil
        }
        try t.resign(region: "eu-west-1")
        let r = t.verify(withKey)
        #expect(r.problems.isEmpty, "\(kinds(r))")
        #expect(r.digests.count == 47 && r.digests.allSatisfy { $0.signature == .valid })
        #expect(r.notes.contains { $0.hasPrefix("Chain restarts at \(restart)") && $0.contains("between 2026-10-01T12:00:00Z and 2026-10-01T15:00:00Z") })
        let uncovered = r.logFiles.filter { $0.status == .notCovered }
        #expect(!uncovered.isEmpty && uncovered.allSatisfy { $0.path.contains("/eu-west-1/") && $0.trust == .unverified })
        #expect(r.notes.contains { $0.contains("outside the hours any digest covers") })
    }

    @Test func filesWithoutAnyDigestsAreNotCoveredAndNoDigestsMeansNothingChecked() {
        var t = pristine
        for p in t.objects.keys where p.contains("CloudTrail-Digest") { t.objects[p] = nil }
        let r = t.verify()
        #expect(r.problems.isEmpty)
        #expect(r.digestCount == 0 && r.listedLogFiles == 0)
        #expect(r.logFiles.count == t.logPaths.count && r.logFiles.allSatisfy { $0.status == .notCovered })
    }
}
