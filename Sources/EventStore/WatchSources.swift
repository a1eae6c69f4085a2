// What `watch` needs from the sources table to find new files without hashing old ones.

extension TrailStore {
    /// `path` + size of every file read whole. A file seen again with the same path and size is
    /// not re-hashed; one whose size changed (still being written, or replaced) is hashed, and
    /// the ingestor skips it when its content is already stored.
    public func completedSourcePathsAndSizes() throws(StoreError) -> Set<SourcePathAndSize> {
        let s = try connection.prepare("SELECT path, size FROM sources WHERE status = 'complete'")
        var out = Set<SourcePathAndSize>()
        while try s.step() { out.insert(SourcePathAndSize(path: s.text(0) ?? "", size: s.int64(1))) }
        return out
    }
}

public struct SourcePathAndSize: Hashable, Sendable {
    public var path: String
    public var size: Int64

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
}
