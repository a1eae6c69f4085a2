import TrailJSON

/// Many metric filters compiled together and evaluated in one pass over each event.
///
/// Every JSON pattern, and every `$.` metric value and dimension of a JSON filter, shares one
/// selector walk of the record; space-delimited patterns share one split of the line. Term and
/// regex patterns run on the raw bytes.
public struct FilterEvaluator: Sendable {
    private let compiled: CompiledFilters

    public var count: Int { compiled.filters.count }

    public init(_ filters: [(pattern: FilterPattern, transformation: MetricTransformation)]) {
        compiled = CompiledFilters(filters)
    }

    /// Sets `outcomes[i]` to filter `i`'s verdict on `message` (resizing `outcomes` if needed).
    public func evaluate(_ message: UnsafeRawBufferPointer, into outcomes: inout [FilterOutcome]) {
        compiled.evaluate(message, into: &outcomes)
    }
}

/// The evaluator's compiled form: a class, immutable after `init`, so the per-event path holds
/// one reference rather than copying a handful of arrays into every closure.
final class CompiledFilters: Sendable {
    enum Matcher: Sendable {
        case matchAll
        case terms(TermPattern)
        case regex(Regex)
        case json(Int)  // pattern index in `json`
        case spaceDelimited(SpaceDelimitedMatcher)
    }

    /// A metric value.
    enum Value: Sendable {
        case constant(Double)
        case size
        case field(Field)
    }

    /// Where a field-valued metric value or dimension is read, resolved against the pattern.
    enum Field: Sendable {
        /// The n-th extra selector given to the `JSONMatcher` (see `JSONMatcher.extraSlots`).
        case jsonSelector(Int, text: String)
        case token(SpaceDelimitedMatcher.FieldReference, text: String)
        /// A reference the pattern cannot supply (see `MetricTransformation.validate(for:)`).
        case unavailable(text: String, reason: String)

        var text: String {
            switch self {
            case .jsonSelector(_, let t), .token(_, let t), .unavailable(let t, _): return t
            }
        }
    }

    struct Filter: Sendable {
        var matcher: Matcher
        var value: Value
        /// Sorted by name.
        var dimensions: [(name: String, field: Field)]
    }

    let filters: [Filter]
    private let json: JSONMatcher?
    private let jsonFilters: [Int]
    private let spaceFilters: [Int]
    private let otherFilters: [Int]

    init(_ filters: [(pattern: FilterPattern, transformation: MetricTransformation)]) {
        var jsonASTs: [JSONPatternAST] = []
        var extra: [Selector] = []
        var compiled: [Filter] = []
        var jsonFilters: [Int] = [], spaceFilters: [Int] = [], otherFilters: [Int] = []

        for (i, (pattern, t)) in filters.enumerated() {
            let matcher: Matcher
            switch pattern.compiled {
            case .matchAll: matcher = .matchAll; otherFilters.append(i)
            case .terms(let p): matcher = .terms(p); otherFilters.append(i)
            case .regex(let r): matcher = .regex(r); otherFilters.append(i)
            case .json(let ast, _):
                matcher = .json(jsonASTs.count)
                jsonASTs.append(ast)
                jsonFilters.append(i)
            case .spaceDelimited(_, let m): matcher = .spaceDelimited(m); spaceFilters.append(i)
            }
            func source(_ field: String) -> Field {
                guard let reference = try? MetricTransformation.parseField(field) else {
                    return .unavailable(text: field, reason: "\(field) is not a valid field reference")
                }
                switch (reference, matcher) {
                case (.json(let selector), .json):
                    extra.append(selector)
                    return .jsonSelector(extra.count - 1, text: field)
                case (.named(let name), .spaceDelimited(let m)):
                    guard let r = m.resolve(name) else { return .unavailable(text: field, reason: "the pattern has no field named \(field)") }
                    return .token(r, text: field)
                case (.json, _):
                    return .unavailable(text: field, reason: "\(field) needs a JSON filter pattern")
                case (.named, _):
                    return .unavailable(text: field, reason: "\(field) needs a space-delimited filter pattern")
                }
            }
            let value: Value
            switch t.value {
            case .constant(let d): value = .constant(d)
            case .size:
                if case .spaceDelimited(let m) = matcher, let slot = m.slotNames.firstIndex(of: "size") {
                    value = .field(.token(.slot(slot), text: "$size"))
                } else {
                    value = .size
                }
            case .field(let f): value = .field(source(f))
            }
            let dimensions = t.dimensions.sorted { $0.key < $1.key }.map { (name: $0.key, field: source($0.value)) }
            compiled.append(Filter(matcher: matcher, value: value, dimensions: dimensions))
        }

        json = jsonASTs.isEmpty ? nil : JSONMatcher(jsonASTs, extraSelectors: extra)
        self.filters = compiled
        self.jsonFilters = jsonFilters
        self.spaceFilters = spaceFilters
        self.otherFilters = otherFilters
    }

    func evaluate(_ message: UnsafeRawBufferPointer, into outcomes: inout [FilterOutcome]) {
        if outcomes.count != filters.count { outcomes = Array(repeating: .noMatch, count: filters.count) }
        let event = ByteView(message)

        for i in otherFilters {
            let matched: Bool
            switch filters[i].matcher {
            case .matchAll: matched = true
            case .terms(let p): matched = p.matches(event)
            case .regex(let r): matched = r.matches(event)
            default: matched = false
            }
            outcomes[i] = matched ? outcome(filters[i], event: event, scan: nil, tokens: nil) : .noMatch
        }

        if let json {
            let scanned: Void? = json.scan(message) { scan in
                for k in 0..<jsonFilters.count {
                    let i = jsonFilters[k]
                    if json.matches(k, scan) {
                        outcomes[i] = outcome(filters[i], event: event, scan: scan, tokens: nil)
                    } else {
                        outcomes[i] = .noMatch
                    }
                }
            }
            if scanned == nil {
                for i in jsonFilters { outcomes[i] = .noMatch }
            }
        }

        if !spaceFilters.isEmpty {
            LogTokens.with(message) { tokens in
                for i in spaceFilters {
                    guard case .spaceDelimited(let m) = filters[i].matcher else { continue }
                    outcomes[i] = m.matches(tokens) ? outcome(filters[i], event: event, scan: nil, tokens: tokens) : .noMatch
                }
            }
        }
    }

    private func outcome(_ f: Filter, event: ByteView, scan: JSONMatcher.Scan?, tokens: LogTokens?) -> FilterOutcome {
        let value: Double
        switch f.value {
        case .constant(let d): value = d
        case .size: value = Double(event.count)
        case .field(let field):
            switch read(field, scan: scan, tokens: tokens, matcher: f.matcher) {
            case .failure(let failure): return .invalidValue(reason: failure.reason)
            case .success(let text):
                guard let d = text.number else {
                    return .invalidValue(reason: "\(field.text) is not a number: \(text.quoted)")
                }
                value = d
            }
        }
        guard !f.dimensions.isEmpty else { return .match(value: value, dimensions: []) }
        var dimensions: [Dimension] = []
        dimensions.reserveCapacity(f.dimensions.count)
        for (name, field) in f.dimensions {
            switch read(field, scan: scan, tokens: tokens, matcher: f.matcher) {
            case .failure(let failure): return .invalidValue(reason: "dimension \(name): \(failure.reason)")
            case .success(let text): dimensions.append(Dimension(name: name, value: text.string))
            }
        }
        return .match(value: value, dimensions: dimensions)
    }

    /// A field's text: a JSON string (escapes resolved on demand), a JSON number or boolean's
    /// text, or a space-delimited token.
    private struct FieldText {
        var bytes: ByteView
        var escaped: Bool

        var decoded: [UInt8] {
            var out: [UInt8] = []
            JSONScanner.unescape(UnsafeBufferPointer(start: bytes.base, count: bytes.count), into: &out)
            return out
        }

        var string: String {
            escaped ? String(decoding: decoded, as: UTF8.self)
                : String(decoding: UnsafeBufferPointer(start: bytes.base, count: bytes.count), as: UTF8.self)
        }

        var number: Double? { escaped ? NumberLiteral.parse(decoded) : NumberLiteral.parse(bytes) }

        var quoted: String { "\"" + string + "\"" }
    }

    private struct ReadFailure: Error { var reason: String }

    private func read(_ field: Field, scan: JSONMatcher.Scan?, tokens: LogTokens?, matcher: Matcher) -> Result<FieldText, ReadFailure> {
        switch field {
        case .unavailable(_, let reason):
            return .failure(ReadFailure(reason: reason))
        case .jsonSelector(let n, let text):
            guard let scan, let json else { return .failure(ReadFailure(reason: "\(text) is absent")) }
            let v = scan.values[json.extraSlots[n]]
            let bytes = ByteView(scan.base + v.start, v.end - v.start)
            switch v.kind {
            case .string: return .success(FieldText(bytes: bytes, escaped: memchr(bytes.base, 0x5C, bytes.count) != nil))
            case .number: return .success(FieldText(bytes: bytes, escaped: false))
            case .true: return .success(FieldText(bytes: ByteView(scan.base + v.start, 4), escaped: false))
            case .false: return .success(FieldText(bytes: ByteView(scan.base + v.start, 5), escaped: false))
            case .absent: return .failure(ReadFailure(reason: "\(text) is absent"))
            case .null: return .failure(ReadFailure(reason: "\(text) is null"))
            case .object: return .failure(ReadFailure(reason: "\(text) is an object"))
            case .array: return .failure(ReadFailure(reason: "\(text) is an array"))
            }
        case .token(let reference, let text):
            guard let tokens, case .spaceDelimited(let m) = matcher, let token = m.field(reference, in: tokens) else {
                return .failure(ReadFailure(reason: "\(text) is absent"))
            }
            return .success(FieldText(bytes: token, escaped: false))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
