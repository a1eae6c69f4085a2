/// The `pattern` command's clustering (spec §4.9; the service's algorithm is unpublished, so this
/// is our own, documented in docs/insights.md "pattern"). Drain-style:
///
/// 1. Tokenise each message on whitespace.
/// 2. Mask variable tokens by type — UUID, IP (v4 with optional port, v6), Time (dates, clock
///    times, ISO timestamps), Hex (`0x…`, or ≥ 8 hex digits mixing letters and digits), Number
///    (decimal, optionally with a short unit suffix such as `ms`). Leading/trailing punctuation
///    and a `key=` prefix stay literal, so `id=42,` masks to `id=<Number>,`.
/// 3. Count identical masked token sequences.
/// 4. Visit the distinct sequences by count (descending), then text, and put each into the most
///    similar cluster with the same token count and first token whose similarity (share of equal
///    positions, wildcards counting as equal) is at least 0.5; differing positions become
///    wildcards. Otherwise start a new cluster. Visiting in that fixed order makes the result
///    independent of input order.
/// 5. Render: dynamic tokens numbered left to right, `<Number-1>`, `<IP-2>`, wildcards
///    `<Token-3>`.
struct PatternClusterer {
    enum Token: Hashable {
        case literal(String)
        /// A masked token: its type name and the literal text around the variable part.
        case typed(String, prefix: String, suffix: String)
        case wildcard
    }

    struct Cluster {
        var tokens: [Token]
        /// Events per side (`pattern` uses one side; `diff` two).
        var counts: [Int]
        var sample: String
        var pattern: String = ""
        var severity: String = ""
    }

    let sides: Int
    private var templates: [[Token]: (counts: [Int], sample: String)] = [:]

    init(sides: Int = 1) { self.sides = sides }

    mutating func add(_ message: String, side: Int = 0) {
        let tokens = PatternClusterer.mask(message)
        if templates[tokens] != nil {
            templates[tokens]!.counts[side] += 1  // In place: no copy of the entry.
        } else {
            var counts = [Int](repeating: 0, count: sides)
            counts[side] = 1
            templates[tokens] = (counts, message)
        }
    }

    func clusters() -> [Cluster] {
        let ordered = templates.map { (tokens: $0.key, counts: $0.value.counts, sample: $0.value.sample,
                                       text: PatternClusterer.render($0.key, numbered: false)) }
            .sorted { a, b in
                let ca = a.counts.reduce(0, +), cb = b.counts.reduce(0, +)
                return ca != cb ? ca > cb : a.text < b.text
            }
        var clusters: [Cluster] = []
        var buckets: [String: [Int]] = [:]
        for t in ordered {
            let key = "\(t.tokens.count)|" + PatternClusterer.bucketKey(t.tokens.first)
            var best: Int?
            var bestScore = -1.0
            for ci in buckets[key, default: []] {
                let s = PatternClusterer.similarity(clusters[ci].tokens, t.tokens)
                if s >= 0.5 && s > bestScore { best = ci; bestScore = s }
            }
            if let best {
                for i in clusters[best].tokens.indices where clusters[best].tokens[i] != t.tokens[i] {
                    clusters[best].tokens[i] = .wildcard
                }
                for s in 0..<sides { clusters[best].counts[s] += t.counts[s] }
            } else {
                buckets[key, default: []].append(clusters.count)
                clusters.append(Cluster(tokens: t.tokens, counts: t.counts, sample: t.sample))
            }
        }
        for i in clusters.indices {
            clusters[i].pattern = PatternClusterer.render(clusters[i].tokens, numbered: true)
            clusters[i].severity = PatternClusterer.severity(of: clusters[i].sample)
        }
        return clusters
    }

    static func bucketKey(_ t: Token?) -> String {
        if case .literal(let s)? = t { return s }
        return "<*>"
    }

    static func similarity(_ a: [Token], _ b: [Token]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return a.isEmpty && b.isEmpty ? 1 : 0 }
        var same = 0
        for i in a.indices where a[i] == b[i] || a[i] == .wildcard { same += 1 }
        return Double(same) / Double(a.count)
    }

    static func render(_ tokens: [Token], numbered: Bool) -> String {
        var n = 0
        var parts: [String] = []
        parts.reserveCapacity(tokens.count)
        for t in tokens {
            switch t {
            case .literal(let s): parts.append(s)
            case .typed(let type, let prefix, let suffix):
                n += 1
                parts.append(prefix + (numbered ? "<\(type)-\(n)>" : "<\(type)>") + suffix)
            case .wildcard:
                n += 1
                parts.append(numbered ? "<Token-\(n)>" : "<Token>")
            }
        }
        return parts.joined(separator: " ")
    }

    /// Error > Warning > Info > Debug by keyword (whole words, any case); "Other" when none.
    static func severity(of text: String) -> String {
        var words = Set<String>()
        var current = ""
        for c in text.unicodeScalars {
            if c.properties.isAlphabetic { current.unicodeScalars.append(c) } else if !current.isEmpty {
                words.insert(current.lowercased()); current = ""
            }
        }
        if !current.isEmpty { words.insert(current.lowercased()) }
        let levels: [(String, [String])] = [
            ("Error", ["error", "err", "errors", "fatal", "critical", "crit", "exception", "failed", "failure", "panic", "severe"]),
            ("Warning", ["warn", "warning", "warnings"]),
            ("Info", ["info", "information", "notice"]),
            ("Debug", ["debug", "trace", "verbose"]),
        ]
        for (label, keys) in levels where keys.contains(where: words.contains) { return label }
        return "Other"
    }

    // MARK: Masking

    static func mask(_ message: String) -> [Token] {
        message.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map { maskToken(Substring($0)) }
    }

    static let openers: Set<Character> = ["(", "[", "{", "\"", "'", "<"]
    static let closers: Set<Character> = [")", "]", "}", "\"", "'", ">", ",", ";", ":", "."]

    static func maskToken(_ token: Substring) -> Token {
        var core = token[...]
        var prefixEnd = core.startIndex
        if let eq = core.lastIndex(of: "="), eq != core.index(before: core.endIndex) {
            prefixEnd = core.index(after: eq)
        }
        while prefixEnd < core.endIndex, openers.contains(core[prefixEnd]) { prefixEnd = core.index(after: prefixEnd) }
        var suffixStart = core.endIndex
        while suffixStart > prefixEnd, closers.contains(core[core.index(before: suffixStart)]) {
            suffixStart = core.index(before: suffixStart)
        }
        core = token[prefixEnd..<suffixStart]
        if let type = classify(core) {
            return .typed(type, prefix: String(token[..<prefixEnd]), suffix: String(token[suffixStart...]))
        }
        // A trailing `.` or `:` may belong to the value (`10.0.0.1.` ends a sentence, `12:30:`);
        // retry with the whole rest.
        if suffixStart < token.endIndex, let type = classify(token[prefixEnd...]) {
            return .typed(type, prefix: String(token[..<prefixEnd]), suffix: "")
        }
        return .literal(String(token))
    }

    static func classify(_ s: Substring) -> String? {
        guard !s.isEmpty else { return nil }
        let b = Array(s.utf8)
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) }
        // UUID 8-4-4-4-12.
        if b.count == 36, [8, 13, 18, 23].allSatisfy({ b[$0] == 45 }),
           b.enumerated().allSatisfy({ [8, 13, 18, 23].contains($0.offset) || isHex($0.element) }) { return "UUID" }
        // Times and dates: start with a digit and contain `-`/`/`/`:` in date/clock shapes.
        if isDigit(b[0]), looksLikeTime(b) { return "Time" }
        // IPs.
        if b.contains(46) || b.contains(58) {
            var text = String(s)
            if b.filter({ $0 == 58 }).count == 1, let colon = text.lastIndex(of: ":"),
               text[text.index(after: colon)...].allSatisfy(\.isNumber) {
                text = String(text[..<colon])  // v4:port
            }
            if IPAddress.parseV4(Substring(text)) != nil { return "IP" }
            if b.filter({ $0 == 58 }).count >= 2, IPAddress.parseV6(Substring(text)) != nil { return "IP" }
        }
        if parseStrictNumber(String(s)) != nil { return "Number" }
        // Number with a short unit (`327ms`, `12KB`).
        if let firstLetter = b.firstIndex(where: { !isDigit($0) && $0 != 46 }), firstLetter > 0, b.count - firstLetter <= 3,
           b[firstLetter...].allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) }),
           parseStrictNumber(String(decoding: b[..<firstLetter], as: UTF8.self)) != nil { return "Number" }
        if b.count > 2, b[0] == 48, b[1] == 120 || b[1] == 88, b[2...].allSatisfy(isHex) { return "Hex" }
        if b.count >= 8, b.allSatisfy(isHex), b.contains(where: isDigit), b.contains(where: { !isDigit($0) }) { return "Hex" }
        return nil
    }

    /// `2023-05-01`, `2023/05/01`, `10:24:39`, `10:24:39,474`, `2023-05-01T10:00:00Z`, …
    static func looksLikeTime(_ b: [UInt8]) -> Bool {
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        var i = 0
        func digits() -> Int { let s = i; while i < b.count, isDigit(b[i]) { i += 1 }; return i - s }
        let d1 = digits()
        guard i < b.count else { return false }
        if d1 == 4, b[i] == 45 || b[i] == 47 {
            let sep = b[i]; i += 1
            guard digits() == 2, i < b.count, b[i] == sep else { return false }
            i += 1
            guard digits() == 2 else { return false }
            return true  // Whatever follows (T…, time) belongs to the timestamp.
        }
        if d1 >= 1, d1 <= 2, b[i] == 58 {
            i += 1
            guard digits() == 2 else { return false }
            if i < b.count, b[i] == 58 { i += 1; guard digits() == 2 else { return false } }
            if i < b.count, b[i] == 46 || b[i] == 44 { i += 1; guard digits() > 0 else { return false } }
            return i == b.count || b[i] == 90
        }
        return false
    }
}
