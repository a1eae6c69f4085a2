import CZlib
import Foundation
import TrailJSON
@testable import TrailGenerator

/// gunzip through zlib (windowBits 15 + 32: accept the gzip header).
func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    guard czlib_inflateInit2(&stream, 15 + 32) == Z_OK else { throw TestFailure("inflateInit2") }
    defer { inflateEnd(&stream) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    var rc: Int32 = Z_OK
    try data.withUnsafeBufferPointer { input in
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = uInt(input.count)
        repeat {
            let produced: Int = chunk.withUnsafeMutableBufferPointer { buf in
                stream.next_out = buf.baseAddress
                stream.avail_out = uInt(buf.count)
                rc = inflate(&stream, Z_NO_FLUSH)
                return buf.count - Int(stream.avail_out)
            }
            guard rc == Z_OK || rc == Z_STREAM_END else { throw TestFailure("inflate returned \(rc)") }
            out += chunk[0..<produced]
        } while rc != Z_STREAM_END
    }
    return out
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One delivered object, decompressed and parsed.
struct TrailFile: Sendable {
    var path: String
    var gzip: [UInt8]
    var json: [UInt8]
    var records: [JSONValue]
}

struct GeneratedTrail: Sendable {
    var config: GeneratorConfig
    var files: [TrailFile]
    var summary: GenerationSummary
    var labels: JSONValue

    static func make(_ config: GeneratorConfig) throws -> GeneratedTrail {
        let generator = try TrailGenerator(config: config)
        var sink = MemorySink()
        let summary = try generator.generate(into: &sink)
        var files: [TrailFile] = []
        for (path, bytes) in sink.objects {
            let json = try gunzip(bytes)
            guard let records = try JSONValue.parse(json)["Records"]?.arrayValue else { throw TestFailure("\(path): no Records array") }
            files.append(TrailFile(path: path, gzip: bytes, json: json, records: records))
        }
        let labels = try JSONValue.parse(generator.labelsJSON(summary: summary, command: config.commandLine(out: "out")))
        return GeneratedTrail(config: config, files: files, summary: summary, labels: labels)
    }

    var records: [JSONValue] { files.flatMap(\.records) }
}

/// Shared fixtures: generated once per test process (global lets initialise lazily and safely).
let weekTrail: GeneratedTrail = try! GeneratedTrail.make(GeneratorConfig(days: 7, eventsPerDay: 400, seed: 42))
let quietTrail: GeneratedTrail = try! GeneratedTrail.make(GeneratorConfig(days: 2, eventsPerDay: 300, seed: 9, anomalies: .none))

/// Epoch seconds of `YYYY-MM-DDTHH:MM:SSZ`.
func epoch(_ s: String) -> Int64? { UTC.parseISO(s) }
