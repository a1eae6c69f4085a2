import Crypto
import Foundation

/// The scalar function library (spec §5.1–5.7). Each function is compiled once per query into a
/// closure; arguments that must be literals (periods, regex patterns) are checked then.
/// Conventions: a null argument gives null unless the function is about presence
/// (`ispresent`, `isempty`, `isblank`, `coalesce`); string functions read numbers and
/// timestamps by their text; lists and maps are null to string, number and datetime functions.
enum Functions {
    static func compile(_ name: String, _ args: [Expr], _ c: ExprCompiler) throws(InsightsError) -> Eval {
        // Functions with special argument handling first.
        switch name {
        case "bin":
            let period = try periodArgument(name, args[0])
            let ts = c.timestamp
            return { row in
                guard let ms = ts(row).asMillis else { return .null }
                return .timestamp(period.floor(ms))
            }
        case "datefloor", "dateceil":
            let period = try periodArgument(name, args[1])
            let a = try c.compile(args[0])
            let up = name == "dateceil"
            return { row in
                guard let ms = a(row).asMillis else { return .null }
                return .timestamp(up ? period.ceil(ms) : period.floor(ms))
            }
        case "now":
            let s = Double(c.context.nowMillis / 1000)
            return { _ in .number(s) }
        case "queryStartTime":
            let v: InsightsValue = c.context.window.startMillis.map { .number(Double($0)) } ?? .null
            return { _ in v }
        case "queryEndTime":
            let v: InsightsValue = c.context.window.endMillis.map { .number(Double($0)) } ?? .null
            return { _ in v }
        case "queryTimeRange":
            let w = c.context.window
            let v: InsightsValue = w.startMillis.flatMap { s in w.endMillis.map { .number(Double($0 - s)) } } ?? .null
            return { _ in v }
        case "ispresent":
            let a = try c.compile(args[0])
            return { .bool(!a($0).isNull) }
        case "coalesce":
            let evals = try compileAll(args, c)
            return { row in
                for e in evals {
                    let v = e(row)
                    if !v.isNull { return v }
                }
                return .null
            }
        case "if":
            let cond = try c.compile(args[0]), t = try c.compile(args[1]), f = try c.compile(args[2])
            return { row in Operators.truth(cond(row)) == true ? t(row) : f(row) }
        case "case":
            let evals = try compileAll(args, c)
            let pairs = evals.count / 2
            let fallback: Eval? = evals.count % 2 == 1 ? evals.last : nil
            return { row in
                for k in 0..<pairs where Operators.truth(evals[2 * k](row)) == true { return evals[2 * k + 1](row) }
                return fallback?(row) ?? .null
            }
        case "regexReplace":
            let a = try c.compile(args[0]), repl = try c.compile(args[2])
            let pattern: String
            switch args[1] {
            case .regex(let r): pattern = r.pattern
            case .literal(let v): pattern = v.stringForm ?? ""
            default:
                // A computed pattern: compiled when it changes (an invalid one gives null).
                let p = try c.compile(args[1])
                let cache = Boxed<(String, Regex<AnyRegexOutput>?)?>(nil)
                return { row in
                    guard let s = a(row).stringForm, let r = repl(row).stringForm, let text = p(row).stringForm else { return .null }
                    if cache.value?.0 != text { cache.value = (text, try? TextMatch.regex(text)) }
                    guard let re = cache.value?.1 else { return .null }
                    return .string(regexReplace(s, re, r))
                }
            }
            let re = try TextMatch.regex(pattern)
            return { row in
                guard let s = a(row).stringForm, let r = repl(row).stringForm else { return .null }
                return .string(regexReplace(s, re, r))
            }
        default:
            break
        }
        if args.count == 1, let f = unary(name) {
            let a = try c.compile(args[0])
            return { f(a($0)) }
        }
        if let f = nary(name) {
            let evals = try compileAll(args, c)
            return { row in f(evals.map { $0(row) }) }
        }
        throw InsightsError(.semantic, "function '\(name)' is not supported here")
    }

    static func compileAll(_ args: [Expr], _ c: ExprCompiler) throws(InsightsError) -> [Eval] {
        var out: [Eval] = []
        for a in args { out.append(try c.compile(a)) }
        return out
    }

    static func periodArgument(_ name: String, _ e: Expr) throws(InsightsError) -> Period {
        switch e {
        case .period(let p): return try Period(p)
        case .literal(.number(let ms)) where ms >= 1: return Period(fixedMillis: Int64(ms))
        default: throw InsightsError(.semantic, "\(name)() needs a time period such as 5m or 1h")
        }
    }

    // MARK: One-argument functions

    static func unary(_ name: String) -> (@Sendable (InsightsValue) -> InsightsValue)? {
        switch name {
        // Numeric.
        case "abs": return num { abs($0) }
        case "ceil": return num { $0.rounded(.up) }
        case "floor": return num { $0.rounded(.down) }
        case "log": return num { $0 > 0 ? Foundation.log($0) : nil }
        case "sqrt": return num { $0 >= 0 ? $0.squareRoot() : nil }
        case "toNumber", "toDouble": return num { $0 }
        case "toInt": return num { d in
            let t = d.rounded(.towardZero)
            return t >= Double(Int32.min) && t <= Double(Int32.max) ? t : nil
        }
        case "toLong": return num { d in
            let t = d.rounded(.towardZero)
            return abs(t) < 9.223_372_036_854_775e18 ? t : nil
        }
        // Datetime.
        case "fromMillis": return { v in v.asMillis.map(InsightsValue.timestamp) ?? .null }
        case "toMillis": return { v in v.asMillis.map { .number(Double($0)) } ?? .null }
        // General.
        case "isNumeric": return { v in
            if case .null = v { return .bool(false) }
            if case .number = v { return .bool(true) }
            if case .string(let s) = v { return .bool(parseStrictNumber(s) != nil) }
            return .bool(false)
        }
        case "messageSize": return str { .number(Double($0.utf8.count)) }
        case "unmask": return { $0 }
        // String.
        case "isempty": return { v in .bool((v.stringForm ?? "").isEmpty) }
        case "isblank": return { v in .bool((v.stringForm ?? "").allSatisfy(\.isWhitespace)) }
        case "strlen": return str { .number(Double($0.unicodeScalars.count)) }
        case "toupper": return str { .string($0.uppercased()) }
        case "tolower": return str { .string($0.lowercased()) }
        case "ltrim": return str { .string(trim($0, nil, left: true, right: false)) }
        case "rtrim": return str { .string(trim($0, nil, left: false, right: true)) }
        case "trim": return str { .string(trim($0, nil, left: true, right: true)) }
        case "urlencode": return str { .string(urlEncode($0)) }
        case "urldecode": return str { s in urlDecode(s).map(InsightsValue.string) ?? .null }
        case "base64encode": return str { .string(Data($0.utf8).base64EncodedString()) }
        case "base64decode": return str { s in
            var t = s.trimmingCharacters(in: .whitespaces)
            t = t.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while t.utf8.count % 4 != 0 { t += "=" }
            guard let d = Data(base64Encoded: t) else { return .null }
            return .string(String(decoding: d, as: UTF8.self))
        }
        case "hexToAscii": return str { s in
            guard let bytes = hexBytes(s) else { return .null }
            return .string(String(decoding: bytes, as: UTF8.self))
        }
        case "hexToDec": return str { s in
            var t = Substring(s.trimmingCharacters(in: .whitespaces))
            var negative = false
            if t.hasPrefix("-") { negative = true; t = t.dropFirst() }
            if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
            guard !t.isEmpty, let v = UInt64(t, radix: 16) else { return .null }
            return .number(negative ? -Double(v) : Double(v))
        }
        case "decToHex": return { v in
            guard let d = v.numeric, d.isFinite, abs(d) < 1.8e19 else { return .null }
            let t = d.rounded(.towardZero)
            let hex = String(UInt64(abs(t)), radix: 16)
            return .string((t < 0 ? "-0x" : "0x") + hex)
        }
        // IP.
        case "isValidIp": return str { .bool(IPAddress($0) != nil) }
        case "isValidIpV4": return str { .bool(IPAddress.parseV4(Substring($0)) != nil) }
        case "isValidIpV6": return str { .bool(IPAddress.parseV6(Substring($0)) != nil) }
        case "ipv4ToNumber": return str { s in
            guard let b = IPAddress.parseV4(Substring(s)) else { return .null }
            return .number(Double(UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])))
        }
        case "isPrivateIP": return str { s in IPAddress(s).map { .bool(IPRanges.isPrivate($0)) } ?? .bool(false) }
        case "isReservedIP": return str { s in IPAddress(s).map { .bool(IPRanges.isReserved($0)) } ?? .bool(false) }
        case "isPublicIP": return str { s in
            IPAddress(s).map { .bool(!IPRanges.isPrivate($0) && !IPRanges.isReserved($0)) } ?? .bool(false)
        }
        // JSON.
        case "jsonParse": return { v in
            guard case .string(let s) = v, let j = try? JSONValue.parse(s) else {
                if case .list = v { return v }
                if case .map = v { return v }
                return .null
            }
            switch j {
            case .object, .array: return .fromParsedJSON(j)
            default: return .null
            }
        }
        case "jsonStringify": return { v in
            switch v {
            case .list, .map: return .string(v.structuredJSON.jsonText())
            default: return .null
            }
        }
        case "jsonArraySize": return { v in
            guard let l = jsonList(v) else { return .null }
            return .number(Double(l.count))
        }
        // Hashing.
        case "md5": return str { .string(hex(Insecure.MD5.hash(data: Data($0.utf8)))) }
        case "sha256": return str { .string(hex(SHA256.hash(data: Data($0.utf8)))) }
        default: return nil
        }
    }

    // MARK: Several arguments

    static func nary(_ name: String) -> (@Sendable ([InsightsValue]) -> InsightsValue)? {
        switch name {
        case "greatest", "least":
            let greatest = name == "greatest"
            return { args in
                var best: Double?
                for v in args {
                    guard let d = v.numeric else { continue }
                    if best == nil || (greatest ? d > best! : d < best!) { best = d }
                }
                return best.map(InsightsValue.number) ?? .null
            }
        case "round":
            return { args in
                guard let x = args[0].numeric else { return .null }
                let digits = args.count > 1 ? (args[1].numeric.map { Int($0) } ?? 0) : 0
                let scale = Foundation.pow(10.0, Double(digits))
                let r = (x * scale).rounded(.toNearestOrAwayFromZero) / scale
                return r.isFinite ? .number(r) : .null
            }
        case "haversine":
            return { args in
                let n = args.compactMap(\.numeric)
                guard n.count == 4 else { return .null }
                let rad = Double.pi / 180
                let dLat = (n[2] - n[0]) * rad, dLon = (n[3] - n[1]) * rad
                let a = sin(dLat / 2) * sin(dLat / 2) + cos(n[0] * rad) * cos(n[2] * rad) * sin(dLon / 2) * sin(dLon / 2)
                return .number(6371.0 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot()))
            }
        case "parseDate":
            return { args in
                guard let s = args[0].stringForm, let f = args[1].stringForm,
                      let parsed = DateFormats.parseJava(s, f) else { return .null }
                if let off = parsed.offsetMillis { return .number(Double(parsed.local - off)) }
                let tz = args.count > 2 ? args[2].stringForm : nil
                return Zone.utc(fromLocal: parsed.local, tz).map { .number(Double($0)) } ?? .null
            }
        case "formatDate", "strftime":
            return { args in
                guard let ms = args[0].asMillis, let f = args[1].stringForm else { return .null }
                let tz = args.count > 2 ? args[2].stringForm : nil
                guard let off = Zone.offsetMillis(tz, at: ms) else { return .null }
                return .string(DateFormats.strftime(ms, f, offsetMillis: off, zoneName: tz ?? "UTC"))
            }
        case "concat":
            return { args in
                var out = ""
                for v in args { if let s = v.stringForm { out += s } }
                return .string(out)
            }
        case "ltrim", "rtrim", "trim":
            let left = name != "rtrim", right = name != "ltrim"
            return { args in
                guard let s = args[0].stringForm else { return .null }
                let chars = args.count > 1 ? args[1].stringForm : nil
                return .string(trim(s, chars, left: left, right: right))
            }
        case "substr":
            return { args in
                guard let s = args[0].stringForm, let startD = args[1].numeric else { return .null }
                let scalars = Array(s.unicodeScalars)
                let start = max(0, min(scalars.count, Int(startD)))
                var end = scalars.count
                if args.count > 2 {
                    guard let len = args[2].numeric else { return .null }
                    end = max(start, min(scalars.count, start + max(0, Int(len))))
                }
                var out = String.UnicodeScalarView()
                out.append(contentsOf: scalars[start..<end])
                return .string(String(out))
            }
        case "replace":
            return { args in
                guard let s = args[0].stringForm, let search = args[1].stringForm, let repl = args[2].stringForm else { return .null }
                if search.isEmpty { return .string(s) }
                return .string(s.replacingOccurrences(of: search, with: repl))
            }
        case "strcontains":
            return { args in
                guard let s = args[0].stringForm, let search = args[1].stringForm else { return .null }
                let ci = args.count > 2 && Operators.truth(args[2]) == true
                if ci { return .bool(s.lowercased().contains(search.lowercased()) || search.isEmpty) }
                return .bool(utf8Contains(s, Array(search.utf8)))
            }
        case "startsWith":
            return { args in
                guard let s = args[0].stringForm, let p = args[1].stringForm else { return .null }
                return .bool(s.utf8.starts(with: p.utf8))
            }
        case "endsWith":
            return { args in
                guard let s = args[0].stringForm, let p = args[1].stringForm else { return .null }
                return .bool(s.utf8.reversed().starts(with: p.utf8.reversed()))
            }
        case "split":
            return { args in
                guard let s = args[0].stringForm, let d = args[1].stringForm else { return .null }
                if d.isEmpty { return .list(s.map { .string(String($0)) }) }
                return .list(s.components(separatedBy: d).map(InsightsValue.string))
            }
        case "isIpInSubnet", "isIpv4InSubnet", "isIpv6InSubnet":
            let family: Int? = name == "isIpv4InSubnet" ? 4 : (name == "isIpv6InSubnet" ? 16 : nil)
            return { args in
                guard let s = args[0].stringForm, let c = args[1].stringForm else { return .null }
                guard let ip = IPAddress(s), let cidr = CIDR(c) else { return .bool(false) }
                if let family, ip.bytes.count != family || cidr.network.bytes.count != family { return .bool(false) }
                return .bool(cidr.contains(ip))
            }
        case "jsonArrayContains":
            return { args in
                guard let l = jsonList(args[0]) else { return .bool(false) }
                let target = args[1]
                return .bool(l.contains { v in
                    switch (v, target) {
                    case (.string(let a), .string(let b)): return a == b
                    case (.string, _), (_, .string): return false
                    default: return Operators.compare(v, target) == 0
                    }
                })
            }
        default:
            return nil
        }
    }

    // MARK: Helpers

    static func num(_ f: @escaping @Sendable (Double) -> Double?) -> @Sendable (InsightsValue) -> InsightsValue {
        { v in
            guard let d = v.numeric, let r = f(d), r.isFinite else { return .null }
            return .number(r)
        }
    }

    static func str(_ f: @escaping @Sendable (String) -> InsightsValue) -> @Sendable (InsightsValue) -> InsightsValue {
        { v in
            guard let s = v.stringForm else { return .null }
            return f(s)
        }
    }

    /// Without `chars`, whitespace; with it, any of its characters (a set, spec §5.4).
    static func trim(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
        let scalars = Array(s.unicodeScalars)
        let set: Set<Unicode.Scalar>? = chars.map { Set($0.unicodeScalars) }
        func strip(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? c.properties.isWhitespace }
        var lo = 0, hi = scalars.count
        if left { while lo < hi, strip(scalars[lo]) { lo += 1 } }
        if right { while hi > lo, strip(scalars[hi - 1]) { hi -= 1 } }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lo..<hi])
        return String(out)
    }

    static func urlEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5a, 0x61...0x7a, 0x2d, 0x2e, 0x5f, 0x7e: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "%" + String(format: "%02X", b)
            }
        }
        return out
    }

    /// `%XX` sequences and `+` as a space (form encoding); malformed escapes give null.
    static func urlDecode(_ s: String) -> String? {
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == 0x25 {
                guard i + 2 < u.count, let v = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v); i += 3
            } else {
                bytes.append(u[i] == 0x2b ? 0x20 : u[i]); i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        var t = Substring(s)
        if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
        let u = Array(t.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let v = UInt8(String(decoding: u[i...(i + 1)], as: UTF8.self), radix: 16) else { return nil }
            out.append(v); i += 2
        }
        return out
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A list, or a string holding a JSON array.
    static func jsonList(_ v: InsightsValue) -> [InsightsValue]? {
        switch v {
        case .list(let l): return l
        case .string(let s):
            guard let j = try? JSONValue.parse(s), case .array = j, case .list(let l) = InsightsValue.fromParsedJSON(j) else { return nil }
            return l
        default: return nil
        }
    }

    /// Replaces every match; `$1`/`\1` and `${name}` in the replacement insert groups.
    static func regexReplace(_ s: String, _ re: Regex<AnyRegexOutput>, _ replacement: String) -> String {
        var out = ""
        var last = s.startIndex
        for m in s.matches(of: re) {
            out += s[last..<m.range.lowerBound]
            out += expand(replacement, m.output)
            last = m.range.upperBound
        }
        out += s[last...]
        return out
    }

    static func expand(_ template: String, _ output: AnyRegexOutput) -> String {
        let t = Array(template)
        var out = ""
        var i = 0
        while i < t.count {
            let ch = t[i]
            if (ch == "$" || ch == "\\"), i + 1 < t.count {
                if let d = t[i + 1].wholeNumberValue {
                    if d < output.count, let sub = output[d].substring { out += sub }
                    i += 2; continue
                }
                if ch == "$", t[i + 1] == "{", let close = t[(i + 2)...].firstIndex(of: "}") {
                    let name = String(t[(i + 2)..<close])
                    if let n = Int(name), n < output.count { out += output[n].substring.map(String.init) ?? "" } else if let sub = output[name]?.substring { out += sub }
                    i = close + 1; continue
                }
                if t[i + 1] == ch { out.append(ch); i += 2; continue }
            }
            out.append(ch); i += 1
        }
        return out
    }
}

import TrailJSON
