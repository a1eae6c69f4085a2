import Alarms
import Baselines
import EventStore
import Foundation

/// One metric's chart as inline SVG: the series, its expected band, anomaly intervals, static
/// thresholds, the model's training window, UTC time axis, y axis with units, hover titles, and
/// one alarm state strip per alarm under the plot. Pure: a string from values.
///
/// The SVG has a fixed viewBox and scales to the page width, so coordinates are in viewBox units.
enum ReportChart {
    static let width = 1200.0
    static let left = 64.0, right = 18.0, top = 14.0
    static let plotHeight = 210.0
    static let axisHeight = 34.0
    static let stripHeight = 16.0, stripGap = 6.0
    /// Drawing columns: series longer than this are reduced to a minimum and a maximum per column.
    static var plotWidth: Int { Int(width - left - right) }
    /// Hover targets per chart: enough to read any interval, few enough to keep the file small.
    static let hoverColumns = 120
    /// Peak scores from here on are drawn (and counted in the overview) as strong anomalies.
    static let strongScore = 0.99

    static let colors = (series: "#1f2937", band: "#bfdbfe", expected: "#3b82f6", anomaly: "#dc2626", threshold: "#d97706",
                         training: "#f3f4f6", grid: "#e5e7eb", axis: "#6b7280",
                         ok: "#16a34a", alarm: "#dc2626", insufficient: "#9ca3af")

    // MARK: Downsampling

    /// A drawn point: x in plot columns (0 …< plotWidth), the value, and the period it came from.
    struct Point: Equatable {
        var x: Double
        var value: Double
        var index: Int
    }

    /// The points to draw for `values` in `columns` drawing columns, split into runs at missing
    /// values. Up to `columns` values: every finite value at its own x. More: each column keeps
    /// its minimum and maximum (in time order; one point when they are the same period), so a
    /// one-period spike is never lost and nothing is truncated. A column without any finite
    /// value breaks the line, as a missing period does.
    static func downsample(_ values: [Double], columns: Int) -> [[Point]] {
        let n = values.count
        guard n > 0, columns > 0 else { return [] }
        var runs: [[Point]] = []
        var run: [Point] = []
        func flush() { if !run.isEmpty { runs.append(run); run = [] } }
        if n <= columns {
            let step = Double(columns) / Double(n)
            for (i, v) in values.enumerated() {
                if v.isFinite { run.append(Point(x: (Double(i) + 0.5) * step, value: v, index: i)) } else { flush() }
            }
            flush()
            return runs
        }
        for c in 0..<columns {
            let lo = c * n / columns, hi = (c + 1) * n / columns
            var minI = -1, maxI = -1
            for i in lo..<hi where values[i].isFinite {
                if minI < 0 || values[i] < values[minI] { minI = i }
                if maxI < 0 || values[i] > values[maxI] { maxI = i }
            }
            guard minI >= 0 else { flush(); continue }
            let x = Double(c) + 0.5
            let first = min(minI, maxI), second = max(minI, maxI)
            run.append(Point(x: x, value: values[first], index: first))
            if second != first { run.append(Point(x: x, value: values[second], index: second)) }
        }
        flush()
        return runs
    }

    /// Band bounds per drawing column: the lowest lower and the highest upper bound of the periods
    /// in it (or one per period when there are fewer periods than columns).
    static func bandColumns(_ band: [BandPoint], columns: Int) -> [(x: Double, lower: Double, upper: Double)] {
        let n = band.count
        guard n > 0 else { return [] }
        if n <= columns {
            let step = Double(columns) / Double(n)
            return band.enumerated().map { ((Double($0.offset) + 0.5) * step, $0.element.lower, $0.element.upper) }
        }
        return (0..<columns).map { c in
            let slice = band[(c * n / columns)..<((c + 1) * n / columns)]
            return (Double(c) + 0.5, slice.map(\.lower).min() ?? 0, slice.map(\.upper).max() ?? 0)
        }
    }

    // MARK: Axes

    /// 1, 2 or 5 × 10^k steps giving about `target` ticks from min to max (min ≤ 0 ≤ max kept).
    static func niceTicks(min lo: Double, max hi: Double, target: Int = 5, minimumStep: Double = 0) -> (ticks: [Double], top: Double) {
        let span = max(hi - lo, 1e-9)
        let raw = max(span / Double(target), minimumStep)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let first = floor(lo / step) * step
        let last = ceil(hi / step) * step
        var ticks: [Double] = []
        var t = first
        while t <= last + step / 2 { ticks.append(abs(t) < step / 1e6 ? 0 : t); t += step }
        return (ticks, last)
    }

    /// Time ticks on UTC boundaries: the smallest step from 1 hour to 4 weeks giving at most
    /// `maxTicks` ticks. Day and week steps fall on midnight (weeks on Mondays).
    static func timeTicks(_ range: TimeRange, maxTicks: Int = 10) -> (ticks: [Int64], step: Int64) {
        let hour: Int64 = 3_600_000, day: Int64 = 86_400_000
        let steps = [hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day, 28 * day]
        let span = range.endMillis - range.startMillis
        let step = steps.first { span / $0 <= Int64(maxTicks) } ?? 28 * day
        // Weeks start on Mondays: the epoch was a Thursday, 3 days after a Monday.
        let offset: Int64 = step >= 7 * day ? -3 * day : 0
        var t = UTCTime.floorDiv(range.startMillis - offset, step) * step + offset
        if t < range.startMillis { t += step }
        var ticks: [Int64] = []
        while t <= range.endMillis { ticks.append(t); t += step }
        return (ticks, step)
    }

    static func tickLabel(_ t: Int64, step: Int64) -> String {
        let u = UTCTime(millis: t)
        if step >= 86_400_000 || (u.hour == 0 && u.minute == 0) { return u.dayLabel }
        return u.clock
    }

    // MARK: The chart

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func drawsThreshold(_ a: ReportAlarm, on m: ReportMetric) -> Bool {
        a.threshold != nil && a.alarm.definition.periodMillis == m.periodMillis && a.alarm.definition.storeStatistic == m.statistic
    }

    static func svg(_ m: ReportMetric, range: TimeRange, id: String) -> String {
        let columns = plotWidth
        let w = Double(columns)
        let values = m.series.values
        let runs = downsample(values, columns: columns)
        let bandCols = bandColumns(m.band, columns: columns)
        // A threshold is drawn only on a chart of the alarm's own statistic and period: a
        // per-hour threshold over 5-minute values would mislead (the card's text names it instead).
        let thresholds = m.alarms.filter { drawsThreshold($0, on: m) }.compactMap { a in a.threshold.map { (a.alarm.definition.name, $0) } }

        // Vertical scale: everything drawn stays inside the plot.
        var hi = values.filter(\.isFinite).max() ?? 0
        var lo = min(0, values.filter(\.isFinite).min() ?? 0)
        if let u = bandCols.map(\.upper).max() { hi = max(hi, u) }
        if let l = bandCols.map(\.lower).min() { lo = min(lo, l) }
        for (_, t) in thresholds { hi = max(hi, t); lo = min(lo, t) }
        // Headroom so a spike does not touch the top; counts get whole-number ticks.
        hi += (hi - lo) * 0.06
        if hi - lo < 1 { hi = lo + 1 }
        let isCount = m.statistic == .sum || m.statistic == .sampleCount
        let (yTicks, yTop) = niceTicks(min: lo, max: hi, minimumStep: isCount ? 1 : 0)
        let yBottom = yTicks.first ?? lo
        func y(_ v: Double) -> Double { top + plotHeight * (1 - (v - yBottom) / max(yTop - yBottom, 1e-9)) }

        // Time: the series' own span (whole periods), so columns and periods line up.
        let t0 = m.series.startMillis, t1 = m.series.endMillis
        let span = Double(max(t1 - t0, 1))
        func xTime(_ t: Int64) -> Double { left + w * Double(t - t0) / span }
        func xCol(_ c: Double) -> Double { left + c }

        let strips = m.alarms
        let height = top + plotHeight + axisHeight + Double(strips.count) * (stripHeight + stripGap) + (strips.isEmpty ? 0 : 4)
        var s = """
            <svg class="chart" id="\(id)" viewBox="0 0 \(Int(width)) \(Int(height.rounded(.up)))" role="img" \
            aria-label="\(HTML.escape(m.metric.label)) over time" preserveAspectRatio="xMidYMid meet">
            <title>\(HTML.escape(m.metric.label)): \(m.statistic.rawValue) per \(NumberText.period(m.periodMillis))</title>

            """

        // The model's training window, shaded behind everything.
        if let model = m.model {
            let a = max(model.window.startMillis, t0), b = min(model.window.endMillis, t1)
            if b > a {
                s += "<rect class=\"training\" x=\"\(f(xTime(a)))\" y=\"\(f(top))\" width=\"\(f(xTime(b) - xTime(a)))\" height=\"\(f(plotHeight))\" fill=\"\(colors.training)\">"
                s += "<title>Training window \(HTML.escape(UTCTime.range(model.window.startMillis, model.window.endMillis)))</title></rect>\n"
                s += "<text x=\"\(f(xTime(a) + 4))\" y=\"\(f(top + 11))\" class=\"note\">training</text>\n"
            }
        }

        // Grid and y axis.
        let unit = m.unit.map { $0 == "None" ? "" : $0 } ?? ""
        for t in yTicks {
            let yy = y(t)
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + w))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"\(colors.grid)\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(yy + 4))\" class=\"ytick\" text-anchor=\"end\">\(NumberText.format(t))</text>\n"
        }
        let yLabel = "\(unit.isEmpty ? m.statistic.rawValue : "\(unit) (\(m.statistic.rawValue))") per \(NumberText.period(m.periodMillis))"
        s += "<text class=\"ylabel\" transform=\"translate(14 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>\n"

        // Expected band: upper bounds left to right, lower bounds back.
        if !bandCols.isEmpty {
            var d = "M" + bandCols.map { "\(f(xCol($0.x))) \(f(y($0.upper)))" }.joined(separator: "L")
            d += "L" + bandCols.reversed().map { "\(f(xCol($0.x))) \(f(y($0.lower)))" }.joined(separator: "L") + "Z"
            s += "<path class=\"band\" d=\"\(d)\" fill=\"\(colors.band)\" fill-opacity=\"0.55\" stroke=\"none\"/>\n"
        }

        // Anomaly intervals behind the line.
        for d in m.detections {
            let a = max(d.interval.startMillis, t0), b = min(d.interval.endMillis, t1)
            guard b > a else { continue }
            let x0 = xTime(a), x1 = max(xTime(b), x0 + 2)
            s += "<rect class=\"anomaly-span\" x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(x1 - x0))\" height=\"\(f(plotHeight))\" fill=\"\(colors.anomaly)\" fill-opacity=\"0.10\"/>\n"
        }

        // Static thresholds.
        for (name, t) in thresholds {
            let yy = y(t)
            s += "<line class=\"threshold\" x1=\"\(f(left))\" x2=\"\(f(left + w))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"\(colors.threshold)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">"
            s += "<title>\(HTML.escape(name)): threshold \(NumberText.format(t))</title></line>\n"
            s += "<text x=\"\(f(left + w - 4))\" y=\"\(f(yy - 4))\" class=\"note threshold-label\" text-anchor=\"end\">\(HTML.escape(name)) · \(NumberText.format(t))</text>\n"
        }

        // The series.
        let pointCount = runs.reduce(0) { $0 + $1.count }
        let d = runs.map { run in "M" + run.map { "\(f(xCol($0.x))) \(f(y($0.value)))" }.joined(separator: "L") }.joined()
        s += "<path class=\"series\" d=\"\(d)\" fill=\"none\" stroke=\"\(colors.series)\" stroke-width=\"1.3\" stroke-linejoin=\"round\" "
        s += "data-points=\"\(pointCount)\" data-periods=\"\(values.count)\" data-columns=\"\(columns)\"/>\n"

        // Anomaly peaks, each with its story on hover.
        for det in m.detections {
            let i = det.interval
            guard i.peakMillis >= t0, i.peakMillis < t1 else { continue }
            let x = xTime(i.peakMillis) + w * Double(m.periodMillis) / span / 2
            var title = "\(i.peakScore >= strongScore ? "Anomaly" : "Weak anomaly") \(UTCTime.range(i.startMillis, i.endMillis))\npeak \(NumberText.format(i.peakValue)) at \(UTCTime(millis: i.peakMillis).clock) UTC, expected \(NumberText.format(i.expectedAtPeak))"
            title += String(format: " (%+.1fσ), score %.4f", det.peakSigmas, i.peakScore)
            if let p = det.contributors.principals.first { title += "\nprincipal \(p.value) (\(p.count))" }
            if let e = det.contributors.eventNames.first { title += "\nevent \(e.value) (\(e.count))" }
            if let ip = det.contributors.sourceIPs.first { title += "\nsource IP \(ip.value) (\(ip.count))" }
            // Strong anomalies solid; weak ones (a lone event where almost none are expected) hollow.
            let style = i.peakScore >= strongScore ? "r=\"4.5\" fill=\"\(colors.anomaly)\" stroke=\"#fff\" stroke-width=\"1.5\""
                : "r=\"3\" fill=\"#fff\" stroke=\"\(colors.anomaly)\" stroke-width=\"1.3\""
            s += "<circle class=\"anomaly\" cx=\"\(f(x))\" cy=\"\(f(y(i.peakValue)))\" \(style)><title>\(HTML.escape(title))</title></circle>\n"
        }

        // Hover targets: transparent columns, each titled with what it covers.
        let n = values.count
        let targets = min(n, hoverColumns)
        if targets > 0 {
            s += "<g class=\"hover\" fill=\"transparent\">"
            for c in 0..<targets {
                let lo = c * n / targets, hi = (c + 1) * n / targets
                guard hi > lo else { continue }
                let slice = values[lo..<hi].filter(\.isFinite)
                let ta = m.series.time(at: lo), tb = m.series.time(at: hi)
                var title = UTCTime.range(ta, tb)
                if slice.isEmpty {
                    title += "\nno data"
                } else if hi - lo == 1 {
                    title += "\n\(m.statistic.rawValue) \(NumberText.format(slice[0]))"
                } else {
                    title += "\nmax \(NumberText.format(slice.max()!)), min \(NumberText.format(slice.min()!)) per \(NumberText.period(m.periodMillis))"
                }
                if !m.band.isEmpty {
                    let b = m.band[lo..<hi]
                    title += "\nexpected \(NumberText.format(b.map(\.lower).min()!))–\(NumberText.format(b.map(\.upper).max()!))"
                }
                let xa = xTime(ta), xb = xTime(tb)
                s += "<rect x=\"\(f(xa))\" y=\"\(f(top))\" width=\"\(f(xb - xa))\" height=\"\(f(plotHeight))\"><title>\(HTML.escape(title))</title></rect>"
            }
            s += "</g>\n"
        }

        // Time axis.
        let axisY = top + plotHeight
        s += "<line x1=\"\(f(left))\" x2=\"\(f(left + w))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY))\" stroke=\"\(colors.axis)\"/>\n"
        let (ticks, step) = timeTicks(TimeRange(startMillis: t0, endMillis: t1))
        for t in ticks {
            let x = xTime(t)
            s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY + 5))\" stroke=\"\(colors.axis)\"/>"
            let anchor = x < left + 30 ? "start" : x > left + w - 30 ? "end" : "middle"
            s += "<text x=\"\(f(x))\" y=\"\(f(axisY + 18))\" class=\"xtick\" text-anchor=\"\(anchor)\">\(tickLabel(t, step: step))</text>\n"
        }
        s += "<text x=\"\(f(left + w))\" y=\"\(f(axisY + 31))\" class=\"note\" text-anchor=\"end\">UTC</text>\n"

        // Alarm state strips.
        var stripY = axisY + axisHeight + 4
        for a in strips {
            s += "<g class=\"alarm-strip\" data-alarm=\"\(HTML.escape(a.alarm.definition.name))\">"
            if a.states.isEmpty {
                s += "<rect x=\"\(f(left))\" y=\"\(f(stripY))\" width=\"\(f(w))\" height=\"\(f(stripHeight))\" fill=\"none\" stroke=\"\(colors.grid)\"/>"
                s += "<text x=\"\(f(left + 6))\" y=\"\(f(stripY + 12))\" class=\"note\">\(HTML.escape(a.alarm.definition.name)): not replayed (\(HTML.escape(a.backtestError ?? "no data")))</text>"
            }
            // ALARM spans last and at least 3 px wide: a 25-minute alarm in four weeks is a
            // fraction of a pixel, and the strip exists to show exactly those.
            for span in a.states.filter({ $0.state != .alarm }) + a.states.filter({ $0.state == .alarm }) {
                let x0 = xTime(max(span.startMillis, t0)), x1 = xTime(min(span.endMillis, t1))
                guard x1 > x0 else { continue }
                let fill = span.state == .ok ? colors.ok : span.state == .alarm ? colors.alarm : colors.insufficient
                let title = "\(a.alarm.definition.name): \(span.state.rawValue) \(UTCTime.range(span.startMillis, span.endMillis))\n\(span.reason)"
                s += "<rect class=\"state-\(span.state.rawValue.lowercased())\" x=\"\(f(x0))\" y=\"\(f(stripY))\" width=\"\(f(max(x1 - x0, span.state == .alarm ? 3 : 0.8)))\" height=\"\(f(stripHeight))\" fill=\"\(fill)\" fill-opacity=\"\(span.state == .alarm ? "0.9" : "0.45")\"><title>\(HTML.escape(title))</title></rect>"
            }
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(stripY + 12))\" class=\"ytick\" text-anchor=\"end\">alarm</text>"
            s += "<text x=\"\(f(left + 5))\" y=\"\(f(stripY + 12))\" class=\"strip-label\">\(HTML.escape(a.alarm.definition.name))</text></g>\n"
            stripY += stripHeight + stripGap
        }
        s += "</svg>"
        return s
    }
}
