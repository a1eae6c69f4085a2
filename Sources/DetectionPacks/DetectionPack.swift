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
/// ```
public struct DetectionPack: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var filters: [MetricFilterDefinition]

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
    }
}
