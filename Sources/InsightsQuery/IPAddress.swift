/// IPv4/IPv6 text parsing and CIDR membership for the IP functions (spec §5.5).
struct IPAddress: Hashable {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    var bytes: [UInt8]
    var isV4: Bool { bytes.count == 4 }

    init?(_ text: String) {
        if let v4 = IPAddress.parseV4(Substring(text)) { bytes = v4 } else if let v6 = IPAddress.parseV6(Substring(text)) { bytes = v6 } else { return nil }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Dotted quad, four decimal parts 0…255 (at most three digits each).
    static func parseV4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out = [UInt8]()
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(p), v <= 255 else { return nil }
            out.append(UInt8(v))
        }
        return out
    }

    /// RFC 4291 text forms: eight groups, `::` compression, an embedded dotted quad at the end;
    /// a `%zone` suffix is ignored.
    static func parseV6(_ text: Substring) -> [UInt8]? {
        var s = text
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }
        guard s.contains(":"), s.count >= 2 else { return nil }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowV4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out = [UInt16]()
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (k, item) in items.enumerated() {
                if k == items.count - 1, allowV4Tail, item.contains(".") {
                    guard let v4 = parseV4(item) else { return nil }
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard !item.isEmpty, item.count <= 4, let v = UInt16(item, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowV4Tail: false), let tail = groups(halves[1], allowV4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let g = groups(halves[0], allowV4Tail: true), g.count == 8 else { return nil }
            all = g
        }
        var out = [UInt8]()
        out.reserveCapacity(16)
        for g in all { out.append(UInt8(g >> 8)); out.append(UInt8(g & 0xff)) }
        return out
    }

    /// Whether the first `prefix` bits equal those of `network`.
    func hasPrefix(_ network: [UInt8], bits prefix: Int) -> Bool {
        guard network.count == bytes.count, prefix >= 0, prefix <= bytes.count * 8 else { return false }
        var remaining = prefix
        var i = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - remaining))
            if bytes[i] & mask != network[i] & mask { return false }
            remaining -= 8
            i += 1
        }
        return true
    }
}

/// `192.0.2.0/24`, `2001:db8::/32`; a bare address is a full-length prefix.
struct CIDR {
    var network: IPAddress
    var bits: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let addr = IPAddress(String(parts[0])) else { return nil }
        let maxBits = addr.bytes.count * 8
        if parts.count == 2 {
            guard let b = Int(parts[1]), b >= 0, b <= maxBits else { return nil }
            bits = b
        } else {
            bits = maxBits
        }
        network = addr
    }

    func contains(_ ip: IPAddress) -> Bool { ip.hasPrefix(network.bytes, bits: bits) }
}

enum IPRanges {
    static let privateV4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].compactMap(CIDR.init)
    /// RFC 4193 unique local addresses: the IPv6 counterpart of RFC 1918.
    static let privateV6 = ["fc00::/7"].compactMap(CIDR.init)
    /// IANA special-purpose registries (RFC 6890 and successors), minus the private ranges.
    static let reservedV4 = [
        "0.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24",
        "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "255.255.255.255/32",
    ].compactMap(CIDR.init)
    static let reservedV6 = [
        "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001::/23", "2001:db8::/32",
        "2002::/16", "fe80::/10", "ff00::/8",
    ].compactMap(CIDR.init)

    static func isPrivate(_ ip: IPAddress) -> Bool {
        (ip.isV4 ? privateV4 : privateV6).contains { $0.contains(ip) }
    }

    static func isReserved(_ ip: IPAddress) -> Bool {
        (ip.isV4 ? reservedV4 : reservedV6).contains { $0.contains(ip) }
    }
}

import Foundation
