import Foundation
import Testing
import TrailJSON

@testable import CloudTrail

/// A scratch directory per test, removed when the value goes away.
final class TempDir {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("trailwatch-readers-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = url.appendingPathComponent(name).path
        let dir = (path as NSString).deletingLastPathComponent
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A reader item reduced to comparable values.
enum Got: Equatable, CustomStringConvertible {
    case record(text: String, index: Int, offset: Int, line: Int?, timestamp: Int64?, ingestion: Int64?, stream: String?)
    case problem(RecordProblem)

    init(_ item: ReaderItem) {
        switch item {
        case .record(let r):
            self = .record(
                text: String(decoding: r.bytes, as: UTF8.self), index: r.index, offset: r.offset, line: r.line,
                timestamp: r.timestampMillis, ingestion: r.ingestionTimeMillis, stream: r.logStream)
        case .problem(let p): self = .problem(p)
        }
    }

    var text: String? { if case .record(let t, _, _, _, _, _, _) = self { return t }; return nil }
    var problem: RecordProblem? { if case .problem(let p) = self { return p }; return nil }
    var isRecord: Bool { text != nil }

    var description: String {
        switch self {
        case .record(let t, let i, let o, let l, let ts, _, _): return "record#\(i)@\(o) line \(l.map(String.init) ?? "-") ts \(ts.map(String.init) ?? "-"): \(t.prefix(60))"
        case .problem(let p): return "problem: \(p)"
        }
    }
}

struct ReadResult {
    var items: [Got]
    var format: InputFormat
    var compressed: Int
    var decoded: Int
    var highWater: Int

    var records: [String] { items.compactMap(\.text) }
    var problems: [RecordProblem] { items.compactMap(\.problem) }
}

func readAll(_ path: String, format: InputFormat = .auto, chunk: Int? = nil) throws -> ReadResult {
    let reader = try RecordReader(path: path, format: format)
    if let chunk { reader.fillSize = chunk }
    var items: [Got] = []
    while let item = reader.next() { items.append(Got(item)) }
    #expect(reader.next() == nil)
    return ReadResult(
        items: items, format: reader.format, compressed: reader.compressedBytesRead, decoded: reader.decodedBytes,
        highWater: reader.bufferHighWater)
}

func gzip(_ text: String, level: Int32 = 6) -> [UInt8] { GzipEncoder.compress(Array(text.utf8), level: level) }

/// A CloudTrail-like record with the awkward parts: escaped quotes and backslashes, brackets
/// and braces inside strings, unicode, nesting, numbers, booleans and null.
func sampleRecord(_ i: Int, padding: Int = 0) -> String {
    let pad = String(repeating: "x", count: padding)
    return #"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA\#(i)","arn":"arn:aws:iam::123456789012:user/al\"ice","accountId":"123456789012","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2024-01-02T03:04:\#(String(format: "%02d", i % 60))Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.\#(i % 256)","userAgent":"aws-cli/2 \\\"quoted\\\" ]}[{ \\\\","requestParameters":{"bucketName":"b]}","key":"k\"[{\\","n":[1,2.5,-3e2,true,false,null]},"responseElements":null,"eventID":"e-\#(i)","readOnly":true,"note":"caf\u00e9 ✓ \#(pad)","eventType":"AwsApiCall"}"#
}

/// JSON string literal for embedding text (as lookup-events and CloudWatch Logs do).
func quoted(_ s: String) -> String { JSONValue.quoted(s) }
