// Filter-pattern matching speed on CloudTrail records (one record per line, NDJSON).
// Built and run by bench/filters.sh; not part of the package so it cannot slow the build.
import FilterPatterns
import Foundation
import TrailJSON

@main
struct FilterBench {
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Best of `runs` passes over all records: events per CPU second, and matches per pass.
    static func measure(_ records: [Range<Int>], _ data: UnsafeRawBufferPointer, runs: Int,
                        _ body: (UnsafeRawBufferPointer) -> Int) -> (rate: Double, matches: Int) {
        // Each run passes over the records enough times to take a measurable while.
        let passes = max(1, 300_000 / max(records.count, 1))
        var best = Double.infinity
        var matched = 0
        for _ in 0..<runs {
            let start = cpuSeconds()
            var m = 0
            for _ in 0..<passes {
                for r in records { m &+= body(UnsafeRawBufferPointer(rebasing: data[r])) }
            }
            best = min(best, cpuSeconds() - start)
            matched = m / passes
        }
        return (Double(records.count * passes) / best, matched)
    }

    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            print("usage: filter-bench RECORDS.ndjson cis-metric-filters.json [runs]")
            return
        }
        let runs = args.count > 3 ? Int(args[3]) ?? 5 : 5
        let only = args.count > 4 ? args[4] : nil
        let data = try Data(contentsOf: URL(fileURLWithPath: args[1]))
        let spec = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: args[2])))
        let cis = try spec.arrayValue!.map { (id: $0["id"]!.stringValue!, pattern: try FilterPattern($0["filterPattern"]!.stringValue!)) }

        try data.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
            var records: [Range<Int>] = []
            var start = 0
            for (i, b) in all.enumerated() where b == 0x0A {
                if i > start { records.append(start..<i) }
                start = i + 1
            }
            if start < all.count { records.append(start..<all.count) }
            let bytes = records.reduce(0) { $0 + $1.count }
            print("records: \(records.count), mean size \(bytes / max(records.count, 1)) B, best of \(runs) runs, one core")
            print(String(repeating: "-", count: 78))

            func row(_ name: String, _ r: (rate: Double, matches: Int)) {
                let rate = String(format: "%10.0f", r.rate)
                print("\(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(rate) ev/s  \(r.matches) matched")
            }

            let single: [(String, String)] = [
                ("JSON  { $.eventName = ConsoleLogin }", "{ $.eventName = ConsoleLogin }"),
                ("JSON  { $.sourceIPAddress = 10.* }", "{ $.sourceIPAddress = 10.* }"),
                ("JSON  { $.errorCode = * } (absent in most)", "{ $.errorCode = * }"),
            ]
            func wanted(_ section: String) -> Bool { only == nil || only == section }
            for (name, text) in single where wanted("single") {
                let p = try FilterPattern(text)
                row(name, measure(records, all, runs: runs) { p.matches($0) ? 1 : 0 })
            }
            for c in cis where wanted("single") && ["CloudWatch.1", "CloudWatch.3", "CloudWatch.4", "CIS-4.15"].contains(c.id) {
                row("JSON  CIS \(c.id) alone", measure(records, all, runs: runs) { c.pattern.matches($0) ? 1 : 0 })
            }

            let each = wanted("separate") || only == nil
                ? measure(records, all, runs: runs) { m in cis.reduce(0) { $0 + ($1.pattern.matches(m) ? 1 : 0) } } : (rate: 1.0, matches: 0)
            if wanted("separate") { row("15 CIS patterns, each matched separately", each) }
            let evaluator = FilterEvaluator(try cis.map {
                (pattern: $0.pattern, transformation: try MetricTransformation(namespace: "CISBenchmark", name: $0.id.replacingOccurrences(of: ".", with: "_")))
            })
            var outcomes: [FilterOutcome] = []
            if wanted("cis") {
                let together = measure(records, all, runs: runs) { m in
                    evaluator.evaluate(m, into: &outcomes)
                    return outcomes.reduce(0) { $0 + ($1 == .noMatch ? 0 : 1) }
                }
                row("15 CIS filters, one FilterEvaluator pass", together)
                if only == nil { print(String(format: "  evaluator / separate: %.2fx", together.rate / each.rate)) }
            }

            let dims = FilterEvaluator([(try FilterPattern("{ $.eventName = * }"),
                try MetricTransformation(namespace: "N", name: "ByEventAndRegion", dimensions: ["Event": "$.eventName", "Region": "$.awsRegion"]))])
            if wanted("other") {
                row("JSON with 2 dimensions (a match on every event)", measure(records, all, runs: runs) { m in
                    dims.evaluate(m, into: &outcomes)
                    return outcomes[0] == .noMatch ? 0 : 1
                })
            }

            let others: [(String, String)] = [
                ("terms  ConsoleLogin", "ConsoleLogin"),
                ("terms  ?AccessDenied ?UnauthorizedOperation", "?AccessDenied ?UnauthorizedOperation"),
                ("regex  %eventName\\x22:\\x22Delete[A-Z]%", #"%eventName\x22:\x22Delete[A-Z]%"#),
                ("regex  %[0-9]{3}\\.[0-9]{1,3}\\.%", #"%[0-9]{3}\.[0-9]{1,3}\.%"#),
            ]
            for (name, text) in others where wanted("other") {
                let p = try FilterPattern(text)
                row(name, measure(records, all, runs: runs) { p.matches($0) ? 1 : 0 })
            }
        }
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) { print("loadavg: \(load)", terminator: "") }
    }
}
