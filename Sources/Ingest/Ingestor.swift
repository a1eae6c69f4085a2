import CloudTrail
import Crypto
import EventStore
import FilterPatterns
import Foundation
import TrailJSON

public struct IngestOptions: Sendable {
    public var format: InputFormat = .auto
    /// The log name events are stored under (Insights' `@log`).
    public var sourceName: String = "cloudtrail"
    /// Threads that hash, gunzip, split and normalise; the SQLite writer is one more.
    public var readers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Records per batch handed to the writer.
    public var batchSize: Int = 2048
    /// Rows per write transaction: large enough to amortise commits, small enough for WAL.
    public var commitEvery: Int = 50_000
    /// Decoded bytes the readers may have queued ahead of the writer.
    public var queueBytes: Int = 32 << 20

    public init() {}
}

/// What an ingest did. Its JSON form is a contract for tools (`trailwatch ingest --json`).
public struct IngestSummary: Sendable, Equatable {
    /// Input files found (trail files, not digests or ignored files).
    public var files = 0
    public var filesRead = 0
    /// Files skipped because their content was already ingested whole.
    public var filesSkipped = 0
    public var digestFiles = 0
    public var ignoredFiles = 0
    /// Records seen in the files read.
    public var records = 0
    /// New events stored.
    public var events = 0
    public var duplicates = 0
    /// Records (or whole unreadable inputs) that could not be stored; each is in `rejects`.
    public var rejected = 0
    public var oversized = 0
    public var synthesizedIDs = 0
    public var logEvents = 0
    public var compressedBytes = 0
    public var decodedBytes = 0
    public var seconds = 0.0

    public init() {}

    public var eventsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }

    public var json: JSONValue {
        [
            "files": .number(Double(files)), "filesRead": .number(Double(filesRead)),
            "filesSkipped": .number(Double(filesSkipped)), "digestFiles": .number(Double(digestFiles)),
            "ignoredFiles": .number(Double(ignoredFiles)), "records": .number(Double(records)),
            "events": .number(Double(events)), "duplicates": .number(Double(duplicates)),
            "rejected": .number(Double(rejected)), "oversized": .number(Double(oversized)),
            "synthesizedIDs": .number(Double(synthesizedIDs)), "logEvents": .number(Double(logEvents)),
            "compressedBytes": .number(Double(compressedBytes)), "decodedBytes": .number(Double(decodedBytes)),
            "seconds": .number((seconds * 1000).rounded() / 1000),
            "eventsPerSecond": .number(eventsPerSecond.rounded()),
        ]
    }
}

/// A snapshot for progress display, taken on the writer thread.
public struct IngestProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var records: Int
    public var events: Int
    public var duplicates: Int
    public var rejected: Int
    public var compressedBytes: Int
    public var totalCompressedBytes: Int64
    public var decodedBytes: Int
    public var elapsed: Double
}

/// Reads inputs into the store: several reader threads (hash, gunzip, split, normalise) feed one
/// writer. Each file's rows and its `complete` mark are committed together, so a killed run
/// leaves a consistent database and the next run finishes partial files without duplicates.
public final class Ingestor {
    let store: TrailStore
    let options: IngestOptions

    public init(store: TrailStore, options: IngestOptions = IngestOptions()) {
        self.store = store
        self.options = options
    }

    /// A metric filter's outcome on one row of a batch, computed on a reader thread.
    struct FilterHit: Sendable {
        var row: Int32
        var filter: Int32
        var outcome: FilterOutcome
    }

    enum Message: Sendable {
        case skipped(file: Int)
        case chunk(file: Int, sha256: String, batch: EventBatch, hits: [FilterHit], rejects: [RejectRecord], records: Int, stats: ChunkStats)
        case finished(file: Int, sha256: String, format: String, compressed: Int, decoded: Int)
    }

    struct ChunkStats: Sendable {
        var oversized = 0, synthesized = 0, logEvents = 0
    }

    public func run(paths: [String], progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let discovery = try InputDiscovery.discover(paths)
        var summary = IngestSummary()
        summary.files = discovery.files.count
        summary.digestFiles = discovery.digestFiles.count
        summary.ignoredFiles = discovery.ignored.count
        let files = discovery.files
        let totalBytes = files.reduce(Int64(0)) { $0 + max(0, $1.size) }
        let completed = try store.completedSourceHashes()
        // Metric filters on this log count new events as they are stored.
        let filters = try CompiledFilters(try store.filters(log: options.sourceName))
        var aggregator = MetricAggregator()
        var metricIDs: [MetricKey: Int64] = [:]
        var newRows: [Bool] = []
        let runID = try store.startRun(nowMillis: Self.nowMillis())

        let queue = BoundedQueue<Message>(capacity: options.queueBytes, producers: min(options.readers, max(files.count, 1)))
        let counter = WorkCounter(count: files.count)
        let options = self.options
        let readerCount = min(options.readers, max(files.count, 1))
        let group = DispatchGroup()
        let runKey = "stdin:\(Self.nowMillis())"
        for _ in 0..<readerCount {
            group.enter()
            Thread {
                defer { queue.producerFinished(); group.leave() }
                while let i = counter.take() {
                    if !Self.readFile(files[i], index: i, options: options, completed: completed, stdinKey: runKey,
                                      filters: filters, into: queue) { return }
                }
            }.start()
        }

        let writer = try EventWriter(store: store)
        var sourceIDs: [Int: Int64] = [:]
        var counts: [Int: SourceCounts] = [:]
        var rowsInTransaction = 0
        var filesDone = 0
        var lastProgress = clock.now
        store.beginBulkLoad()
        defer { store.endBulkLoad() }
        try store.begin()
        do {
            while let message = queue.pop() {
                switch message {
                case .skipped:
                    summary.filesSkipped += 1
                    filesDone += 1
                case .chunk(let file, let sha, let batch, let hits, let rejects, let records, let stats):
                    let ingestion = Self.nowMillis()
                    let sourceID: Int64
                    if let id = sourceIDs[file] { sourceID = id } else {
                        sourceID = try store.beginSource(path: files[file].path, size: files[file].size, sha256: sha,
                                                         format: nil, sourceName: options.sourceName, nowMillis: ingestion)
                        sourceIDs[file] = sourceID
                    }
                    let inserted = try writer.insert(batch, log: options.sourceName, sourceID: sourceID, ingestionMillis: ingestion,
                                                     newRows: &newRows)
                    for hit in hits where newRows[Int(hit.row)] {
                        let f = Int(hit.filter), time = batch.rows[Int(hit.row)].timeMillis
                        switch hit.outcome {
                        case .noMatch: break
                        case .match(let value, let dimensions):
                            aggregator.add(filterID: filters.filters[f].id, metric: filters.metric(f, dimensions), timeMillis: time, value: value)
                        case .invalidValue(let reason):
                            aggregator.addError(filterID: filters.filters[f].id, timeMillis: time, reason: reason)
                        }
                    }
                    try writer.insert(rejects: rejects, sourceID: sourceID, nowMillis: ingestion)
                    var c = counts[file] ?? SourceCounts()
                    c.records += records
                    c.inserted += inserted
                    c.duplicates += batch.count - inserted
                    c.rejects += rejects.count
                    counts[file] = c
                    summary.records += records
                    summary.events += inserted
                    summary.duplicates += batch.count - inserted
                    summary.rejected += rejects.count
                    summary.oversized += stats.oversized
                    summary.synthesizedIDs += stats.synthesized
                    summary.logEvents += stats.logEvents
                    rowsInTransaction += batch.count + rejects.count
                case .finished(let file, let sha, let format, let compressed, let decoded):
                    let now = Self.nowMillis()
                    let id: Int64
                    if let known = sourceIDs[file] { id = known } else {
                        id = try store.beginSource(path: files[file].path, size: files[file].size, sha256: sha,
                                                   format: format, sourceName: options.sourceName, nowMillis: now)
                    }
                    try store.completeSource(id: id, format: format, counts: counts[file] ?? SourceCounts(), nowMillis: now)
                    sourceIDs[file] = nil
                    counts[file] = nil
                    summary.filesRead += 1
                    summary.compressedBytes += compressed
                    summary.decodedBytes += decoded
                    filesDone += 1
                }
                if rowsInTransaction >= options.commitEvery {
                    try store.add(aggregator, metricIDs: &metricIDs)
                    aggregator.removeAll()
                    try store.commit()
                    try store.begin()
                    rowsInTransaction = 0
                }
                if let progress, clock.now - lastProgress > .milliseconds(200) {
                    lastProgress = clock.now
                    progress(IngestProgress(
                        filesDone: filesDone, filesTotal: files.count, records: summary.records, events: summary.events,
                        duplicates: summary.duplicates, rejected: summary.rejected, compressedBytes: summary.compressedBytes,
                        totalCompressedBytes: totalBytes, decodedBytes: summary.decodedBytes,
                        elapsed: Self.seconds(clock.now - started)))
                }
            }
            try store.add(aggregator, metricIDs: &metricIDs)
            try store.commit()
        } catch {
            queue.cancel()
            store.rollback()
            group.wait()
            throw error
        }
        group.wait()
        summary.seconds = Self.seconds(clock.now - started)
        try store.finishRun(id: runID, summaryJSON: summary.json.jsonText(sortedKeys: true), nowMillis: Self.nowMillis())
        return summary
    }

    /// One reader thread's work on one file. Returns false when the writer has gone away.
    static func readFile(_ file: InputFile, index: Int, options: IngestOptions, completed: Set<String>,
                         stdinKey: String, filters: CompiledFilters, into queue: BoundedQueue<Message>) -> Bool
    {
        let sha: String
        if file.path == "-" {
            sha = stdinKey
        } else {
            switch sha256(ofFile: file.path) {
            case .success(let digest): sha = digest
            case .failure(let error):
                let reject = RejectRecord(path: file.path, fileKey: "path:" + file.path, recordIndex: nil, byteOffset: nil,
                                          line: nil, reason: "unreadable file: \(error.reason)", excerpt: [])
                guard queue.push(.chunk(file: index, sha256: "unreadable:" + file.path, batch: EventBatch(), hits: [], rejects: [reject], records: 0, stats: ChunkStats())) else { return false }
                return queue.push(.finished(file: index, sha256: "unreadable:" + file.path, format: "unreadable", compressed: 0, decoded: 0))
            }
            if completed.contains(sha) { return queue.push(.skipped(file: index)) }
        }
        let reader: RecordReader
        do {
            reader = try RecordReader(path: file.path, format: options.format)
        } catch {
            let reject = RejectRecord(path: file.path, fileKey: sha, recordIndex: nil, byteOffset: nil, line: nil,
                                      reason: "unreadable file: \(error.reason)", excerpt: [])
            guard queue.push(.chunk(file: index, sha256: sha, batch: EventBatch(), hits: [], rejects: [reject], records: 0, stats: ChunkStats())) else { return false }
            return queue.push(.finished(file: index, sha256: sha, format: "unreadable", compressed: 0, decoded: 0))
        }
        var normalizer = EventNormalizer()
        var batch = EventBatch()
        var rejects: [RejectRecord] = []
        var hits: [FilterHit] = []
        var outcomes: [FilterOutcome] = []
        var records = 0
        var stats = ChunkStats()
        func flush() -> Bool {
            let ok = queue.push(.chunk(file: index, sha256: sha, batch: batch, hits: hits, rejects: rejects, records: records, stats: stats),
                                weight: batch.bytes.capacity + rejects.reduce(0) { $0 + $1.excerpt.count } + 64)
            batch = EventBatch()
            rejects = []
            hits = []
            records = 0
            stats = ChunkStats()
            return ok
        }
        while let item = reader.next() {
            switch item {
            case .record(let record):
                records += 1
                switch normalizer.append(record, logName: options.sourceName, to: &batch) {
                case .stored(let flags):
                    if !filters.isEmpty {
                        record.bytes.withUnsafeBytes { filters.evaluator.evaluate($0, into: &outcomes) }
                        for f in outcomes.indices {
                            let outcome = filters.published(f, outcomes[f])
                            if outcome != .noMatch { hits.append(FilterHit(row: Int32(batch.count - 1), filter: Int32(f), outcome: outcome)) }
                        }
                    }
                    if flags.contains(.oversized) { stats.oversized += 1 }
                    if flags.contains(.synthesizedID) { stats.synthesized += 1 }
                    if flags.contains(.logEvent) { stats.logEvents += 1 }
                case .rejected(let reason):
                    rejects.append(RejectRecord(path: file.path, fileKey: sha, recordIndex: record.index, byteOffset: record.offset,
                                                line: record.line, reason: reason, excerpt: record.bytes))
                }
            case .problem(let p):
                // Problems with a position stand for a record; file-level ones (empty, truncated) do not.
                if p.index != nil { records += 1 }
                rejects.append(RejectRecord(path: file.path, fileKey: sha, recordIndex: p.index, byteOffset: p.offset,
                                            line: p.line, reason: p.reason, excerpt: p.excerpt))
            }
            if batch.count + rejects.count >= options.batchSize {
                guard flush() else { return false }
            }
        }
        if !batch.isEmpty || !rejects.isEmpty || records > 0 {
            guard flush() else { return false }
        }
        return queue.push(.finished(file: index, sha256: sha, format: reader.format.rawValue,
                                    compressed: reader.compressedBytesRead, decoded: reader.decodedBytes))
    }

    struct HashError: Error { var reason: String }

    /// SHA-256 of a file's bytes as stored (compressed), streamed so memory stays flat.
    static func sha256(ofFile path: String) -> Result<String, HashError> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(HashError(reason: RecordReader.errnoText(errno))) }
        defer { close(fd) }
        var hasher = SHA256()
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(HashError(reason: RecordReader.errnoText(errno)))
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return .success(Hex.string(hasher.finalize()))
    }

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
