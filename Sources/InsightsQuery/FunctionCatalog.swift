/// Every function the language knows: canonical spelling, arity and kind. The parser resolves
/// names case-insensitively against this table (and suggests the nearest for a typo); the
/// evaluator implements exactly these.
public struct FunctionSignature: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// Per-record function (`fields`, `filter`, arguments of other functions).
        case scalar
        /// Only inside `stats` (`count`, `avg`, `earliest`, …).
        case aggregate
    }

    public var name: String
    public var kind: Kind
    public var minArguments: Int
    /// nil: variadic.
    public var maxArguments: Int?

    public init(_ name: String, _ minArguments: Int, _ maxArguments: Int?) {
        self.init(name, .scalar, minArguments, maxArguments)
    }

    public init(_ name: String, _ kind: Kind, _ minArguments: Int, _ maxArguments: Int?) {
        self.name = name
        self.kind = kind
        self.minArguments = minArguments
        self.maxArguments = maxArguments
    }
}

public enum FunctionCatalog {
    public static let all: [FunctionSignature] = [
        // Numeric (spec §5.1).
        .init("abs", 1, 1), .init("ceil", 1, 1), .init("floor", 1, 1), .init("greatest", 1, nil), .init("least", 1, nil),
        .init("log", 1, 1), .init("sqrt", 1, 1), .init("round", 1, 2), .init("haversine", 4, 4),
        .init("toNumber", 1, 1), .init("toInt", 1, 1), .init("toLong", 1, 1), .init("toDouble", 1, 1),
        // Datetime (§5.2). `bin` takes a period and implicitly reads @timestamp.
        .init("bin", 1, 1), .init("datefloor", 2, 2), .init("dateceil", 2, 2), .init("fromMillis", 1, 1), .init("toMillis", 1, 1),
        .init("now", 0, 0), .init("parseDate", 2, 3), .init("formatDate", 2, 3), .init("strftime", 2, 3),
        // General (§5.3).
        .init("ispresent", 1, 1), .init("coalesce", 1, nil), .init("case", 2, 21), .init("if", 3, 3), .init("isNumeric", 1, 1),
        .init("messageSize", 1, 1), .init("queryStartTime", 0, 0), .init("queryEndTime", 0, 0), .init("queryTimeRange", 0, 0),
        .init("unmask", 1, 1),
        // String (§5.4).
        .init("isempty", 1, 1), .init("isblank", 1, 1), .init("concat", 1, nil), .init("ltrim", 1, 2), .init("rtrim", 1, 2),
        .init("trim", 1, 2), .init("strlen", 1, 1), .init("toupper", 1, 1), .init("tolower", 1, 1), .init("substr", 2, 3),
        .init("replace", 3, 3), .init("strcontains", 2, 3), .init("regexReplace", 3, 3), .init("startsWith", 2, 2),
        .init("endsWith", 2, 2), .init("urlencode", 1, 1), .init("urldecode", 1, 1), .init("base64encode", 1, 1),
        .init("base64decode", 1, 1), .init("split", 2, 2), .init("hexToAscii", 1, 1), .init("hexToDec", 1, 1), .init("decToHex", 1, 1),
        // IP addresses (§5.5).
        .init("isValidIp", 1, 1), .init("isValidIpV4", 1, 1), .init("isValidIpV6", 1, 1), .init("isIpInSubnet", 2, 2),
        .init("isIpv4InSubnet", 2, 2), .init("isIpv6InSubnet", 2, 2), .init("ipv4ToNumber", 1, 1), .init("isPrivateIP", 1, 1),
        .init("isPublicIP", 1, 1), .init("isReservedIP", 1, 1),
        // JSON and structure types (§5.6).
        .init("jsonParse", 1, 1), .init("jsonStringify", 1, 1), .init("jsonArraySize", 1, 1), .init("jsonArrayContains", 2, 2),
        // Hashing (§5.7).
        .init("md5", 1, 1), .init("sha256", 1, 1),
        // Aggregations (§5.9).
        .init("avg", .aggregate, 1, 1), .init("count", .aggregate, 0, 1), .init("count_distinct", .aggregate, 1, 1),
        .init("max", .aggregate, 1, 1), .init("min", .aggregate, 1, 1), .init("pct", .aggregate, 2, 2),
        .init("stddev", .aggregate, 1, 1), .init("sum", .aggregate, 1, 1), .init("earliest", .aggregate, 1, 1),
        .init("latest", .aggregate, 1, 1), .init("sortsFirst", .aggregate, 1, 1), .init("sortsLast", .aggregate, 1, 1),
    ]

    private static let byLowercasedName: [String: FunctionSignature] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.name.lowercased(), $0) })

    /// The signature for a name in any case, or nil.
    public static func lookup(_ name: String) -> FunctionSignature? {
        byLowercasedName[name.lowercased()]
    }
}
