import Foundation
import Testing
import TrailJSON

/// Baselines end to end: a small generated trail with two incidents, the shipped packs applied,
/// then every `models` command and `detect`, through the built binary.
@Suite(.serialized) struct ModelsCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Four days, 300 events a day, an AccessDenied burst and a root console login on day 4.
    func fixture() throws -> Workspace {
        let w = Workspace()
        try w.write("incidents.json", """
            {"incidents":[{"kind":"access-denied-spike","at":"2026-10-04T10:40:00Z"},{"kind":"root-console-login","at":"2026-10-04T21:47:00Z"}]}
            """)
        let gen = try CLI.run(["generate", "--out", w.path("trail"), "--days", "4", "--events-per-day", "300", "--seed", "7",
                               "--anomalies", w.path("incidents.json")])
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(try CLI.run(["ingest", w.path("trail"), "--db", w.db, "--quiet"]).status == 0)
        let packs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("models").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { Self.root.appendingPathComponent("models/\($0)").path }
        let apply = try CLI.run(["apply"] + packs + ["--backfill", "--db", w.db])
        #expect(apply.status == 0, "\(apply.stderr)")
        return w
    }

    func json(_ args: [String]) throws -> JSONValue {
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        return try JSONValue.parse(r.stdout)
    }

    @Test func trainListShowBandDetectExportImport() throws {
        let w = try fixture()
        let trained = try json(["models", "train", "--all", "--json", "--db", w.db])
        let metrics = try json(["metrics", "list", "--json", "--db", w.db])
        #expect(trained.arrayValue?.count == metrics.arrayValue?.count && (trained.arrayValue?.count ?? 0) >= 10)
        for m in trained.arrayValue ?? [] {
            #expect(m["status"] == "trained" || m["status"] == "INSUFFICIENT_DATA")
            #expect((m["fitMs"]?.doubleValue ?? -1) >= 0)
        }

        // list --json: one object per model with the summary keys.
        let list = try json(["models", "list", "--json", "--db", w.db])
        let names = (list.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == names.sorted() && names.count == trained.arrayValue?.count)
        let root = try #require(list.arrayValue?.first { $0["name"] == "CISBenchmark/RootAccountUsage:Sum:5m" })
        #expect(root["namespace"] == "CISBenchmark" && root["metric"] == "RootAccountUsage" && root["stat"] == "Sum" && root["period"] == 300)
        #expect(root["status"] == "trained" && (root["sigma"]?.doubleValue ?? 0) > 0 && root["windowEnd"] == "2026-10-05T00:00:00Z")
        #expect(try CLI.run(["models", "list", "--db", w.db]).stdout.contains("CISBenchmark/RootAccountUsage:Sum:5m"))

        // show: diagnostics, human and JSON.
        let name = "AuthFailures/AccessDenied:Sum:5m"
        let human = try CLI.run(["models", "show", name, "--db", w.db])
        #expect(human.status == 0 && human.stdout.contains("seasonal") && human.stdout.contains("out-of-sample σ") && human.stdout.contains("fit"))
        let show = try json(["models", "show", name, "--json", "--db", w.db])
        #expect(show["transform"] == "anscombe" && show["seasonal"]?["dailyStrength"]?.doubleValue != nil)
        #expect(show["sigma"]?.doubleValue ?? 0 >= show["scaleFloor"]?.doubleValue ?? 1 && show["converged"]?.boolValue != nil)

        // band: JSON and CSV agree, counts never below 0, expected inside its band, the burst flagged.
        let band = try #require(try json(["models", "band", name, "--start", "2026-10-04T00:00:00Z", "--end", "2026-10-05T00:00:00Z",
                                          "--format", "json", "--db", w.db]).arrayValue)
        #expect(band.count == 288)
        for p in band {
            #expect(p.objectValue?.keys == ["timestamp", "actual", "expected", "lower", "upper", "score", "anomaly"])
            let lower = p["lower"]?.doubleValue ?? -1, expected = p["expected"]?.doubleValue ?? -1, upper = p["upper"]?.doubleValue ?? -1
            #expect(lower >= 0 && lower <= expected && expected <= upper)
        }
        let burst = band.filter { $0["anomaly"] == true }.compactMap { $0["timestamp"]?.stringValue }
        #expect(burst.contains("2026-10-04T10:40:00Z") && burst.contains("2026-10-04T10:50:00Z"))
        let csv = try CLI.run(["models", "band", name, "--start", "2026-10-04T00:00:00Z", "--end", "2026-10-05T00:00:00Z", "--format", "csv", "--db", w.db])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "timestamp,actual,expected,lower,upper,score,anomaly" && lines.count == 289)
        #expect(lines.contains { $0.hasPrefix("2026-10-04T10:40:00Z,") && $0.hasSuffix(",true") })
        // The table ends in a chart, not a line per period, and fits $COLUMNS.
        let table = try CLI.run(["models", "band", name, "--db", w.db], environment: ["COLUMNS": "80"])
        let chart = table.stdout.split(separator: "\n").suffix(11)
        #expect(chart.contains { $0.contains("▲") } && chart.contains { $0.contains("█") } && chart.allSatisfy { $0.count <= 80 })

        // detect: the labelled incidents rank at the top with the principal and IP that caused them.
        let labels = try JSONValue.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: w.path("trail/labels.json"))), as: UTF8.self))
        let found = try #require(try json(["detect", "--format", "json", "--db", w.db]).arrayValue)
        let keys = ["model", "namespace", "metric", "dimensions", "start", "end", "peakTime", "peakValue", "expected", "score", "points",
                    "topPrincipals", "topSourceIPs", "topEventNames"]
        #expect(found.allSatisfy { $0.objectValue?.keys == keys })
        for incident in labels["incidents"]?.arrayValue ?? [] {
            let start = try #require(incident["start"]?.stringValue), end = try #require(incident["end"]?.stringValue)
            let hit = found.firstIndex { d in
                (d["start"]?.stringValue ?? "") < end && (d["end"]?.stringValue ?? "") > start
                    && d["topPrincipals"]?[0]?["value"] == incident["principal"] && d["topSourceIPs"]?[0]?["value"] == incident["sourceIPAddress"]
            }
            #expect(hit != nil && hit! < 8, "\(incident["id"] ?? "?") not among the top detections")
        }
        #expect(found.first?["score"]?.doubleValue ?? 0 > 0.999)
        #expect(try json(["detect", "--format", "json", "--min-score", "0.9999", "--db", w.db]).arrayValue?.allSatisfy {
            $0["score"]?.doubleValue ?? 0 >= 0.9999
        } == true)
        let detectCSV = try CLI.run(["detect", "--format", "csv", "--db", w.db])
        #expect(detectCSV.stdout.hasPrefix("model,namespace,metric,dimensions,start,end,peakTime,peakValue,expected,score,points,topPrincipals,topSourceIPs,topEventNames\n"))
        #expect(try CLI.run(["detect", "--db", w.db]).stdout.contains("91.219.236.14"))

        // export → import on a fresh database gives the identical model.
        let file = w.path("models/access-denied.json")
        #expect(try CLI.run(["models", "export", name, "--out", file, "--db", w.db]).status == 0)
        let exported = try String(contentsOfFile: file, encoding: .utf8)
        #expect(exported.contains("\n  \"format\" : \"trailwatch-model\""))
        let fresh = w.path("fresh.db")
        let imported = try CLI.run(["models", "import", file, "--db", fresh])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try CLI.run(["models", "show", name, "--json", "--db", fresh]).stdout == (try CLI.run(["models", "show", name, "--json", "--db", w.db]).stdout))
        let again = try CLI.run(["models", "export", name, "--db", fresh])
        #expect(again.stdout == exported)
        let clash = try CLI.run(["models", "import", file, "--db", fresh])
        #expect(clash.status != 0 && clash.stderr.contains("already exists") && clash.stderr.contains("--replace"))
        #expect(try CLI.run(["models", "import", file, "--replace", "--db", fresh]).status == 0)

        #expect(try CLI.run(["models", "delete", name, "--db", fresh]).status == 0)
        #expect(try CLI.run(["models", "show", name, "--db", fresh]).status != 0)
    }

    @Test func singleMetricOptionsErrorsAndInsufficientData() throws {
        let w = try fixture()
        // Options reach the model: name, band, window, exclusions.
        let r = try json(["models", "train", "CISBenchmark/RootAccountUsage", "--period", "15m", "--window", "3d", "--band", "3",
                          "--exclude", "2026-10-04T21:00:00Z/2026-10-04T23:00:00Z", "--name", "root", "--json", "--db", w.db])
        #expect(r[0]?["name"] == "root" && r[0]?["period"] == 900 && r[0]?["windowStart"] == "2026-10-02T00:00:00Z")
        let show = try json(["models", "show", "root", "--json", "--db", w.db])
        #expect(show["bandWidth"] == 3 && show["exclusions"]?[0]?["start"] == "2026-10-04T21:00:00Z" && show["trainingPoints"] == 280)

        // Too little history: reported, stored, not an error.
        let short = try CLI.run(["models", "train", "CISBenchmark/RootAccountUsage", "--window", "6h", "--name", "short", "--db", w.db])
        #expect(short.status == 0 && short.stdout.contains("INSUFFICIENT_DATA") && short.stdout.contains("needs"))
        let band = try CLI.run(["models", "band", "short", "--db", w.db])
        #expect(band.status != 0 && band.stderr.contains("INSUFFICIENT_DATA"))

        // Unknown names list the near ones.
        let metric = try CLI.run(["models", "train", "CISBenchmark/RootAccountUsag", "--db", w.db])
        #expect(metric.status != 0 && metric.stderr.contains("CISBenchmark/RootAccountUsage"))
        let model = try CLI.run(["models", "show", "roo", "--db", w.db])
        #expect(model.status != 0 && model.stderr.contains("did you mean") && model.stderr.contains("root"))
        #expect(try CLI.run(["models", "train", "--all", "--name", "x", "--db", w.db]).status != 0)
        #expect(try CLI.run(["models", "train", "A/B", "--window", "91d", "--db", w.db]).stderr.contains("90d"))

        // Import names the file and what is wrong, and writes nothing.
        try w.write("bad.json", #"{"format":"trailwatch-model","version":1}"#)
        let bad = try CLI.run(["models", "import", w.path("bad.json"), "--db", w.db])
        #expect(bad.status != 0 && bad.stderr.contains("bad.json") && bad.stderr.contains("missing key"))
    }
}
