import Foundation
import Testing
import TrailJSON

/// The demo's report, loaded in a real browser (headless Chromium): it renders to a non-trivial
/// screenshot, the page logs nothing to the console, and the charts drew: one SVG per metric
/// section, and each series path has exactly the points the min/max-per-column rule gives for
/// the stored series.
///
/// CI installs Chromium (`.ci/run`); without it this test fails, saying how to install it.
/// `TRAILWATCH_SKIP_BROWSER=1` skips it, visibly.
@Suite struct BrowserTests {
    static let skip = ProcessInfo.processInfo.environment["TRAILWATCH_SKIP_BROWSER"] == "1"

    static func chromium() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for dir in path.split(separator: ":") {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    static let flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"]

    /// The points the report must draw for `values` in `columns` columns: every finite value when
    /// they fit; else per column its minimum and maximum, one point when they are the same period.
    static func expectedPoints(_ values: [Double], columns: Int) -> Int {
        let n = values.count
        if n <= columns { return values.filter(\.isFinite).count }
        var total = 0
        for c in 0..<columns {
            let slice = Array(values[(c * n / columns)..<((c + 1) * n / columns)])
            guard let lo = slice.indices.min(by: { slice[$0] < slice[$1] || (slice[$0] == slice[$1] && $0 < $1) }),
                  let hi = slice.indices.min(by: { slice[$0] > slice[$1] || (slice[$0] == slice[$1] && $0 < $1) }) else { continue }
            total += lo == hi ? 1 : 2
        }
        return total
    }

    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let r = tag.range(of: "\(name)=\"") else { return nil }
        let rest = tag[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    @Test(.enabled(if: !skip, "TRAILWATCH_SKIP_BROWSER=1: the headless Chromium check of the report is skipped"))
    func theDemoReportRendersInHeadlessChromium() throws {
        guard let browser = Self.chromium() else {
            Issue.record("chromium is not installed: `apt-get install -y chromium` (.ci/run does), or set TRAILWATCH_SKIP_BROWSER=1 to skip this check")
            return
        }
        let demo = DemoRun.shared
        try #require(demo.result.status == 0, "demo failed: \(demo.result.stderr)")
        let url = demo.report.absoluteString
        let profile = demo.out.appendingPathComponent("chromium-profile").path

        // The screenshot: a real PNG of the requested size, with content (a blank page compresses to a few KB).
        let png = demo.out.appendingPathComponent("report.png")
        let shot = try CLI.run(Self.flags + ["--user-data-dir=\(profile)", "--screenshot=\(png.path)", "--window-size=1400,3000", "--hide-scrollbars", url], executable: URL(fileURLWithPath: browser))
        #expect(shot.status == 0, "chromium --screenshot: \(shot.stderr.suffix(2000))")
        let bytes = try [UInt8](Data(contentsOf: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == 1400 && be32(20) == 3000, "PNG is \(be32(16))x\(be32(20))")
        #expect(bytes.count > 60_000, "screenshot is only \(bytes.count) bytes: the page looks empty")

        // The DOM after load, with the page's console on stderr.
        let dom = try CLI.run(Self.flags + ["--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0", "--dump-dom", url], executable: URL(fileURLWithPath: browser))
        #expect(dom.status == 0, "chromium --dump-dom: \(dom.stderr.suffix(2000))")
        let console = dom.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "the page logged to the console:\n\(console.joined(separator: "\n"))")
        let html = dom.stdout
        #expect(html.contains("<h1>Trailwatch report</h1>") && html.contains("</html>"))

        // One chart per metric section, and every chart drew its series.
        let sections = html.components(separatedBy: "class=\"card metric\"").count - 1
        let charts = html.components(separatedBy: "<svg class=\"chart\"").count - 1
        #expect(sections >= 20 && charts == sections, "\(sections) metric sections, \(charts) charts")
        let paths = html.components(separatedBy: "<path class=\"series\"").dropFirst().map { $0.prefix { $0 != ">" } }
        #expect(paths.count == charts)
        for tag in paths {
            let d = Self.attribute("d", in: tag) ?? ""
            let drawn = d.filter { $0 == "M" || $0 == "L" }.count
            #expect(drawn > 0 && String(drawn) == Self.attribute("data-points", in: tag), "path draws \(drawn) points, says \(Self.attribute("data-points", in: tag) ?? "-")")
        }

        // One chart checked against the stored series: the whole trail at 5 minutes (8,061 periods)
        // in 1,118 columns, so min/max downsampling is what it shows.
        let info = try JSONValue.parse(try CLI.run(["events", "info", "--json", "--db", demo.db]).stdout)
        let first = try #require(info["firstEventTime"]?.stringValue), last = try #require(info["lastEventTime"]?.stringValue)
        let series = try CLI.run(["metrics", "get", "AuthFailures/AccessDenied", "--period", "5m", "--stat", "Sum", "--fill", "0", "--format", "json",
                                  "--start", first, "--end", last, "--db", demo.db])
        let points = try #require(JSONValue.parse(series.stdout)["datapoints"]?.arrayValue)
        let values = points.compactMap { p -> Double? in if case .number(let v)? = p["value"] { return v } else { return nil } }
        let chart = try #require(html.range(of: "id=\"chart-metric-authfailures-accessdenied\""), "no AccessDenied chart")
        let tag = try #require(html[chart.upperBound...].components(separatedBy: "<path class=\"series\"").dropFirst().first?.prefix { $0 != ">" })
        let columns = Int(Self.attribute("data-columns", in: tag) ?? "") ?? 0
        #expect(Self.attribute("data-periods", in: tag) == String(values.count), "chart periods vs \(values.count) stored")
        #expect(values.count > columns, "the check needs a series longer than the chart is wide")
        #expect(Self.attribute("data-points", in: tag) == String(Self.expectedPoints(values, columns: columns)))
        #expect(values.max() == 32, "the 2026-10-12 AccessDenied burst peaks at 32 per 5 minutes")
    }
}
