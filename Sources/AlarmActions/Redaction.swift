import Foundation

/// Removes secrets from URLs and sink strings before anything is printed or stored.
///
/// Redacted: the password of `user:password@`, every query-string value, the fragment, and path
/// segments that look like tokens (16+ characters mixing letters and digits, as in Slack's
/// `/services/T…/B…/<token>` or Discord's `/api/webhooks/<id>/<token>`). The last rule is a
/// heuristic: a URL whose secret is a short or letters-only path segment is not caught.
public enum Redaction {
    public static let mask = "***"

    /// `https://user:pw@h/x/AbC123def456GhI789?token=s&x=1#f` → `https://user:***@h/x/***?token=***&x=***#***`.
    public static func redactURL(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound]
        var rest = Substring(url[schemeEnd.upperBound...])

        var fragment: Substring?
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring?
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        let path = rest[authorityEnd...]

        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            let host = authority[authority.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                authority = userinfo[..<colon] + ":" + mask + "@" + host
            } else {
                // A lone userinfo component is usually a token (`https://TOKEN@host`).
                authority = mask + "@" + host
            }
        }

        var out = scheme + "://" + authority
        out += path.split(separator: "/", omittingEmptySubsequences: false)
            .map { looksLikeToken($0) ? mask : String($0) }
            .joined(separator: "/")
        if let query {
            out += "?" + query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                guard let eq = pair.firstIndex(of: "=") else { return pair.isEmpty ? "" : mask }
                return pair[..<eq] + "=" + mask
            }.joined(separator: "&")
        }
        if let fragment { out += "#" + (fragment.isEmpty ? "" : mask) }
        return out
    }

    /// Redacts every URL inside free text (error messages, shell commands).
    public static func redactURLs(in text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "://") {
            // Back up over the scheme letters.
            var start = r.lowerBound
            while start > rest.startIndex {
                let prev = rest.index(before: start)
                let c = rest[prev]
                guard c.isLetter || c.isNumber || c == "+" || c == "-" || c == "." else { break }
                start = prev
            }
            out += rest[..<start]
            let end = rest[r.upperBound...].firstIndex { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "<" || $0 == ">" || $0 == "`" } ?? rest.endIndex
            out += start == r.lowerBound ? String(rest[start..<end]) : redactURL(String(rest[start..<end]))
            rest = rest[end...]
        }
        return out + rest
    }

    static func looksLikeToken(_ segment: Substring) -> Bool {
        guard segment.count >= 16 else { return false }
        return segment.contains(where: \.isLetter) && segment.contains(where: \.isNumber)
    }
}
