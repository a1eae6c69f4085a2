import CloudTrail
import EventStore
import Foundation

/// A few-rows-high terminal chart of a series inside its band: bars for the actual values (eighth
/// blocks for the top of each bar), shading for the band, ▲ under periods outside the band.
///
/// When there are more periods than columns, each column summarises several: the largest actual,
/// the lowest lower and the highest upper edge, anomalous if any of them is. Maxima, so a
/// one-period spike never vanishes when two days are squeezed into a terminal.
enum BandChart {
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func terminalWidth(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let c = environment["COLUMNS"].flatMap(Int.init), c >= 20 { return min(c, 1000) }
        return 100
    }

    struct Column {
        var actual: Double?
        var lower: Double
        var upper: Double
        var anomaly: Bool
    }

    static func columns(_ points: [BandPoint], count: Int) -> [Column] {
        (0..<count).map { c in
            let from = c * points.count / count, to = max(from + 1, (c + 1) * points.count / count)
            let slice = points[from..<to]
            return Column(actual: slice.compactMap(\.actual).max(), lower: slice.map(\.lower).min()!, upper: slice.map(\.upper).max()!,
                          anomaly: slice.contains { $0.anomaly })
        }
    }

    static func render(_ points: [BandPoint], width: Int, height: Int = 8) -> String {
        guard !points.isEmpty, height > 0 else { return "(no periods)" }
        let values = points.compactMap(\.actual) + points.flatMap { [$0.lower, $0.upper] }
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        // Counts and other non-negative series keep 0 as the floor, so bar heights compare.
        if lo >= 0 { lo = 0 }
        if hi <= lo { hi = lo + 1 }
        let labels = [label(hi), label(lo)]
        let labelWidth = labels.map(\.count).max()!
        let plotWidth = max(10, width - labelWidth - 2)
        let cols = columns(points, count: min(plotWidth, points.count))
        let step = (hi - lo) / Double(height)

        var lines: [String] = []
        for row in stride(from: height - 1, through: 0, by: -1) {
            let bottom = lo + Double(row) * step, top = bottom + step
            var line = ""
            for col in cols {
                if let a = col.actual, a > bottom {
                    // Eighths of a cell, rounding so that a value just above the floor still shows.
                    let fill = a >= top ? 8 : max(1, Int(((a - bottom) / step * 8).rounded()))
                    line.append(eighths[min(8, fill)])
                } else if col.upper > bottom && col.lower < top {
                    line.append("░")
                } else {
                    line.append(" ")
                }
            }
            let yLabel = row == height - 1 ? labels[0] : row == 0 ? labels[1] : ""
            lines.append(String(repeating: " ", count: labelWidth - yLabel.count) + yLabel + " ┤" + line)
        }
        let marks = String(cols.map { $0.anomaly ? "▲" : "─" })
        lines.append(String(repeating: " ", count: labelWidth) + " └" + marks)
        let first = ISO8601.format(millis: points.first!.timeMillis)
        let last = ISO8601.format(millis: points.last!.timeMillis)
        let gap = max(1, cols.count - first.count - last.count)
        lines.append(String(repeating: " ", count: labelWidth + 2) + first + String(repeating: " ", count: gap) + last)
        let perColumn = Double(points.count) / Double(cols.count)
        let scale = perColumn > 1.001 ? String(format: ", %.1f periods per column (max shown)", perColumn) : ""
        lines.append(String(repeating: " ", count: labelWidth + 2) + "█ actual  ░ band  ▲ outside the band" + scale)
        return lines.joined(separator: "\n")
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int64(v)) }
        return String(format: abs(v) >= 100 ? "%.0f" : "%.2f", v)
    }
}
