/// The rules that make a well-formed query meaningful (spec §1, §4, §10), kept apart from the
/// grammar. The parser applies them as it goes, because only it knows token positions; the
/// tables and helpers live here.
enum QuerySemantics {
    /// Spec §10: `StartQuery`'s `QueryString` is at most 10,000 characters.
    static let maximumQueryLength = 10_000
    /// Spec §4.6/§10: 10,000 rows per query (the 2025 limit; the 2026 100,000 needs pagination,
    /// which an offline engine has no use for).
    static let maximumLimit = 10_000
    /// Spec §4.4 and §10.
    static let maximumStatsCommands = 2
    /// Not a documented limit: a bound on expression nesting so that recursion depth stays far
    /// below any thread's stack, whatever the query. No real query comes near it.
    static let maximumNesting = 200

    /// The commands trailwatch runs, spelled as documented (for suggestions).
    static let commands = ["fields", "display", "filter", "where", "filterIndex", "stats", "sort", "limit",
                           "parse", "dedup", "unnest", "diff", "pattern"]

    /// Documented commands (spec §4 inventory) that an offline CloudTrail engine does not run.
    static let unsupportedCommands: [String: String] = Dictionary(uniqueKeysWithValues: [
        "addtotals", "anomaly", "SOURCE", "unmask", "lookup", "join", "subqueries", "autoregress", "logcompare",
        "filldown", "fillmissing", "cidrlookup", "outlier", "accum", "appendcols", "sessionize", "countFrequent",
        "relevantfields", "expand",
    ].map { ($0.lowercased(), $0) })

    /// Documented time-series functions (spec §5.8) that are not in `FunctionCatalog`.
    static let unsupportedFunctions: [String: String] = Dictionary(uniqueKeysWithValues: [
        "rate", "count_over_time", "sum_over_time", "histogram",
    ].map { ($0.lowercased(), $0) })

    /// The columns `pattern` adds (spec §4.9), available to a second `stats`.
    static let patternColumns = ["@pattern", "@ratio", "@sampleCount", "@severityLabel"]

    /// The closest candidate within edit distance 2, compared case-insensitively; ties go to the
    /// earlier candidate.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased()), limit: 2)
            if distance <= 2, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance; returns `limit + 1` early when the lengths alone exceed `limit`.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// `round takes 1 or 2 arguments, got 3`.
    static func arityMessage(_ signature: FunctionSignature, got count: Int) -> String {
        func arguments(_ n: Int) -> String { n == 1 ? "1 argument" : "\(n) arguments" }
        let expected: String
        switch signature.maxArguments {
        case nil: expected = "at least \(arguments(signature.minArguments))"
        case let max? where max == signature.minArguments: expected = arguments(max)
        case let max? where max == signature.minArguments + 1: expected = "\(signature.minArguments) or \(arguments(max))"
        case let max?: expected = "\(signature.minArguments) to \(arguments(max))"
        }
        return "\(signature.name) takes \(expected), got \(count)"
    }

    /// The regex error text, or nil when Swift's `Regex` compiles the pattern (the evaluator
    /// uses the same engine, so a literal that passes here runs).
    static func regexProblem(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Names of `(?<name>…)` / `(?P<name>…)` groups, in order; lookbehinds (`(?<=`, `(?<!`)
    /// and escaped parentheses are skipped.
    static func namedGroups(in pattern: String) -> [String] {
        let chars = Array(pattern)
        var names: [String] = []
        var i = 0
        var inClass = false
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
            } else if c == "(", i + 2 < chars.count, chars[i + 1] == "?" {
                var j = i + 2
                if chars[j] == "P" { j += 1 }
                if j < chars.count, chars[j] == "<" || chars[j] == "'" {
                    let close: Character = chars[j] == "<" ? ">" : "'"
                    var name = ""
                    j += 1
                    while j < chars.count, chars[j] != close, chars[j] == "_" || chars[j].isLetter || chars[j].isNumber {
                        name.append(chars[j])
                        j += 1
                    }
                    if !name.isEmpty, j < chars.count, chars[j] == close { names.append(name) }
                }
            }
            i += 1
        }
        return names
    }

    /// Number of `*` wildcards in a `parse` glob.
    static func wildcardCount(_ glob: String) -> Int {
        glob.reduce(0) { $1 == "*" ? $0 + 1 : $0 }
    }
}

/// What the commands parsed so far imply for the ones that follow (spec §4.4 two-`stats` rules,
/// §4.8 `dedup`).
struct PipelineState {
    var statsCount = 0
    /// The first `sort`/`limit` seen while fewer than two `stats` have been parsed: invalid if a
    /// second `stats` follows.
    var earlyOrdering: (command: String, location: SourceLocation)?
    /// Set once a `dedup` is parsed: only `limit` may follow.
    var dedup: SourceLocation?
    /// Columns available after the first `stats` (its outputs plus anything later commands
    /// add); nil before it. The second `stats` may use only these.
    var columnsAfterFirstStats: Set<String>?

    mutating func add(columns: some Sequence<String>) {
        guard columnsAfterFirstStats != nil else { return }
        columnsAfterFirstStats!.formUnion(columns)
    }
}
