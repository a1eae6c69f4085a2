import Foundation
import Testing
import TrailJSON
@testable import TrailGenerator

@Suite struct DirectoryOutputTests {
    @Test func writesTheSameObjectsAsMemoryPlusLabels() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailgen-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = GeneratorConfig(days: 1, eventsPerDay: 200, seed: 8)
        let generator = try TrailGenerator(config: config)
        let summary = try generator.generate(toDirectory: dir + "/nested/out")
        var memory = MemorySink()
        _ = try generator.generate(into: &memory)
        for (path, bytes) in memory.objects {
            #expect(FileManager.default.contents(atPath: "\(dir)/nested/out/\(path)").map(Array.init) == bytes, "\(path)")
        }
        let labels = try JSONValue.parse(Array(try #require(FileManager.default.contents(atPath: dir + "/nested/out/labels.json"))))
        #expect(labels["generator"]?["command"]?.stringValue == config.commandLine(out: dir + "/nested/out"))
        #expect(labels["incidents"]?.arrayValue?.count == summary.incidents.count)

        // A second trail must not be mixed into the first…
        #expect(throws: GeneratorError.self) { _ = try generator.generate(toDirectory: dir + "/nested/out") }
        // …unless asked to replace it.
        let again = try generator.generate(toDirectory: dir + "/nested/out", overwrite: true)
        #expect(again.files == summary.files)
    }

    @Test func unwritableOutputNamesThePath() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trailgen-file-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let generator = try TrailGenerator(config: GeneratorConfig(days: 1, eventsPerDay: 10))
        #expect {
            _ = try generator.generate(toDirectory: file + "/out")
        } throws: { error in
            "\(error)".contains(file)
        }
    }
}
