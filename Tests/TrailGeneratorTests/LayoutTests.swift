import Foundation
import Testing
import TrailJSON
@testable import TrailGenerator

@Suite struct LayoutTests {
    static var pathPattern: Regex<AnyRegexOutput> { try! Regex(
        #"^AWSLogs/(\d{12})/CloudTrail/([a-z]{2}(?:-[a-z]+)+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z]{2}(?:-[a-z]+)+-\d)_(\d{8})T(\d{2})(\d{2})Z_[A-Za-z0-9]{16}\.json\.gz$"#) }

    @Test func pathsFollowTheS3DeliveryLayout() throws {
        let accounts = Set(weekTrail.summary.accountIds)
        var perSlot: [String: Int] = [:]
        for file in weekTrail.files {
            let m = try #require(file.path.wholeMatch(of: Self.pathPattern), "\(file.path)")
            let g = (1...10).map { String(m.output[$0].substring!) }
            #expect(g[0] == g[5], "account in folder and name differ: \(file.path)")
            #expect(g[1] == g[6], "region in folder and name differ: \(file.path)")
            #expect(g[2] + g[3] + g[4] == g[7], "folder date is not the file's delivery date: \(file.path)")
            #expect(Int(g[9])! % 5 == 0, "delivery minute not on a 5-minute step: \(file.path)")
            #expect(accounts.contains(g[0]))
            #expect(weekTrail.config.regions.contains(g[1]))
            perSlot[g[0] + g[1] + g[7] + g[8] + g[9], default: 0] += 1
        }
        #expect(perSlot.values.allSatisfy { $0 == 1 }, "more than one file for an account/region/slot")
        #expect(weekTrail.files.count == weekTrail.summary.files)
    }

    @Test func eachFileIsOneCompactRecordsObject() throws {
        for file in weekTrail.files {
            #expect(!file.json.contains(UInt8(ascii: "\n")), "\(file.path) is not a single line")
            #expect(file.json.starts(with: Array("{\"Records\":[".utf8)))
            let root = try JSONValue.parse(file.json)
            #expect(root.objectValue?.keys == ["Records"])
            #expect(!file.records.isEmpty)
            // gzip header: magic, deflate, no flags, mtime 0 (reproducible bytes).
            #expect(Array(file.gzip.prefix(8)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0])
        }
    }

    @Test func eventsAreNeverNewerThanTheirFileAndSomeArriveLate() throws {
        var late = 0, unsortedFiles = 0
        for file in weekTrail.files {
            let m = try #require(file.path.wholeMatch(of: Self.pathPattern))
            let stamp = String(m.output[8].substring!)
            let delivered = try #require(epoch("\(stamp.prefix(4))-\(stamp.dropFirst(4).prefix(2))-\(stamp.suffix(2))T\(m.output[9].substring!):\(m.output[10].substring!):00Z"))
            var previous: Int64 = .min
            var sorted = true
            for r in file.records {
                let t = try #require(epoch(r["eventTime"]?.stringValue ?? ""))
                #expect(t <= delivered, "\(file.path): eventTime after delivery")
                #expect(delivered - t <= 600, "\(file.path): record older than two files")
                if delivered - t > 300 { late += 1 }
                if t < previous { sorted = false }
                previous = t
            }
            if !sorted { unsortedFiles += 1 }
        }
        let total = weekTrail.summary.events
        #expect(late > 0 && Double(late) < Double(total) * 0.05, "late records: \(late) of \(total)")
        #expect(unsortedFiles > 0, "every file perfectly sorted")
    }

    @Test func recordsSitInTheirAccountAndRegionFolder() throws {
        for file in weekTrail.files {
            let parts = file.path.split(separator: "/")
            for r in file.records {
                #expect(r["recipientAccountId"]?.stringValue == String(parts[1]))
                #expect(r["awsRegion"]?.stringValue == String(parts[3]))
            }
        }
    }
}
