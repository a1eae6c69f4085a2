import Foundation
import Testing
import TrailJSON

@Suite struct EvalCLITests {
    static let packs: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return ["auth-failures.yaml", "cis-aws-foundations.yaml"].map { root.appendingPathComponent("models/\($0)").path }
    }()

    /// A small generated trail: the model must beat both baselines on F1 by a clear margin.
    @Test func modelBeatsBaselinesOnAGeneratedTrail() throws {
        let r = try CLI.run(["eval", "--generate", "--seeds", "2", "--days", "21", "--events-per-day", "300", "--json", "--packs"] + Self.packs)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONValue.parse(r.stdout)
        let results = try #require(json[0]?["report"]?["results"]?.arrayValue)
        func f1(_ method: String) -> Double { results.first { $0["method"]?.stringValue == method }?["f1"]?.doubleValue ?? -1 }
        #expect(f1("model") - max(f1("static"), f1("gaussian")) >= 0.2, "\(r.stdout.prefix(2000))")
        let model = try #require(results.first { $0["method"]?.stringValue == "model" })
        #expect((model["falsePerSeriesWeek"]?.doubleValue ?? 99) <= 1)
    }

    /// No incidents, one scored week: at most one false incident on any metric, and few overall.
    @Test func quietOnAnIncidentFreeTrail() throws {
        let r = try CLI.run(["eval", "--generate", "--seeds", "3", "--days", "21", "--events-per-day", "300", "--anomalies", "none", "--json", "--packs"] + Self.packs)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONValue.parse(r.stdout)
        let results = try #require(json[0]?["report"]?["results"]?.arrayValue)
        let model = try #require(results.first { $0["method"]?.stringValue == "model" })
        #expect((model["falsePerSeriesWeek"]?.doubleValue ?? 99) <= 0.2, "\(r.stdout.prefix(2000))")
        #expect((model["maxFalsePerSeriesWeek"]?.doubleValue ?? 99) <= 1, "\(r.stdout.prefix(2000))")
    }
}
