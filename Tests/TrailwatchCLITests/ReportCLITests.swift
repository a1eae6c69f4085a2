import Foundation
import Testing
import TrailJSON

@Suite(.serialized) struct ReportCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Four days of 300 events a day with an AccessDenied burst on day 4, the packs applied and
    /// baselines trained on the first three days.
    func fixture() throws -> Workspace {
        let w = Workspace()
        try w.write("incidents.json", #"{"incidents":[{"kind":"access-denied-spike","at":"2026-10-04T10:40:00Z"}]}"#)
        let gen = try CLI.run(["generate", "--out", w.path("trail"), "--days", "4", "--events-per-day", "300", "--seed", "7",
                               "--anomalies", w.path("incidents.json")])
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(try CLI.run(["ingest", w.path("trail"), "--db", w.db, "--quiet"]).status == 0)
        let packs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("models").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { Self.root.appendingPathComponent("models/\($0)").path }
        #expect(try CLI.run(["apply"] + packs + ["--backfill", "--db", w.db]).status == 0)
        let train = try CLI.run(["models", "train", "--all", "--window", "3d", "--end", "2026-10-04", "--db", w.db])
        #expect(train.status == 0, "\(train.stderr)")
        return w
    }

    func sections(_ html: String, _ marker: String) -> Int { html.components(separatedBy: marker).count - 1 }

    @Test func reportHasEverySectionAndChartsTheDefaultMetrics() throws {
        let w = try fixture()
        try w.write("queries/denied.insights", "# Denied calls per principal.\nfilter errorCode like /AccessDenied/ | stats count(*) as n by userIdentity.arn | sort n desc\n")
        try w.write("queries/broken.insights", "stats count( by\n")
        #expect(try CLI.run(["query", "save", "root-calls", "filter userIdentity.type = \"Root\" | fields eventName", "--db", w.db]).status == 0)
        let out = w.path("r.html")
        let r = try CLI.run(["report", "--out", out, "--queries", w.path("queries"), "--db", w.db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("wrote \(out): "))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        for id in ["overview", "metrics", "alarm-history", "queries"] { #expect(html.contains("<section id=\"\(id)\">"), "no \(id) section") }
        #expect(!html.contains("<script"))

        // Default charts: every metric without dimensions, plus dimensioned ones behind a top anomaly.
        let list = try JSONValue.parse(try CLI.run(["metrics", "list", "--json", "--db", w.db]).stdout).arrayValue ?? []
        let plain = list.filter { $0["dimensions"]?.objectValue.map { $0.count == 0 } ?? true }.count
        let charts = sections(html, "<svg class=\"chart\"")
        #expect(plain >= 5 && charts >= plain && charts < list.count, "\(charts) charts for \(plain) plain of \(list.count) metrics")
        // The burst is the top anomaly, with its principal and IP, and marked on its chart.
        let detect = try JSONValue.parse(try CLI.run(["detect", "--format", "json", "--db", w.db]).stdout).arrayValue ?? []
        let top = try #require(detect.first)
        let principal = try #require(top["topPrincipals"]?[0]?["value"]?.stringValue)
        #expect(html.contains("title=\"\(principal)\""))
        #expect(html.contains("id=\"metric-authfailures-accessdenied\""))
        #expect(sections(html, "<circle class=\"anomaly\"") >= detect.filter { ($0["dimensions"]?.objectValue?.count ?? 0) == 0 }.count)
        // Training window shaded, bands drawn, times on the axis.
        #expect(html.contains("class=\"training\"") && html.contains("<path class=\"band\""))
        #expect(html.contains(">Thu 1 Oct<") || html.contains(">Fri 2 Oct<"))
        // Queries: the saved one, the files, and the broken one's error in place.
        #expect(html.contains("root-calls") && html.contains("saved in the store"))
        #expect(html.contains("Denied calls per principal."))
        #expect(html.contains("id=\"query-broken\"") && html.contains("<p class=\"err\">query error:"))
        // The packs define alarms: applying them recorded their creation in the history.
        #expect(html.contains("&quot; created</td>"), "no alarm creation in the history table")
    }

    @Test func metricSelectionRangeAndErrors() throws {
        let w = try fixture()
        let out = w.path("one.html")
        let r = try CLI.run(["report", "--out", out, "--metric", "AuthFailures/AccessDenied", "--metric", "EC2Lifecycle/StopInstancesByInstance",
                             "--start", "2026-10-04", "--end", "2026-10-05", "--queries", w.path("none"), "--db", w.db])
        #expect(r.status != 0 && r.stderr.contains("--queries"), "a missing query folder is an error: \(r.stderr)")
        try FileManager.default.createDirectory(atPath: w.path("none"), withIntermediateDirectories: true)
        let ok = try CLI.run(["report", "--out", out, "--metric", "AuthFailures/AccessDenied", "--metric", "EC2Lifecycle/StopInstancesByInstance",
                              "--start", "2026-10-04", "--end", "2026-10-05", "--queries", w.path("none"), "--db", w.db])
        #expect(ok.status == 0, "\(ok.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let instances = try JSONValue.parse(try CLI.run(["metrics", "list", "--json", "--db", w.db]).stdout).arrayValue?
            .filter { $0["name"]?.stringValue == "StopInstancesByInstance" }.count ?? 0
        #expect(sections(html, "<svg class=\"chart\"") == 1 + instances)
        // One day at 5 minutes: 288 periods, each drawn (fewer periods than columns).
        let tag = try #require(html.components(separatedBy: "<path class=\"series\"").dropFirst().first?.prefix { $0 != ">" })
        #expect(tag.contains("data-periods=\"288\"") && tag.contains("data-points=\"288\""), "\(tag.suffix(120))")
        #expect(html.contains("2026-10-04 00:00–24:00 UTC"))

        let unknown = try CLI.run(["report", "--out", out, "--metric", "AuthFailures/AccesDenied", "--db", w.db])
        #expect(unknown.status != 0 && unknown.stderr.contains("no metric AuthFailures/AccesDenied") && unknown.stderr.contains("AuthFailures/AccessDenied"),
                "\(unknown.stderr)")
        let badRange = try CLI.run(["report", "--out", out, "--start", "2026-10-05", "--end", "2026-10-04", "--db", w.db])
        #expect(badRange.status != 0 && badRange.stderr.contains("--start must be before --end"))
        let badMetric = try CLI.run(["report", "--out", out, "--metric", "NoSlash", "--db", w.db])
        #expect(badMetric.status != 0 && badMetric.stderr.contains("NAMESPACE/NAME"))
        let noDB = try CLI.run(["report", "--out", out, "--db", w.path("missing.db")])
        #expect(noDB.status != 0 && noDB.stderr.contains("missing.db"))
    }
}
