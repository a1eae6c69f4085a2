import Foundation
import Testing
import TrailJSON

/// The demo on the bundled sample, run once per test process and shared by the demo and browser
/// tests (it is the slowest fixture of the suite: ingest, packs, 66 baselines, detect, report).
final class DemoRun: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = DemoRun()

    let out: URL
    let result: CLI.Result
    let seconds: Double

    private init() {
        out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-demo-\(UUID().uuidString)")
        let t0 = Date()
        result = (try? CLI.run(["demo", "--out", out.path], in: Self.root)) ?? CLI.Result(status: -1, stdout: "", stderr: "could not start trailwatch")
        seconds = Date().timeIntervalSince(t0)
    }

    var report: URL { out.appendingPathComponent("report.html") }
    var db: String { out.appendingPathComponent("demo.db").path }

}

@Suite struct DemoCLITests {
    @Test func demoRunsEveryStepAndFindsTheLabelledIncidents() throws {
        let demo = DemoRun.shared
        #expect(demo.result.status == 0, "\(demo.result.stderr)")
        let out = demo.result.stdout
        // Every step, numbered, with its time.
        for (i, step) in ["ingest", "apply packs", "backfill", "train baselines", "detect", "backtest alarms", "queries", "report"].enumerated() {
            let pattern = #"\[\#(i + 1)/8\] \#(step) +\d+\.\d\d s  "#
            #expect(out.range(of: pattern, options: .regularExpression) != nil, "step \(step) missing:\n\(out)")
        }
        #expect(out.contains("7,168 new events"))
        #expect(out.contains("0 rejected"))
        let trained = try #require(out.firstMatch(of: /(\d+) trained, 0 INSUFFICIENT_DATA/).map { Int($0.1)! })
        #expect(trained >= 66, "one baseline per metric series")
        // The sample's strongest incidents are found, at the top of detect's ranking.
        for id in ["inc-01", "inc-02", "inc-03", "inc-05"] {
            #expect(out.range(of: "✓ \(id) ") != nil, "\(id) not detected:\n\(out)")
        }
        #expect(out.range(of: #"✓ inc-02 access-denied-spike .*→  #[1-3] "#, options: .regularExpression) != nil)
        #expect(out.range(of: #"Detected \d of 7 labelled incidents"#, options: .regularExpression) != nil)
        // Every query of models/queries ran without error.
        #expect(!out.contains("error:"), "\(out)")
        // The report: where the demo said, small, self-contained.
        #expect(out.contains("Open \(demo.report.path) in a browser"))
        let size = try FileManager.default.attributesOfItem(atPath: demo.report.path)[.size] as? Int ?? 0
        #expect(size > 100_000 && size < 5_000_000, "report is \(size) bytes")
        let html = try String(contentsOf: demo.report, encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"))
        // The store is left for exploring, with the models the demo trained.
        let list = try CLI.run(["models", "list", "--json", "--db", demo.db])
        #expect(list.status == 0)
        #expect(try JSONValue.parse(list.stdout).arrayValue?.count == trained)
    }

    @Test func demoOutsideTheRepositoryFailsClearly() throws {
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("tw-nowhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let r = try CLI.run(["demo"], in: elsewhere)
        #expect(r.status != 0)
        #expect(r.stderr.contains("run the demo from the repository root"), "\(r.stderr)")
    }
}
