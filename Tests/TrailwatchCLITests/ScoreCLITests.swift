import Foundation
import Testing

@Suite struct ScoreCLITests {
    /// Ten days of a 5-minute sine wave with one spike, in the space-separated timestamp format.
    static func csv(header: Bool, spikeAt: Int = 2000, bad: Bool = false) -> String {
        var lines = header ? ["timestamp,value"] : []
        for i in 0..<(10 * 288) {
            let t = Date(timeIntervalSince1970: 1_790_812_800 + Double(i) * 300)
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let v = 50 + 10 * sin(2 * Double.pi * Double(i % 288) / 288) + (i == spikeAt ? 40 : 0) + Double((i * 7919) % 13) / 13
            lines.append("\(f.string(from: t)),\(String(format: "%.3f", v))")
            if bad && i == 5 { lines.append("2026-10-01 00:30:00,oops") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func scoresStdinToStdoutInSample() throws {
        let r = try CLI.run(["models", "score", "--csv", "-", "--out", "-"], stdin: Data(Self.csv(header: true).utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "timestamp,value,anomaly_score,expected,lower,upper")
        #expect(lines.count == 10 * 288 + 1)
        let spike = lines[2001].split(separator: ",", omittingEmptySubsequences: false)
        #expect(Double(spike[2])! > 0.999)
        let quiet = lines[100].split(separator: ",", omittingEmptySubsequences: false)
        #expect(Double(quiet[2])! < 0.99 && Double(quiet[4])! < Double(quiet[3])! && Double(quiet[3])! < Double(quiet[5])!)
        #expect(r.stderr.contains("gaussian model"))
    }

    @Test func onlineLeavesEarlyRowsEmptyAndReportsBadRows() throws {
        let ws = Workspace()
        try ws.write("in.csv", Self.csv(header: false, bad: true))
        let r = try CLI.run(["models", "score", "--csv", ws.path("in.csv"), "--out", ws.path("out.csv"), "--online", "--period", "5m"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("in.csv:7: 'oops' is not a finite number"))
        let out = try String(contentsOfFile: ws.path("out.csv"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(out[1].hasSuffix(",,,,"), "INSUFFICIENT_DATA rows have empty cells")
        #expect(!out[3 * 288].hasSuffix(",,,,"))
        let strict = try CLI.run(["models", "score", "--csv", ws.path("in.csv"), "--out", ws.path("out2.csv"), "--strict"])
        #expect(strict.status != 0 && strict.stderr.contains("in.csv:7:"))
    }

    @Test func countsGetNonNegativeBands() throws {
        var text = "timestamp,value\n"
        for i in 0..<(7 * 288) { text += "2026-10-01T00:00:00Z".isEmpty ? "" : "\(1_790_812_800 + i * 300),\((i * 31) % 7 == 0 ? 1 : 0)\n" }
        // Epoch seconds are not a timestamp format: every row is bad, and that is an error.
        let r = try CLI.run(["models", "score", "--csv", "-"], stdin: Data(text.utf8))
        #expect(r.status != 0 && r.stderr.contains("no data rows"))
        let iso = (0..<(7 * 288)).map { i -> String in
            let d = Date(timeIntervalSince1970: 1_790_812_800 + Double(i) * 300)
            return ISO8601DateFormatter().string(from: d) + ",\((i * 31) % 7 == 0 ? 1 : 0)"
        }.joined(separator: "\n")
        let ok = try CLI.run(["models", "score", "--csv", "-"], stdin: Data(iso.utf8))
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("count model"))
        for line in ok.stdout.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(Double(f[4])! >= 0)
        }
    }
}
