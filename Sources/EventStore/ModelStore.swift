import Baselines
import CSQLite
import CloudTrail
import FilterPatterns
import Foundation
import TrailJSON

/// One baseline as stored in the `models` table: which series it describes (metric, statistic,
/// period), how it was trained, and the outcome, a fitted model or the reason there is none yet.
public struct ModelRecord: Sendable, Equatable {
    public var name: String
    /// The metric's identity; `unit` is not part of it (CloudWatch identifies a metric by
    /// namespace, name and dimensions) and is not stored.
    public var metric: MetricKey
    public var statistic: Statistic
    public var periodMillis: Int64
    public var options: BaselineOptions
    /// `.insufficientData` is a normal state, not a failure: the model exists, has no band yet,
    /// and says how much more history it needs.
    public var outcome: TrainingOutcome
    /// The series window training read, `[start, end)`; the model's own `trainedRange` is the span
    /// of the points it actually used (after exclusions and missing periods).
    public var window: TimeRange
    public var trainedAtMillis: Int64
    /// Wall-clock time of `BaselineModel.train`, in milliseconds.
    public var fitMillis: Double

    public init(name: String, metric: MetricKey, statistic: Statistic, periodMillis: Int64, options: BaselineOptions,
                outcome: TrainingOutcome, window: TimeRange, trainedAtMillis: Int64, fitMillis: Double)
    {
        self.name = name
        self.metric = MetricKey(namespace: metric.namespace, name: metric.name, dimensions: metric.dimensions)
        self.statistic = statistic
        self.periodMillis = periodMillis
        self.options = options
        self.outcome = outcome
        self.window = window
        self.trainedAtMillis = trainedAtMillis
        self.fitMillis = fitMillis
    }

    public var model: BaselineModel? { outcome.model }

    /// `trained` or `INSUFFICIENT_DATA`: the strings stored in `models.status` and printed by tools.
    public var status: String {
        switch outcome {
        case .trained: "trained"
        case .insufficientData(let why): why.status
        }
    }

    /// The name `models train` gives when `--name` is absent: readable, and stable for the same
    /// metric, statistic and period, so retraining replaces rather than accumulates. Dimensions
    /// come in braces, sorted by name: `AuthFailures/AccessDeniedByPrincipal{Principal=arn:…}:Sum:5m`.
    public static func defaultName(metric: MetricKey, statistic: Statistic, periodMillis: Int64) -> String {
        let dims = metric.dimensions.isEmpty ? "" : "{" + metric.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "}"
        return "\(metric.namespace)/\(metric.name)\(dims):\(statistic.rawValue):\(periodText(periodMillis))"
    }

    /// `5m`, `1h`, `1d`: the largest unit that divides the period exactly.
    public static func periodText(_ millis: Int64) -> String {
        if millis % millisPerDay == 0 { return "\(millis / millisPerDay)d" }
        if millis % 3_600_000 == 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0 { return "\(millis / 60_000)m" }
        return "\(millis / 1000)s"
    }
}

/// Why a model could not be stored, read or imported.
public enum ModelStoreError: Error, Sendable, CustomStringConvertible {
    case store(StoreError)
    /// A stored row whose JSON no longer decodes (e.g. written by an incompatible version).
    case corrupt(name: String, reason: String)
    /// An exported document that is not a valid model; `source` names the file or input.
    case invalidDocument(source: String, reason: String)
    case exists(name: String)

    public var description: String {
        switch self {
        case .store(let e): return "\(e)"
        case .corrupt(let name, let reason): return "stored model '\(name)' cannot be read (\(reason)); retrain it with `trailwatch models train`"
        case .invalidDocument(let source, let reason): return "\(source): not a valid trailwatch model: \(reason)"
        case .exists(let name): return "a model named '\(name)' already exists (use --replace to overwrite it)"
        }
    }
}

// MARK: - The exported document

/// The JSON form of a model, used both in the `models` table (options, model) and for export.
/// Export writes sorted keys and pretty-prints, so the same model always gives the same bytes and
/// diffs well under version control.
public enum ModelDocument {
    public static let format = "trailwatch-model"
    public static let version = 1

    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Non-finite numbers cannot be JSON numbers; spelled out they survive a round trip.
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        // Encoding plain Codable structs of numbers and strings cannot fail.
        String(decoding: (try? encoder(pretty: false).encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Pretty, sorted-key JSON that `decode` turns back into an identical record.
    public static func encode(_ record: ModelRecord) -> String {
        let data = (try? encoder(pretty: true).encode(Exported(record))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Parses and validates an exported model. `source` (a file name) prefixes every error.
    public static func decode(_ data: Data, source: String) throws(ModelStoreError) -> ModelRecord {
        let doc: Exported
        do {
            doc = try decoder().decode(Exported.self, from: data)
        } catch let error as DecodingError {
            throw .invalidDocument(source: source, reason: describe(error))
        } catch {
            throw .invalidDocument(source: source, reason: "\(error)")
        }
        return try doc.record(source: source)
    }

    /// DecodingError's own descriptions are debug dumps; this says where and what.
    static func describe(_ error: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String {
            p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
        }
        switch error {
        case .keyNotFound(let key, let ctx): return "missing key '\(key.stringValue)' at \(path(ctx.codingPath))"
        case .typeMismatch(let type, let ctx): return "wrong type at \(path(ctx.codingPath)): expected \(type)"
        case .valueNotFound(let type, let ctx): return "null at \(path(ctx.codingPath)): expected \(type)"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not JSON (\(ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription))"
                : "invalid value at \(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    struct Metric: Codable, Equatable {
        var namespace: String
        var name: String
        var dimensions: [String: String]
    }

    /// The file layout. Every field is written, so an import recreates the record exactly.
    struct Exported: Codable {
        var format: String
        var version: Int
        var name: String
        var metric: Metric
        var statistic: String
        var periodMillis: Int64
        var options: BaselineOptions
        var status: String
        var model: BaselineModel?
        var insufficientData: InsufficientData?
        var window: TimeRange
        var trainedAt: String
        var trainedAtMillis: Int64
        var fitMillis: Double

        init(_ r: ModelRecord) {
            format = ModelDocument.format
            version = ModelDocument.version
            name = r.name
            metric = Metric(namespace: r.metric.namespace, name: r.metric.name,
                            dimensions: Dictionary(uniqueKeysWithValues: r.metric.dimensions.map { ($0.name, $0.value) }))
            statistic = r.statistic.rawValue
            periodMillis = r.periodMillis
            options = r.options
            status = r.status
            switch r.outcome {
            case .trained(let m): model = m; insufficientData = nil
            case .insufficientData(let d): model = nil; insufficientData = d
            }
            window = r.window
            trainedAt = ISO8601.format(millis: r.trainedAtMillis)
            trainedAtMillis = r.trainedAtMillis
            fitMillis = r.fitMillis
        }

        func record(source: String) throws(ModelStoreError) -> ModelRecord {
            func bad(_ why: String) -> ModelStoreError { .invalidDocument(source: source, reason: why) }
            guard format == ModelDocument.format else { throw bad("format is '\(format)', expected '\(ModelDocument.format)'") }
            guard version == ModelDocument.version else { throw bad("version \(version) is not supported (this trailwatch reads version \(ModelDocument.version))") }
            guard !name.isEmpty else { throw bad("name is empty") }
            guard !metric.namespace.isEmpty, !metric.name.isEmpty else { throw bad("metric namespace and name must not be empty") }
            guard let stat = Statistic(rawValue: statistic) else {
                throw bad("statistic '\(statistic)' is not one of \(Statistic.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try ModelRecord.validatePeriod(periodMillis) { bad($0) }
            guard options.trainingWindowMillis > 0, options.trainingWindowMillis <= BaselineOptions.maximumWindowMillis else {
                throw bad("options.trainingWindowMillis must be positive and at most 90 days")
            }
            guard options.bandWidth > 0, options.bandWidth.isFinite else { throw bad("options.bandWidth must be a positive number") }
            guard window.endMillis > window.startMillis else { throw bad("window is empty") }
            let outcome: TrainingOutcome
            switch (status, model, insufficientData) {
            case ("trained", let m?, nil):
                guard m.periodMillis == periodMillis else { throw bad("model.periodMillis \(m.periodMillis) differs from periodMillis \(periodMillis)") }
                guard m.sigma > 0, m.sigma.isFinite else { throw bad("model.sigma must be a positive number") }
                guard m.coefficients.count == m.spec.columns else {
                    throw bad("model has \(m.coefficients.count) coefficients, its spec needs \(m.spec.columns)")
                }
                guard m.coefficients.allSatisfy(\.isFinite) else { throw bad("model.coefficients must be finite numbers") }
                outcome = .trained(m)
            case ("trained", nil, _): throw bad("status is trained but there is no model")
            case ("INSUFFICIENT_DATA", nil, let d?): outcome = .insufficientData(d)
            case ("INSUFFICIENT_DATA", _, _): throw bad("status INSUFFICIENT_DATA needs insufficientData and no model")
            case ("trained", _, _?): throw bad("a trained model must not carry insufficientData")
            default: throw bad("status '\(status)' is not trained or INSUFFICIENT_DATA")
            }
            let dims = metric.dimensions.map { Dimension(name: $0.key, value: $0.value) }
            return ModelRecord(name: name, metric: MetricKey(namespace: metric.namespace, name: metric.name, dimensions: dims),
                               statistic: stat, periodMillis: periodMillis, options: options, outcome: outcome, window: window,
                               trainedAtMillis: trainedAtMillis, fitMillis: fitMillis)
        }
    }
}

extension ModelRecord {
    /// Periods are whole minutes from 1 minute to 1 day: datapoints are stored per minute.
    static func validatePeriod<E: Error>(_ millis: Int64, _ error: (String) -> E) throws(E) {
        guard millis >= 60_000, millis <= millisPerDay, millis % 60_000 == 0 else {
            throw error("period \(millis) ms must be whole minutes from 1 minute to 1 day")
        }
    }
}

// MARK: - Storage

extension TrailStore {
    /// Stores `record`, replacing any model of the same name.
    public func putModel(_ record: ModelRecord) throws(StoreError) {
        let s = try connection.prepare("""
            INSERT INTO models(name, namespace, metric_name, dimensions, statistic, period_ms, options, status, model, insufficient,
                window_start_ms, window_end_ms, trained_at_ms, fit_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET namespace = excluded.namespace, metric_name = excluded.metric_name,
                dimensions = excluded.dimensions, statistic = excluded.statistic, period_ms = excluded.period_ms,
                options = excluded.options, status = excluded.status, model = excluded.model, insufficient = excluded.insufficient,
                window_start_ms = excluded.window_start_ms, window_end_ms = excluded.window_end_ms,
                trained_at_ms = excluded.trained_at_ms, fit_ms = excluded.fit_ms
            """)
        let model: SQLiteValue, insufficient: SQLiteValue
        switch record.outcome {
        case .trained(let m): model = .text(ModelDocument.encode(m)); insufficient = .null
        case .insufficientData(let d): model = .null; insufficient = .text(ModelDocument.encode(d))
        }
        try s.bind([.text(record.name), .text(record.metric.namespace), .text(record.metric.name), .text(record.metric.dimensionsJSON),
                    .text(record.statistic.rawValue), .integer(record.periodMillis), .text(ModelDocument.encode(record.options)),
                    .text(record.status), model, insufficient, .integer(record.window.startMillis), .integer(record.window.endMillis),
                    .integer(record.trainedAtMillis), .real(record.fitMillis)])
        try s.step()
    }

    /// Stores several records in one transaction: all or none. Without `replace`, an existing name
    /// is an error and nothing is written.
    public func putModels(_ records: [ModelRecord], replace: Bool) throws(ModelStoreError) {
        do {
            try connection.transaction {
                for r in records {
                    if !replace, try modelExists(r.name) { throw ModelStoreError.exists(name: r.name) }
                    try putModel(r)
                }
            }
        } catch let e as ModelStoreError {
            throw e
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .store(StoreError(code: SQLITE_ERROR, message: "\(error)", context: "storing models"))
        }
    }

    public func modelExists(_ name: String) throws(StoreError) -> Bool {
        try connection.scalarInt("SELECT count(*) FROM models WHERE name = ?", [.text(name)]) ?? 0 > 0
    }

    public func model(named name: String) throws(ModelStoreError) -> ModelRecord? {
        try readModels(where: "WHERE name = ?", [.text(name)]).first
    }

    /// Every model, by name.
    public func models() throws(ModelStoreError) -> [ModelRecord] {
        try readModels(where: "", [])
    }

    public func modelNames() throws(StoreError) -> [String] {
        let s = try connection.prepare("SELECT name FROM models ORDER BY name")
        var out: [String] = []
        while try s.step() { out.append(s.text(0) ?? "") }
        return out
    }

    @discardableResult
    public func deleteModel(named name: String) throws(StoreError) -> Bool {
        let s = try connection.prepare("DELETE FROM models WHERE name = ?")
        try s.bind([.text(name)])
        try s.step()
        return connection.changes > 0
    }

    private func readModels(where clause: String, _ bindings: [SQLiteValue]) throws(ModelStoreError) -> [ModelRecord] {
        do {
            let s = try connection.prepare("""
                SELECT name, namespace, metric_name, dimensions, statistic, period_ms, options, status, model, insufficient,
                    window_start_ms, window_end_ms, trained_at_ms, fit_ms FROM models \(clause) ORDER BY name
                """)
            try s.bind(bindings)
            var out: [ModelRecord] = []
            let decoder = ModelDocument.decoder()
            while try s.step() {
                let name = s.text(0) ?? ""
                func decode<T: Decodable>(_ type: T.Type, _ column: Int32, _ what: String) throws(ModelStoreError) -> T {
                    do { return try decoder.decode(T.self, from: Data((s.text(column) ?? "").utf8)) } catch let e as DecodingError {
                        throw .corrupt(name: name, reason: "\(what): \(ModelDocument.describe(e))")
                    } catch { throw .corrupt(name: name, reason: "\(what): \(error)") }
                }
                guard let stat = Statistic(rawValue: s.text(4) ?? "") else { throw ModelStoreError.corrupt(name: name, reason: "unknown statistic") }
                let options = try decode(BaselineOptions.self, 6, "options")
                let outcome: TrainingOutcome = s.isNull(8)
                    ? .insufficientData(try decode(InsufficientData.self, 9, "insufficient data"))
                    : .trained(try decode(BaselineModel.self, 8, "model"))
                out.append(ModelRecord(
                    name: name, metric: MetricKey(namespace: s.text(1) ?? "", name: s.text(2) ?? "", dimensions: Self.dimensions(s.text(3) ?? "{}")),
                    statistic: stat, periodMillis: s.int64(5), options: options, outcome: outcome,
                    window: TimeRange(startMillis: s.int64(10), endMillis: s.int64(11)), trainedAtMillis: s.int64(12), fitMillis: s.double(13)))
            }
            return out
        } catch let e as ModelStoreError {
            throw e
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .store(StoreError(code: SQLITE_ERROR, message: "\(error)", context: "reading models"))
        }
    }
}
