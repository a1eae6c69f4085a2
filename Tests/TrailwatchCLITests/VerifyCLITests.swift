import Foundation
import Testing
import TrailJSON

/// `generate --digests` then `verify`, through the binary: output contract and exit codes.
@Suite(.serialized) struct VerifyCLITests {
    @Test func verifyJSONAndExitCodes() throws {
        let w = Workspace()
        let out = w.path("trail")
        let gen = try CLI.run(["generate", "--out", out, "--days", "1", "--events-per-day", "200", "--accounts", "1",
                               "--regions", "us-east-1", "--anomalies", "none", "--digests"])
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(gen.stdout.contains("Digests: 25 signed hourly digest files"))
        let keyName = try #require(try FileManager.default.contentsOfDirectory(atPath: out + "/keys").first { $0.hasSuffix(".public.pem") })
        let key = out + "/keys/" + keyName
        #expect(gen.stdout.contains("trailwatch verify \(out) --public-key \(key)"))

        let ok = try CLI.run(["verify", out, "--public-key", key, "--json"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let v = try JSONValue.parse(ok.stdout)
        #expect(v["valid"] == true && v["signaturesChecked"] == true)
        #expect(v["digestFiles"]?["total"] == 25 && v["digestFiles"]?["valid"] == 25)
        #expect(v["problems"]?.arrayValue?.isEmpty == true)

        let text = try CLI.run(["verify", out])
        #expect(text.status == 0)
        #expect(text.stdout.contains("25/25 digest files valid"))
        #expect(text.stdout.contains("Signatures NOT checked"))

        let logs = try #require(FileManager.default.enumerator(atPath: out + "/AWSLogs")).compactMap { $0 as? String }
            .filter { $0.contains("/CloudTrail/") && $0.hasSuffix(".json.gz") }.sorted()
        let victim = out + "/AWSLogs/" + logs[logs.count / 2]
        try FileManager.default.removeItem(atPath: victim)
        let bad = try CLI.run(["verify", out, "--public-key", key, "--json"])
        #expect(bad.status == 1)
        let b = try JSONValue.parse(bad.stdout)
        #expect(b["valid"] == false)
        #expect(b["problems"]?[0]?["kind"] == "logFileMissing" && b["problems"]?[0]?["path"]?.stringValue == victim)
        let badText = try CLI.run(["verify", out])
        #expect(badText.status == 1 && badText.stdout.contains("Log file\t\(victim)\tINVALID: not found"))

        let noKey = try CLI.run(["verify", out, "--public-key", w.path("absent.pem")])
        #expect(noKey.status == 2 && noKey.stderr.contains(w.path("absent.pem")))

        try w.write("empty/AWSLogs/readme.txt", "nothing here")
        let empty = try CLI.run(["verify", w.path("empty"), "--json"])
        #expect(empty.status == 1)
        #expect(try JSONValue.parse(empty.stdout)["valid"] == false)

        let usage = try CLI.run(["verify", out, "--start", "yesterday"])
        #expect(usage.status == 64 && usage.stderr.contains("--start"))
    }
}
