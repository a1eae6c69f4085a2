import Alarms
import EventStore
import Yams

/// A shipped set of detections (`models/*.yaml`): metric filters now; alarms and baseline
/// settings join them as those features land.
///
/// ```yaml
/// pack: ec2-lifecycle
/// description: …
/// filters:
///   - name: ec2-stop-instances
///     pattern: '{ $.eventName = "StopInstances" }'
///     namespace: EC2Lifecycle
///     metricName: StopInstances
///     metricValue: '1'          # optional: a number, $.field, $name or $size
///     defaultValue: 0           # optional
///     dimensions:               # optional, up to 3
///       InstanceId: '$.requestParameters.instancesSet.items[0].instanceId'
///     unit: Count               # optional
///     source: cloudtrail        # optional: the log it counts
/// alarms:
///   - name: ec2-instance-stopped-twice-in-24h
///     metric: EC2Lifecycle/StopInstancesByInstance
///     dimensions: { InstanceId: '*' }   # optional; '*' = one series per value
///     statistic: Sum
///     period: 1m                        # 1m … 1d
///     comparison: GreaterThanOrEqualToThreshold   # or >=, >, <, <=, or a band operator
///     threshold: 1                      # static alarms
///     model: NAME                       # band alarms (with band: K, default 2)
///     evaluationPeriods: 1440
///     datapointsToAlarm: 2              # optional, default evaluationPeriods
///     treatMissingData: notBreaching    # optional, default missing
///     minimumVolume: 10                 # optional extensions
///     cooldown: 1h
///     rearmAfter: 30m
///     actions: [stdout]                 # optional
///     description: …                    # optional
/// ```
public struct DetectionPack: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var filters: [MetricFilterDefinition]
    /// Alarms on the pack's metrics; `apply` creates or updates them (keeping their state).
    public var alarms: [AlarmDefinition]

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    /// Parses a pack; every problem names the file, the line and the field.
    public init(yaml: String, file: String) throws(LoadError) {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw LoadError(file: file, line: nil, message: "empty pack") }
            root = node
        } catch let e as LoadError {
            throw e
        } catch {
            throw LoadError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
        func fail(_ node: Node?, _ message: String) -> LoadError {
            LoadError(file: file, line: node?.mark.map { $0.line }, message: message)
        }
        guard let top = root.mapping else { throw fail(root, "a pack is a mapping with 'pack' and 'filters'") }
        func string(_ map: Node.Mapping, _ key: String, _ at: String, required: Bool) throws(LoadError) -> String? {
            guard let v = map[key] else {
                if required { throw fail(Node.mapping(map), "\(at): missing '\(key)'") }
                return nil
            }
            guard let s = v.scalar?.string else { throw fail(v, "\(at).\(key) must be a string") }
            return s
        }
        guard let packName = try string(top, "pack", "pack", required: true) else { throw fail(root, "missing 'pack'") }
        name = packName
        description = try string(top, "description", "pack", required: false)
        var filters: [MetricFilterDefinition] = []
        if let list = top["filters"] {
            guard let items = list.sequence else { throw fail(list, "'filters' must be a list") }
            for (i, item) in items.enumerated() {
                let at = "filters[\(i)]"
                guard let m = item.mapping else { throw fail(item, "\(at) must be a mapping") }
                let known: Set<String> = ["name", "pattern", "namespace", "metricName", "metricValue", "defaultValue", "dimensions", "unit", "source"]
                for key in m.keys {
                    guard let k = key.scalar?.string, known.contains(k) else {
                        throw fail(key, "\(at): unknown field '\(key.scalar?.string ?? "?")' (expected one of \(known.sorted().joined(separator: ", ")))")
                    }
                }
                var dimensions: [String: String] = [:]
                if let d = m["dimensions"] {
                    guard let dm = d.mapping else { throw fail(d, "\(at).dimensions must be a mapping of name: selector") }
                    for (k, v) in dm {
                        guard let key = k.scalar?.string, let value = v.scalar?.string else { throw fail(k, "\(at).dimensions entries must be strings") }
                        dimensions[key] = value
                    }
                }
                var defaultValue: Double?
                if let dv = m["defaultValue"] {
                    guard let s = dv.scalar?.string, let v = Double(s) else { throw fail(dv, "\(at).defaultValue must be a number") }
                    defaultValue = v
                }
                let definition = MetricFilterDefinition(
                    name: try string(m, "name", at, required: true)!, pattern: try string(m, "pattern", at, required: true)!,
                    namespace: try string(m, "namespace", at, required: true)!, metricName: try string(m, "metricName", at, required: true)!,
                    metricValue: try string(m, "metricValue", at, required: false) ?? "1", defaultValue: defaultValue,
                    dimensions: dimensions, unit: try string(m, "unit", at, required: false),
                    log: try string(m, "source", at, required: false) ?? "cloudtrail")
                do { _ = try definition.compile() } catch { throw fail(item, "\(at) (\(definition.name)): \(error)") }
                guard !filters.contains(where: { $0.name == definition.name }) else { throw fail(item, "\(at): filter name '\(definition.name)' used twice") }
                filters.append(definition)
            }
        }
        self.filters = filters
        var alarms: [AlarmDefinition] = []
        if let list = top["alarms"] {
            guard let items = list.sequence else { throw fail(list, "'alarms' must be a list") }
            for (i, item) in items.enumerated() {
                let definition = try Self.alarm(item, at: "alarms[\(i)]", fail: fail, string: string)
                guard !alarms.contains(where: { $0.name == definition.name }) else { throw fail(item, "alarms[\(i)]: alarm name '\(definition.name)' used twice") }
                alarms.append(definition)
            }
        }
        self.alarms = alarms
    }

    static let alarmFields: Set<String> = [
        "name", "description", "metric", "dimensions", "statistic", "period", "comparison", "threshold", "model", "band",
        "evaluationPeriods", "datapointsToAlarm", "treatMissingData", "minimumVolume", "cooldown", "rearmAfter", "actions",
    ]

    /// One entry of `alarms:`, validated with the engine's own rules.
    static func alarm(_ item: Node, at: String, fail: (Node?, String) -> LoadError,
                      string: (Node.Mapping, String, String, Bool) throws(LoadError) -> String?) throws(LoadError) -> AlarmDefinition {
        guard let m = item.mapping else { throw fail(item, "\(at) must be a mapping") }
        for key in m.keys {
            guard let k = key.scalar?.string, alarmFields.contains(k) else {
                throw fail(key, "\(at): unknown field '\(key.scalar?.string ?? "?")' (expected one of \(alarmFields.sorted().joined(separator: ", ")))")
            }
        }
        let name = try string(m, "name", at, true)!
        let at = "\(at) (\(name))"
        func number(_ key: String) throws(LoadError) -> Double? {
            guard let v = m[key] else { return nil }
            guard let s = v.scalar?.string, let d = Double(s) else { throw fail(v, "\(at).\(key) must be a number") }
            return d
        }
        func integer(_ key: String) throws(LoadError) -> Int? {
            guard let v = m[key] else { return nil }
            guard let s = v.scalar?.string, let n = Int(s) else { throw fail(v, "\(at).\(key) must be a whole number") }
            return n
        }
        func duration(_ key: String) throws(LoadError) -> Int64? {
            guard let v = m[key] else { return nil }
            guard let s = v.scalar?.string, let ms = parseDuration(s) else { throw fail(v, "\(at).\(key) must be a duration such as 5m, 1h or 1d") }
            return ms
        }
        guard !name.contains("[") else { throw fail(item, "\(at): '[' is reserved for the series of per-series alarms") }
        let metric = try string(m, "metric", at, true)!
        guard let slash = metric.lastIndex(of: "/"), slash != metric.startIndex, metric.index(after: slash) != metric.endIndex else {
            throw fail(m["metric"], "\(at).metric '\(metric)' must be NAMESPACE/NAME")
        }
        var dimensions: [MetricDimension] = []
        if let d = m["dimensions"] {
            guard let dm = d.mapping else { throw fail(d, "\(at).dimensions must be a mapping of name: value") }
            for (k, v) in dm {
                guard let key = k.scalar?.string, let value = v.scalar?.string else { throw fail(k, "\(at).dimensions entries must be strings") }
                dimensions.append(MetricDimension(name: key, value: value))
            }
        }
        guard let periodNode = m["period"] else { throw fail(item, "\(at): missing 'period'") }
        guard let periodText = periodNode.scalar?.string, let period = parseDuration(periodText), period % 60_000 == 0 else {
            throw fail(periodNode, "\(at).period must be whole minutes such as 1m, 5m, 1h or 1d")
        }
        guard let evaluationPeriods = try integer("evaluationPeriods") else { throw fail(item, "\(at): missing 'evaluationPeriods'") }
        do {
            let statistic = try AlarmStatistic(parsing: try string(m, "statistic", at, true)!)
            if statistic.isPercentile { throw fail(m["statistic"], "\(at).statistic: percentiles need raw values; the store keeps statistic sets") }
            let (op, condition) = try AlarmDefinition.condition(comparison: try string(m, "comparison", at, true)!, threshold: try number("threshold"),
                                                                model: try string(m, "model", at, false), bandWidth: try number("band"))
            var actions: [String] = []
            if let a = m["actions"] {
                guard let list = a.sequence else { throw fail(a, "\(at).actions must be a list of sinks") }
                for x in list {
                    guard let s = x.scalar?.string else { throw fail(x, "\(at).actions entries must be strings") }
                    actions.append(s)
                }
            }
            let definition = AlarmDefinition(
                name: name, description: try string(m, "description", at, false),
                metric: AlarmMetric(namespace: String(metric[..<slash]), name: String(metric[metric.index(after: slash)...]), dimensions: dimensions),
                statistic: statistic, periodMillis: period, evaluationPeriods: evaluationPeriods, datapointsToAlarm: try integer("datapointsToAlarm"),
                comparisonOperator: op, condition: condition,
                treatMissingData: try string(m, "treatMissingData", at, false).map { v throws(AlarmDefinitionError) in try TreatMissingData(parsing: v) } ?? .missing,
                actions: actions,
                notificationPolicy: NotificationPolicy(cooldownMillis: try duration("cooldown"), rearmAfterMillis: try duration("rearmAfter")),
                minimumVolume: try number("minimumVolume"))
            try definition.validate()
            return definition
        } catch let e as AlarmDefinitionError {
            throw fail(item, "\(at): \(e)")
        } catch let e as LoadError {
            throw e
        } catch {
            throw fail(item, "\(at): \(error)")
        }
    }

    /// `90s`, `5m`, `1h`, `1d`.
    static func parseDuration(_ text: String) -> Int64? {
        let scales: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        guard let unit = text.last, let scale = scales[unit], let n = Int64(text.dropLast()), n > 0, n <= 100_000 else { return nil }
        return n * scale
    }
}
