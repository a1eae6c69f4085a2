import Foundation

public let millisPerDay: Int64 = 86_400_000
public let millisPerWeek: Int64 = 7 * millisPerDay
public let millisPerHour: Int64 = 3_600_000

/// The columns of a baseline regression: intercept, linear trend (in days from `originMillis`),
/// then sine/cosine pairs for the daily harmonics, the weekly ones and, last, the hourly ones. The
/// hourly block comes last so that models stored before it existed keep their coefficient layout.
public struct DesignSpec: Codable, Sendable, Equatable {
    /// Trend origin. Centering it in the training window keeps the trend column from being nearly
    /// collinear with the intercept.
    public var originMillis: Int64
    public var dailyOrder: Int
    public var weeklyOrder: Int
    /// Harmonics of the hour (a job every hour, polling on the hour). 0 unless the decomposition
    /// found an hourly cycle.
    public var hourlyOrder: Int

    public init(originMillis: Int64, dailyOrder: Int, weeklyOrder: Int, hourlyOrder: Int = 0) {
        self.originMillis = originMillis
        self.dailyOrder = dailyOrder
        self.weeklyOrder = weeklyOrder
        self.hourlyOrder = hourlyOrder
    }

    private enum CodingKeys: String, CodingKey { case originMillis, dailyOrder, weeklyOrder, hourlyOrder }

    /// Specs stored before hourly terms existed have no `hourlyOrder`: they have no hourly block.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        originMillis = try c.decode(Int64.self, forKey: .originMillis)
        dailyOrder = try c.decode(Int.self, forKey: .dailyOrder)
        weeklyOrder = try c.decode(Int.self, forKey: .weeklyOrder)
        hourlyOrder = try c.decodeIfPresent(Int.self, forKey: .hourlyOrder) ?? 0
    }

    /// `hourlyOrder` is written only when there is an hourly block, so exported models without one
    /// are byte-for-byte what they were.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(originMillis, forKey: .originMillis)
        try c.encode(dailyOrder, forKey: .dailyOrder)
        try c.encode(weeklyOrder, forKey: .weeklyOrder)
        if hourlyOrder > 0 { try c.encode(hourlyOrder, forKey: .hourlyOrder) }
    }

    /// Chooses orders a training sample can support: harmonics above the Nyquist limit of the
    /// sampling period only alias, and weekly terms need two full weeks to be told apart from trend
    /// and from one unusual week. Weekly orders stop below 7 because weekly harmonic 7 is the daily
    /// fundamental, a duplicate column.
    public static func make(times: [Int64], periodMillis: Int64, dailyOrder: Int, weeklyOrder: Int, hourlyOrder: Int = 0) -> DesignSpec {
        let first = times.first ?? 0
        let last = times.last ?? 0
        let span = last + periodMillis - first
        let perDay = Int(millisPerDay / max(periodMillis, 1))
        let perWeek = Int(millisPerWeek / max(periodMillis, 1))
        let daily = span >= millisPerDay ? min(max(dailyOrder, 0), max((perDay - 1) / 2, 0)) : 0
        let weekly = span >= 2 * millisPerWeek ? min(max(weeklyOrder, 0), 6, max((perWeek - 1) / 2, 0)) : 0
        // Hourly harmonic k is daily harmonic 24k: allowed only where the daily block stops short of it.
        let perHour = Int(millisPerHour / max(periodMillis, 1))
        let hourly = span >= 2 * millisPerHour && millisPerHour % max(periodMillis, 1) == 0
            ? min(max(hourlyOrder, 0), max((perHour - 1) / 2, 0)) : 0
        return DesignSpec(originMillis: first + (last - first) / 2, dailyOrder: daily, weeklyOrder: weekly,
                          hourlyOrder: daily >= 24 ? 0 : hourly)
    }

    public var columns: Int { 2 + 2 * dailyOrder + 2 * weeklyOrder + 2 * hourlyOrder }
    public var trendColumn: Int { 1 }
    public var dailyColumns: Range<Int> { 2..<(2 + 2 * dailyOrder) }
    public var weeklyColumns: Range<Int> { dailyColumns.upperBound..<(dailyColumns.upperBound + 2 * weeklyOrder) }
    public var hourlyColumns: Range<Int> { weeklyColumns.upperBound..<columns }

    public func row(at millis: Int64) -> [Double] {
        var row = [Double](repeating: 0, count: columns)
        fill(&row, at: millis) { $0 }
        return row
    }

    /// Writes one row through `index` so the same code fills a row vector and a column-major matrix.
    func fill(_ out: inout [Double], at millis: Int64, index: (Int) -> Int) {
        out[index(0)] = 1
        out[index(1)] = Double(millis - originMillis) / Double(millisPerDay)
        // Phases from integer remainders, so precision does not decay with distance from 1970.
        let dayPhase = 2 * Double.pi * Double(positiveRemainder(millis, millisPerDay)) / Double(millisPerDay)
        // Higher harmonics by the angle-addition recurrence: two trig calls per period instead of
        // two per harmonic, which dominated building a 4,032-row design. The recurrence drifts by
        // about one rounding error per harmonic, far below anything a fit can see.
        func harmonics(_ phase: Double, _ order: Int, _ base: Int) {
            guard order > 0 else { return }
            let s1 = sin(phase), c1 = cos(phase)
            var s = s1, c = c1
            for k in 0..<order {
                if k > 0 { (s, c) = (s * c1 + c * s1, c * c1 - s * s1) }
                out[index(base + 2 * k)] = s
                out[index(base + 2 * k + 1)] = c
            }
        }
        harmonics(dayPhase, dailyOrder, 2)
        let weekPhase = 2 * Double.pi * Double(positiveRemainder(millis, millisPerWeek)) / Double(millisPerWeek)
        harmonics(weekPhase, weeklyOrder, dailyColumns.upperBound)
        if hourlyOrder > 0 {
            let hourPhase = 2 * Double.pi * Double(positiveRemainder(millis, millisPerHour)) / Double(millisPerHour)
            harmonics(hourPhase, hourlyOrder, weeklyColumns.upperBound)
        }
    }

    public func matrix(times: [Int64]) -> DesignMatrix {
        let rows = times.count
        var values = [Double](repeating: 0, count: rows * columns)
        for (i, t) in times.enumerated() {
            fill(&values, at: t) { $0 * rows + i }
        }
        return DesignMatrix(rows: rows, columns: columns, values: values)
    }

    public func evaluate(coefficients: [Double], at millis: Int64) -> Double {
        zip(row(at: millis), coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

private func positiveRemainder(_ a: Int64, _ m: Int64) -> Int64 {
    let r = a % m
    return r < 0 ? r + m : r
}

/// A dense matrix stored column-major, the layout LAPACK expects.
public struct DesignMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "values must hold rows × columns entries")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[column * rows + row] }
        set { values[column * rows + row] = newValue }
    }

    public func multiply(_ beta: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: rows)
        for j in 0..<columns where beta[j] != 0 {
            let b = beta[j]
            let base = j * rows
            for i in 0..<rows { out[i] += values[base + i] * b }
        }
        return out
    }

    /// The first `rows` rows of the first `columns` columns.
    func block(rows r: Int, columns c: Int) -> DesignMatrix {
        precondition(r <= rows && c <= columns, "a block lies inside the matrix")
        if r == rows && c == columns { return self }
        var out = [Double]()
        out.reserveCapacity(r * c)
        for j in 0..<c { out.append(contentsOf: values[(j * rows)..<(j * rows + r)]) }
        return DesignMatrix(rows: r, columns: c, values: out)
    }

    /// The contribution of a subset of columns, for decomposing a fit into trend and seasonal parts.
    public func multiply(_ beta: [Double], columns subset: Range<Int>) -> [Double] {
        var masked = [Double](repeating: 0, count: columns)
        for j in subset { masked[j] = beta[j] }
        return multiply(masked)
    }
}
