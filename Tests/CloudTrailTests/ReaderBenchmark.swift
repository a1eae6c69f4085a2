import Foundation
import TestSupport
import Testing

@testable import CloudTrail

/// Throughput measurement, not a test: skipped unless TRAILWATCH_BENCH is set. Run in release:
///
///     TRAILWATCH_BENCH=1 swift test -c release -Xswiftc -enable-testing --disable-xctest --filter readerThroughput
///
/// TRAILWATCH_BENCH_MB sets the decoded size (default 250).
@Suite struct ReaderBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TRAILWATCH_BENCH"] != nil))
    func readerThroughput() throws {
        let megabytes = Int(ProcessInfo.processInfo.environment["TRAILWATCH_BENCH_MB"] ?? "") ?? 250
        let dir = TempDir()
        let jsonPath = dir.path("bench.json")
        let gzPath = dir.path("bench.json.gz")
        let ndPath = dir.path("bench.ndjson")
        let lookupPath = dir.path("bench-lookup.json")
        var rng = SplitMix(seed: 7)
        var count = 0
        var decoded = 0
        do {
            _ = FileManager.default.createFile(atPath: jsonPath, contents: nil)
            _ = FileManager.default.createFile(atPath: gzPath, contents: nil)
            _ = FileManager.default.createFile(atPath: ndPath, contents: nil)
            _ = FileManager.default.createFile(atPath: lookupPath, contents: nil)
            let json = try FileHandle(forWritingTo: URL(fileURLWithPath: jsonPath))
            let gz = try FileHandle(forWritingTo: URL(fileURLWithPath: gzPath))
            let nd = try FileHandle(forWritingTo: URL(fileURLWithPath: ndPath))
            let lookup = try FileHandle(forWritingTo: URL(fileURLWithPath: lookupPath))
            lookup.write(Data("{\"Events\":[".utf8))
            let enc = GzipEncoder(level: 6)
            var chunk = Array("{\"Records\":[".utf8)
            var lines = [UInt8]()
            var events = ""
            var out = [UInt8]()
            func flush(_ last: Bool) {
                decoded += chunk.count
                enc.compress(chunk, into: &out)
                if last { enc.finish(into: &out) }
                json.write(Data(chunk))
                gz.write(Data(out))
                nd.write(Data(lines))
                lookup.write(Data(events.utf8))
                events = ""
                chunk.removeAll(keepingCapacity: true)
                lines.removeAll(keepingCapacity: true)
                out.removeAll(keepingCapacity: true)
            }
            while decoded < megabytes * 1_000_000 {
                let text = realisticRecord(count, &rng)
                let r = Array(text.utf8)
                events += (count > 0 ? "," : "") + "{\"EventId\":\"\(count)\",\"EventName\":\"X\",\"ReadOnly\":\"true\",\"CloudTrailEvent\":" + quoted(text) + "}"
                if count > 0 { chunk.append(0x2C) }
                chunk += r
                lines += r
                lines.append(0x0A)
                count += 1
                if chunk.count > 4 << 20 { flush(false) }
            }
            chunk += Array("]}".utf8)
            flush(true)
            try json.close()
            try gz.close()
            try nd.close()
            lookup.write(Data("],\"NextToken\":\"t\"}".utf8))
            try lookup.close()
        }
        let gzSize = try FileManager.default.attributesOfItem(atPath: gzPath)[.size] as! Int
        print(String(format: "bench: %d records, %.1f MB decoded (avg %d B/record), %.1f MB gzip (%.1fx)",
                     count, Double(decoded) / 1e6, decoded / count, Double(gzSize) / 1e6, Double(decoded) / Double(gzSize)))

        func time(_ label: String, _ body: () throws -> Int) rethrows {
            var best = Double.infinity
            var n = 0
            for _ in 0..<3 {
                let start = ContinuousClock.now
                n = try body()
                let d = ContinuousClock.now - start
                best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            }
            // (String(format:) ignores the width of %@ on Linux, hence the padding.)
            print("bench: " + label.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: "%7.1f MB/s decoded  %8.0f records/s  (best of 3: %.3f s)",
                         Double(decoded) / 1e6 / best, Double(n) / best, best))
        }
        func readAllRecords(_ path: String) throws -> Int {
            let reader = try RecordReader(path: path)
            var n = 0
            var bytes = 0
            while let item = reader.next() {
                if case .record(let r) = item {
                    n += 1
                    bytes &+= r.bytes.count
                }
            }
            #expect(n == count)
            return n
        }
        try time("gunzip only (GzipDecoder, 128 KB)") {
            let fd = open(gzPath, O_RDONLY)
            defer { close(fd) }
            let dec = try GzipDecoder()
            let inBuf = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 << 10, alignment: 16)
            let outBuf = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 << 10, alignment: 16)
            defer { inBuf.deallocate(); outBuf.deallocate() }
            var total = 0
            while true {
                let n = read(fd, inBuf.baseAddress, inBuf.count)
                guard n > 0 else { break }
                var off = 0
                while true {
                    let (c, p) = try dec.decompress(UnsafeRawBufferPointer(rebasing: inBuf[off..<n]), into: outBuf)
                    off += c
                    total += p
                    if c == 0 && p == 0 { break }
                }
            }
            try dec.finish()
            #expect(total == decoded)
            return count
        }
        try time("RecordReader .json.gz") { try readAllRecords(gzPath) }
        try time("RecordReader .json (plain)") { try readAllRecords(jsonPath) }
        try time("RecordReader .ndjson (plain)") { try readAllRecords(ndPath) }
        // lookup-events: split, validate the envelope, unescape CloudTrailEvent (MB/s of records).
        try time("RecordReader lookup-events (plain)") { try readAllRecords(lookupPath) }
    }

    /// A management/data event of about 1.5 KB with the variety of a real trail (ids, IPs,
    /// nested identity, request parameters, escaped text), so gzip ratios are realistic too.
    func realisticRecord(_ i: Int, _ rng: inout SplitMix) -> String {
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        func hex(_ n: Int) -> String { String((0..<n).map { _ in "0123456789abcdef".randomElement(using: &rng)! }) }
        func upper(_ n: Int) -> String { String((0..<n).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".randomElement(using: &rng)! }) }
        func uuid() -> String { "\(hex(8))-\(hex(4))-\(hex(4))-\(hex(4))-\(hex(12))" }
        let account = pick(["123456789012", "210987654321", "555566667777"])
        let role = pick(["AWSReservedSSO_Admin_0123456789abcdef", "ci-deployer", "lambda-exec-orders", "eks-node-group"])
        let session = pick(["alice@example.com", "bob", "i-0\(hex(16))", "botocore-session-\(rng.next() % 100000)"])
        let (source, name) = pick([
            ("s3.amazonaws.com", "GetObject"), ("s3.amazonaws.com", "PutObject"), ("ec2.amazonaws.com", "DescribeInstances"),
            ("ec2.amazonaws.com", "RunInstances"), ("iam.amazonaws.com", "ListRoles"), ("sts.amazonaws.com", "AssumeRole"),
            ("kms.amazonaws.com", "Decrypt"), ("lambda.amazonaws.com", "Invoke"), ("logs.amazonaws.com", "PutLogEvents"),
        ])
        let region = pick(["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"])
        let ip = "\(rng.next() % 223 + 1).\(rng.next() % 256).\(rng.next() % 256).\(rng.next() % 256)"
        let agent = pick([
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.cp",
            "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0 Safari/537.36",
            "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/kms#1.30.0 \\\"quoted\\\"",
        ])
        let time = ISO8601.format(millis: 1_704_067_200_000 + Int64(i) * 1000 / 3 / 1000 * 1000)
        let readOnly = name.hasPrefix("Get") || name.hasPrefix("Describe") || name.hasPrefix("List") || name == "Decrypt"
        let params = pick([
            "{\"bucketName\":\"orders-\(account)\",\"Host\":\"orders-\(account).s3.\(region).amazonaws.com\",\"key\":\"incoming/2024/01/\(hex(12)).json\",\"x-id\":\"\(name)\"}",
            "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0\(hex(16))\"},{\"instanceId\":\"i-0\(hex(16))\"}]},\"filterSet\":{},\"includeAllInstances\":false}",
            "{\"roleArn\":\"arn:aws:iam::\(account):role/\(role)\",\"roleSessionName\":\"\(session)\",\"durationSeconds\":3600}",
            "{\"encryptionContext\":{\"aws:lambda:FunctionArn\":\"arn:aws:lambda:\(region):\(account):function:orders\"},\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}",
        ])
        let response = readOnly ? "null" : "{\"requestId\":\"\(uuid())\",\"result\":{\"status\":\"ok\",\"items\":[\(rng.next() % 100),\(rng.next() % 1000)]}}"
        return """
            {"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA\(upper(17)):\(session)",\
            "arn":"arn:aws:sts::\(account):assumed-role/\(role)/\(session)","accountId":"\(account)","accessKeyId":"ASIA\(upper(16))",\
            "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA\(upper(17))","arn":"arn:aws:iam::\(account):role/\(role)",\
            "accountId":"\(account)","userName":"\(role)"},"webIdFederationData":{},"attributes":{"creationDate":"\(time)","mfaAuthenticated":"false"}}},\
            "eventTime":"\(time)","eventSource":"\(source)","eventName":"\(name)","awsRegion":"\(region)","sourceIPAddress":"\(ip)",\
            "userAgent":"\(agent)","requestParameters":\(params),"responseElements":\(response),\
            "additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader"},\
            "requestID":"\(upper(16))","eventID":"\(uuid())","readOnly":\(readOnly),\
            "resources":[{"accountId":"\(account)","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::orders-\(account)"}],\
            "eventType":"AwsApiCall","managementEvent":\(source != "s3.amazonaws.com"),"recipientAccountId":"\(account)",\
            "eventCategory":"\(source == "s3.amazonaws.com" ? "Data" : "Management")",\
            "tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"\(source.replacingOccurrences(of: ".amazonaws.com", with: "")).\(region).amazonaws.com"}}
            """
    }
}
