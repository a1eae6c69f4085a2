#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file to read. `size` is -1 for stdin (unknown).
public struct InputFile: Sendable, Hashable {
    public var path: String
    public var size: Int64

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
}

public struct Discovery: Sendable {
    /// Files to ingest, in a deterministic order: arguments in the order given, each
    /// directory's contents sorted by name (byte order) and walked depth first.
    public var files: [InputFile]
    /// CloudTrail digest files (log file integrity validation): used by `verify`, never
    /// parsed as events.
    public var digestFiles: [String]
    /// Files inside directories that are not inputs by their name (or not regular files).
    public var ignored: [String]

    public init(files: [InputFile] = [], digestFiles: [String] = [], ignored: [String] = []) {
        self.files = files
        self.digestFiles = digestFiles
        self.ignored = ignored
    }
}

/// Expands command-line paths (files, directories such as an S3 `AWSLogs/` tree, or "-" for
/// stdin) into input files.
public enum InputDiscovery {
    /// Name endings taken when walking a directory (explicitly named files are always taken).
    public static let inputSuffixes = [".json", ".json.gz", ".jsonl", ".ndjson", ".gz", ".log"]

    /// A CloudTrail digest file: under a `CloudTrail-Digest` folder or named
    /// `…_CloudTrail-Digest_…`. Digests are not `{"Records":…}` and must not be read as events.
    public static func isDigest(_ path: String) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains(where: { $0 == "CloudTrail-Digest" }) { return true }
        return components.last?.contains("_CloudTrail-Digest_") ?? false
    }

    public static func hasInputSuffix(_ name: String) -> Bool {
        let lower = name.lowercased()
        return inputSuffixes.contains { lower.hasSuffix($0) }
    }

    public static func discover(_ paths: [String]) throws(InputError) -> Discovery {
        var walker = Walker()
        for path in paths {
            if path == "-" {
                walker.take(InputFile(path: "-", size: -1))
                continue
            }
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw InputError(path: path, reason: RecordReader.errnoText(errno))
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try walker.walk(path, st)
            } else if isDigest(path) {
                walker.digest(path)
            } else {
                walker.take(InputFile(path: path, size: Int64(st.st_size)))
            }
        }
        return walker.result
    }

    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private struct Walker {
        var result = Discovery()
        var seen = Set<String>()
        /// Directories being walked or done: symlink loops end here.
        var visited = Set<DirectoryID>()

        mutating func take(_ file: InputFile) {
            if seen.insert(file.path).inserted { result.files.append(file) }
        }

        mutating func digest(_ path: String) {
            if seen.insert(path).inserted { result.digestFiles.append(path) }
        }

        mutating func walk(_ dir: String, _ st: stat) throws(InputError) {
            guard visited.insert(DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else { return }
            guard let handle = opendir(dir) else { throw InputError(path: dir, reason: RecordReader.errnoText(errno)) }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                // Hidden entries (., .., .DS_Store, editor temp files, .git) are never inputs.
                if name.hasPrefix(".") { continue }
                names.append(name)
            }
            closedir(handle)
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let prefix = dir.hasSuffix("/") ? dir : dir + "/"
            // A folder holding `AWSLogs/` is a bucket (or prefix) root in the S3 delivery layout:
            // its other files (labels, manifests, notes) are not trail files.
            let bucketRoot = names.contains("AWSLogs")
            for name in names {
                let path = prefix + name
                var child = stat()
                guard stat(path, &child) == 0 else {
                    // A dangling symlink or an entry that vanished while walking.
                    result.ignored.append(path)
                    continue
                }
                switch child.st_mode & S_IFMT {
                case S_IFDIR:
                    try walk(path, child)
                case S_IFREG:
                    if bucketRoot {
                        result.ignored.append(path)
                    } else if InputDiscovery.isDigest(path) {
                        // Signature sidecars and keys beside digests are not digests.
                        if InputDiscovery.hasInputSuffix(name) { digest(path) } else { result.ignored.append(path) }
                    } else if InputDiscovery.hasInputSuffix(name) {
                        take(InputFile(path: path, size: Int64(child.st_size)))
                    } else {
                        result.ignored.append(path)
                    }
                default:
                    result.ignored.append(path)
                }
            }
        }
    }
}
