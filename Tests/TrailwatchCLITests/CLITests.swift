import Foundation
import Testing
import TrailJSON

/// Runs the built `trailwatch` binary, as a user or a tool would.
struct CLI {
    static let binary: URL = {
        // The test bundle sits next to the products in .build/<config>/.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("trailwatch")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/trailwatch")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    /// Runs `executable` (trailwatch unless given) with `args`, in `directory` when given (the
    /// demo reads models/ and notebooks-data/ from where it runs).
    static func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    executable: URL = binary, in directory: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["TRAILWATCH_DB"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a chatty child cannot block on a full pipe.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

struct Workspace {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tw-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    var db: String { url.appendingPathComponent("cli.db").path }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        let u = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: u)
    }
}

func record(_ id: String, _ name: String = "StopInstances") -> String {
    #"{"eventVersion":"1.08","eventID":"\#(id)","eventTime":"2026-10-01T03:00:00Z","eventName":"\#(name)","eventSource":"ec2.amazonaws.com","awsRegion":"us-east-1","recipientAccountId":"111111111111","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice"}}"#
}

@Suite(.serialized) struct CLITests {
    @Test func ingestPrintsAJSONSummaryWithTheContractKeys() throws {
        let w = Workspace()
        try w.write("t/a.json", #"{"Records":[\#(record("1")),\#(record("2"))]}"#)
        let r = try CLI.run(["ingest", w.path("t"), "--db", w.db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONValue.parse(r.stdout)
        #expect(v["files"] == 1 && v["events"] == 2 && v["duplicates"] == 0 && v["rejected"] == 0)
        let again = try JSONValue.parse(try CLI.run(["ingest", w.path("t"), "--db", w.db, "--json"]).stdout)
        #expect(again["events"] == 0 && again["filesSkipped"] == 1)
    }

    @Test func humanSummaryAndInfo() throws {
        let w = Workspace()
        try w.write("a.ndjson", record("1") + "\n" + record("2", "StartInstances") + "\nnot json\n")
        let r = try CLI.run(["ingest", w.path("a.ndjson"), "--db", w.db])
        #expect(r.status == 0)
        #expect(r.stdout.contains("3 record(s): 2 new event(s), 0 duplicate(s), 1 rejected"))
        let info = try CLI.run(["events", "info", "--db", w.db])
        #expect(info.stdout.contains("Events       2  2026-10-01T03:00:00Z … 2026-10-01T03:00:00Z"))
        #expect(info.stdout.contains("StopInstances 1"))
        let json = try JSONValue.parse(try CLI.run(["events", "info", "--db", w.db, "--json"]).stdout)
        #expect(json["events"] == 2 && json["rejects"] == 1 && json["regions"]?["us-east-1"] == 2)
        let rejects = try CLI.run(["events", "rejects", "--db", w.db])
        #expect(rejects.stdout.hasPrefix(w.path("a.ndjson") + ": line 3: record 2"))
        #expect(rejects.stdout.contains("line 3 is not a JSON object"))
        let rj = try JSONValue.parse(String(try CLI.run(["events", "rejects", "--db", w.db, "--json"]).stdout.split(separator: "\n")[0]))
        #expect(rj["line"] == 3 && rj["excerpt"] == "not json")
    }

    @Test func strictFailsOnRejects() throws {
        let w = Workspace()
        try w.write("a.ndjson", record("1") + "\n{broken\n")
        let r = try CLI.run(["ingest", w.path("a.ndjson"), "--db", w.db, "--strict", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("1 record(s) rejected"))
        #expect(r.stdout.isEmpty)
    }

    @Test func missingPathAndBadDatabaseAreClearErrors() throws {
        let w = Workspace()
        let missing = try CLI.run(["ingest", w.path("nope"), "--db", w.db])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains(w.path("nope")) && missing.stderr.contains("no such file"))
        try w.write("not.db", String(repeating: "garbage ", count: 1000))
        try w.write("a.json", record("1"))
        let bad = try CLI.run(["ingest", w.path("a.json"), "--db", w.path("not.db")])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("not.db") && bad.stderr.contains("not a database"))
        let noDB = try CLI.run(["events", "info", "--db", w.path("absent.db")])
        #expect(noDB.status != 0 && noDB.stderr.contains("absent.db"))
    }

    @Test func readsStdinAndHonoursTheEnvironmentDatabase() throws {
        let w = Workspace()
        let r = try CLI.run(["ingest", "-", "--json"], stdin: Data((record("s1") + "\n" + record("s2") + "\n").utf8),
                            environment: ["TRAILWATCH_DB": w.db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONValue.parse(r.stdout)["events"] == 2)
        #expect(FileManager.default.fileExists(atPath: w.db))
    }

    @Test func killedIngestResumesWithoutLossOrDuplicates() throws {
        let w = Workspace()
        // Enough work that the ingest is still running when it is killed.
        let files = 1000, perFile = 250
        for f in 0..<files {
            let recs = (0..<perFile).map { record("k\(f)-\($0)", "N\($0 % 17)") }.joined(separator: ",")
            try w.write("t/\(f / 100)/\(f).json", #"{"Records":[\#(recs)]}"#)
        }
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["ingest", w.path("t"), "--db", w.db, "--quiet", "--readers", "1"]
        try p.run()
        // Kill it once at least one file is committed but (normally) before it finishes.
        let deadline = Date().addingTimeInterval(60)
        var killedMidway = false
        while Date() < deadline && p.isRunning {
            let probe = try CLI.run(["events", "info", "--db", w.db, "--json"])
            if let v = try? JSONValue.parse(probe.stdout), let n = v["sources"]?.intValue, n > 0 {
                kill(p.processIdentifier, SIGKILL)
                killedMidway = true
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        let total = files * perFile
        let mid = try JSONValue.parse(try CLI.run(["events", "info", "--db", w.db, "--json"]).stdout)
        #expect(killedMidway, "the ingest finished before it could be killed")
        #expect((mid["events"]?.intValue ?? 0) < total, "the kill landed after the ingest finished")
        let resumed = try CLI.run(["ingest", w.path("t"), "--db", w.db, "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try JSONValue.parse(try CLI.run(["events", "info", "--db", w.db, "--json"]).stdout)
        #expect(after["events"]?.intValue == total)
        #expect(after["partialSources"] == 0 && after["sources"]?.intValue == files)
        let r = try JSONValue.parse(resumed.stdout)
        #expect((r["filesSkipped"]?.intValue ?? 0) + (r["filesRead"]?.intValue ?? 0) == files)
    }
}

@Suite(.serialized) struct IngestVerifyCLITests {
    @Test func ingestVerifyMarksEachSource() throws {
        let w = Workspace()
        let trail = w.path("trail")
        let gen = try CLI.run(["generate", "--out", trail, "--days", "1", "--events-per-day", "200", "--seed", "3", "--anomalies", "none", "--digests"])
        #expect(gen.status == 0, "\(gen.stderr)")
        // Tamper with one delivered log file after its digest was written.
        let logs = FileManager.default.enumerator(atPath: trail)!.compactMap { $0 as? String }
            .filter { $0.contains("/CloudTrail/") && $0.hasSuffix(".json.gz") }.sorted()
        #expect(logs.count > 10)
        let victim = trail + "/" + logs[3]
        let recs = #"{"Records":[{"eventID":"forged","eventTime":"2026-10-01T00:00:00Z","eventName":"Nothing"}]}"#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "printf '%s' '\(recs)' | gzip -c > '\(victim)'"]
        try p.run()
        p.waitUntilExit()

        let r = try CLI.run(["ingest", trail, "--db", w.db, "--verify", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONValue.parse(r.stdout)
        #expect(v["verification"]?["invalid"] == 1)
        let verified = v["verification"]?["verified"]?.intValue ?? 0
        let unverified = v["verification"]?["unverified"]?.intValue ?? 0
        #expect(verified + unverified + 1 == logs.count)
        #expect(verified > logs.count / 2)
        let info = try JSONValue.parse(try CLI.run(["events", "info", "--db", w.db, "--json"]).stdout)
        #expect(info["verification"]?["invalid"] == 1)
        #expect(info["digestFiles"] == nil)
        #expect(v["digestFiles"]?.intValue == FileManager.default.enumerator(atPath: trail)!.compactMap { $0 as? String }
            .filter { $0.contains("/CloudTrail-Digest/") && $0.hasSuffix(".json.gz") }.count)
    }
}
