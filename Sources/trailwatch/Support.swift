import ArgumentParser
import EventStore
import Foundation

/// `--db`, shared by every command that touches the store.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database file.", discussion: "Default: $TRAILWATCH_DB, or ./trailwatch.db.", valueName: "file"))
    var db: String?

    var path: String { db ?? TrailStore.defaultPath(environment: ProcessInfo.processInfo.environment) }

    /// Opens a store that must already exist (read commands).
    func openExisting() throws -> TrailStore { try Self.open(existing: path) }

    static func open(existing path: String) throws -> TrailStore {
        do { return try TrailStore(existingPath: path) } catch { throw CLIError("\(error)") }
    }

    func openOrCreate() throws -> TrailStore { try Self.open(creating: path) }

    static func open(creating path: String) throws -> TrailStore {
        do { return try TrailStore(path: path) } catch { throw CLIError("\(error)") }
    }
}

/// A failure reported as `error: …` with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Runs `body` and returns its result with the wall-clock seconds it took.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let result = try body()
    let d = ContinuousClock.now - start
    return (result, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}

enum Format {
    /// `2d 3h`, `45m`: lengths of time in the units people think in (two largest units).
    static func duration(_ millis: Int64) -> String {
        var parts: [String] = []
        var rest = millis / 60_000
        if rest >= 1440 { parts.append("\(rest / 1440)d"); rest %= 1440 }
        if rest >= 60 { parts.append("\(rest / 60)h"); rest %= 60 }
        if rest > 0 || parts.isEmpty { parts.append("\(rest)m") }
        return parts.prefix(2).joined(separator: " ")
    }

    /// 1234567 → "1,234,567".
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    static func rate(_ v: Double) -> String { Format.count(Int(v.rounded())) }

    static func seconds(_ s: Double) -> String { String(format: "%.2f s", s) }
}

/// Writes to stderr (progress, warnings) without buffering surprises.
enum StandardError {
    static func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    static var isTerminal: Bool { isatty(2) == 1 }
}
