import CloudTrail
import Testing
@testable import TrailGenerator

@Suite struct DeterminismTests {
    static func objects(_ config: GeneratorConfig) throws -> [(path: String, contents: [UInt8])] {
        var sink = MemorySink()
        _ = try TrailGenerator(config: config).generate(into: &sink)
        return sink.objects
    }

    @Test func sameArgumentsGiveIdenticalBytes() throws {
        let config = GeneratorConfig(days: 2, eventsPerDay: 300, seed: 123)
        let a = try Self.objects(config), b = try Self.objects(config)
        #expect(a.count == b.count)
        #expect(a.map(\.path) == b.map(\.path))
        #expect(a.map(\.contents) == b.map(\.contents))
        let la = try TrailGenerator(config: config), lb = try TrailGenerator(config: config)
        #expect(la.incidentLabels == lb.incidentLabels)
    }

    @Test func differentSeedGivesDifferentTrail() throws {
        let a = try Self.objects(GeneratorConfig(days: 1, eventsPerDay: 300, seed: 1))
        let b = try Self.objects(GeneratorConfig(days: 1, eventsPerDay: 300, seed: 2))
        #expect(a.map(\.path) != b.map(\.path))
        #expect(Set(a.map(\.contents)).isDisjoint(with: Set(b.map(\.contents))))
    }

    @Test func compressionLevelChangesBytesNotContent() throws {
        let fast = try Self.objects(GeneratorConfig(days: 1, eventsPerDay: 200, seed: 5, compressionLevel: 1))
        let best = try Self.objects(GeneratorConfig(days: 1, eventsPerDay: 200, seed: 5, compressionLevel: 9))
        #expect(fast.map(\.path) == best.map(\.path))
        #expect(try fast.map { try gunzip($0.contents) } == best.map { try gunzip($0.contents) })
        #expect(fast.map(\.contents.count).reduce(0, +) > best.map(\.contents.count).reduce(0, +))
    }

    @Test func reusedEncoderRoundTripsAndRepeatsItself() throws {
        let gz = GzipEncoder(level: 6)
        let text = Array(String(repeating: "{\"Records\":[]} héllo ", count: 500).utf8)
        #expect(try gunzip(gz.member(text)) == text)
        #expect(try gunzip(gz.member([])) == [])
        #expect(gz.member(text) == gz.member(text))
    }
}
