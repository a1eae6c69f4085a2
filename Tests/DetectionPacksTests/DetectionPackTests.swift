import EventStore
import Foundation
import Testing
@testable import DetectionPacks

/// The repository root, from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct DetectionPackTests {
    @Test func parsesAPackWithEveryField() throws {
        let pack = try DetectionPack(yaml: """
            pack: p
            description: d
            filters:
              - name: a
                pattern: '{ $.eventName = "StopInstances" }'
                namespace: EC2
                metricName: Stops
                metricValue: '$.n'
                dimensions:
                  InstanceId: '$.requestParameters.instancesSet.items[0].instanceId'
                unit: Count
                source: other
            """, file: "p.yaml")
        #expect(pack.name == "p" && pack.description == "d")
        #expect(pack.filters == [MetricFilterDefinition(
            name: "a", pattern: #"{ $.eventName = "StopInstances" }"#, namespace: "EC2", metricName: "Stops", metricValue: "$.n",
            dimensions: ["InstanceId": "$.requestParameters.instancesSet.items[0].instanceId"], unit: "Count", log: "other")])
    }

    @Test(arguments: [
        ("pack: p\nfilters:\n  - name: a\n    namespace: N\n    metricName: M\n", "p.yaml:3: filters[0]: missing 'pattern'"),
        ("pack: p\nfilters:\n  - name: a\n    pattern: x\n    namespace: N\n    metricName: M\n    colour: red\n", "p.yaml:7: filters[0]: unknown field 'colour'"),
        ("filters: []\n", "p.yaml:1: pack: missing 'pack'"),
        ("pack: p\nfilters: {}\n", "p.yaml:2: 'filters' must be a list"),
        ("pack: p\nfilters:\n  - name: a\n    pattern: '{ $.x = \"unterminated }'\n    namespace: N\n    metricName: M\n", "p.yaml:3: filters[0] (a): "),
        ("pack: p\nfilters:\n  - name: a\n    pattern: '{ $.x = 1 }'\n    namespace: N\n    metricName: M\n    defaultValue: 0\n    dimensions:\n      X: '$.x'\n",
         "p.yaml:3: filters[0] (a): a default value cannot be combined with dimensions"),
    ])
    func errorsNameFileLineAndField(yaml: String, expected: String) {
        do {
            _ = try DetectionPack(yaml: yaml, file: "p.yaml")
            Issue.record("accepted a bad pack")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func everyShippedPackLoads() throws {
        let models = repoRoot.appendingPathComponent("models")
        let files = try FileManager.default.contentsOfDirectory(atPath: models.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == ["auth-failures.yaml", "cis-aws-foundations.yaml", "ec2-lifecycle.yaml"])
        for f in files {
            let text = try String(contentsOf: models.appendingPathComponent(f), encoding: .utf8)
            let pack = try DetectionPack(yaml: text, file: f)
            #expect(!pack.filters.isEmpty, "\(f)")
        }
    }

    @Test func cisPackUsesThePublishedPatternsExactly() throws {
        let spec = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/specs/cis-metric-filters.json")
        guard let data = FileManager.default.contents(atPath: spec.path) else {
            Issue.record("the CIS reference \(spec.path) is missing: the shared specs must sit beside the repository")
            return
        }
        let published = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        let pack = try DetectionPack(yaml: try String(contentsOf: repoRoot.appendingPathComponent("models/cis-aws-foundations.yaml"), encoding: .utf8),
                                     file: "cis-aws-foundations.yaml")
        #expect(pack.filters.count == 15)
        #expect(Set(pack.filters.map(\.pattern)) == Set(published.map { $0["filterPattern"] as! String }))
    }
}
