#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrailJSON

/// Reads one input file (or stdin for "-") and yields its records one at a time.
///
/// Memory stays proportional to the largest record, whatever the file size: the file is read in
/// 128 KB chunks, gunzipped as a stream, and records are split from the decoded bytes
/// incrementally (see `Window`). Nothing is validated as CloudTrail here; elements that are not
/// valid JSON are still handed over so the ingest side can reject them with a reason.
public final class RecordReader {
    public let path: String
    /// The detected format (never `.auto` once `next()` has been called; an empty or
    /// unrecognisable file reports `.cloudtrail`, the S3 default, next to its problem).
    public private(set) var format: InputFormat

    /// Raw bytes consumed from the file.
    public var compressedBytesRead: Int { source.compressedBytesRead }
    /// Bytes after gunzip (equal to `compressedBytesRead` for plain files).
    public var decodedBytes: Int { source.decodedBytes }
    /// Whether the input turned out to be gzip (known after the first `next()`).
    public var isGzip: Bool { source.isGzip }

    /// Decoded bytes added to the window per fill (tests shrink it to put chunk boundaries
    /// everywhere).
    var fillSize = 128 * 1024
    static let peekSize = 64 * 1024
    /// A safety valve against garbage without structure (a binary file forced through
    /// `--format ndjson` would otherwise be buffered whole). Real records are ≤ 1 MB.
    static let maxRecordBytes = 64 << 20

    let source: ByteSource
    var win: Window

    /// Scan position and the first byte still needed, both absolute decoded offsets.
    var pos = 0
    var keepFrom = 0
    var sourceDone = false
    var sourceFailure: RecordProblem?
    var stage = Stage.start
    /// Index the next record or element problem gets.
    var nextIndex = 0

    enum Stage { case start, array, lines, draining, done }
    enum Step {
        case item(ReaderItem)
        case needMore
        case finished
    }

    // Array splitting state (RecordReader+Arrays.swift).
    var phase = ArrayPhase.docStart
    var targetKey: [UInt8] = []
    var allowRecordDocuments = false
    var docStartPos = 0
    var docCount = 0
    var keyStart = 0
    var keyIsTarget = false
    var firstKey = true
    var foundTarget = false
    var recordDocument = false
    var inBareArray = false
    var elemStart = 0
    var scan = ValueScan()

    // Line splitting state (RecordReader+Lines.swift).
    var lineStart = 0
    var searchFrom = 0
    var lineNumber = 1
    var discardingLine = false

    // Envelope field extraction, reused across records.
    lazy var lookupScanner = JSONFieldScanner(paths: [["CloudTrailEvent"]])
    lazy var cwScanner = JSONFieldScanner(paths: [["message"], ["timestamp"], ["ingestionTime"], ["logStreamName"]])
    var fields: [JSONFieldScanner.Field?] = []

    /// The internal high-water mark of the split buffer, for memory tests.
    var bufferHighWater: Int { win.highWater }

    /// Opens `path` ("-" for stdin). With a `format` other than `.auto` no detection is done.
    public init(path: String, format: InputFormat = .auto) throws(InputError) {
        self.path = path
        self.format = format
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError(path: path, reason: RecordReader.errnoText(errno)) }
            var st = stat()
            if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw InputError(path: path, reason: "is a directory")
            }
        }
        source = ByteSource(fd: fd, ownsFD: path != "-")
        win = Window(capacity: 512 * 1024)
    }

    deinit { win.release() }

    /// `strerror` text, lower-cased to read well after a path ("x.json: no such file or directory").
    public static func errnoText(_ code: Int32) -> String {
        var s = String(cString: strerror(code))
        // "No such file or directory" → "no such file or directory", to read well after a path.
        if let f = s.first, f.isUppercase, s.dropFirst().first?.isLowercase ?? true { s = f.lowercased() + s.dropFirst() }
        return s
    }

    /// The next record or problem; nil at the end of the input.
    public func next() -> ReaderItem? {
        while true {
            let step: Step
            switch stage {
            case .start: step = startStep()
            // After a decoding failure the data simply stops: splitters wait for more, and the
            // failure is reported instead of an "unexpected end of input".
            case .array: step = arrayStep(eof: sourceDone && sourceFailure == nil)
            case .lines: step = lineStep(eof: sourceDone && sourceFailure == nil)
            case .draining: return drain()
            case .done: return nil
            }
            switch step {
            case .item(let item): return item
            case .finished:
                stage = .done
                return sourceFailure.map { .problem($0) }
            case .needMore:
                if fillMore() { continue }
                if var failure = sourceFailure {
                    // Every complete record before the damage has been emitted by now; what
                    // is left in the window is the record the damage cut through.
                    stage = .done
                    failure.excerpt = win.excerpt(keepFrom, win.end)
                    return .problem(failure)
                }
            // End of input: the step runs once more with `eof` set and must conclude.
            }
        }
    }

    /// After a structural problem in a gzip stream, decodes the rest: garbage from corrupt
    /// deflate data often breaks the JSON before zlib notices, and zlib's verdict (or the CRC
    /// check at the end) is the real cause worth reporting.
    private func drain() -> ReaderItem? {
        stage = .done
        guard source.isGzip || sourceFailure != nil else { return nil }
        repeat {
            pos = win.end
            keepFrom = win.end
        } while fillMore()
        return sourceFailure.map { .problem($0) }
    }

    /// Appends one chunk of decoded bytes to the window; false once the input is exhausted.
    func fillMore() -> Bool {
        guard !sourceDone else { return false }
        let dst = win.reserve(fillSize, keepFrom: keepFrom)
        switch source.fill(dst, capacity: fillSize) {
        case .bytes(let n):
            win.end += n
            return true
        case .end:
            sourceDone = true
        case .failure(let e):
            sourceDone = true
            sourceFailure = RecordProblem(offset: e.decodedOffset, reason: e.description)
        case .readError(let msg):
            sourceDone = true
            sourceFailure = RecordProblem(offset: win.end, reason: msg)
        }
        return false
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    // MARK: start: BOM, empty files, detection

    private func startStep() -> Step {
        while win.end - pos < 3 && fillMore() {}
        if win.end - pos >= 3 {
            let p = win.bytes
            if p[pos] == 0xEF && p[pos + 1] == 0xBB && p[pos + 2] == 0xBF { pos += 3 }
        }
        // Leading whitespace is dropped as it is read (counting lines), so a file of blank
        // lines cannot pin memory either.
        while true {
            let p = win.bytes
            while pos < win.end && RecordReader.isSpace(p[pos]) {
                if p[pos] == 0x0A { lineNumber += 1 }
                pos += 1
            }
            keepFrom = pos
            if pos < win.end || !fillMore() { break }
        }
        if pos == win.end {
            stage = .done
            if format == .auto { format = .cloudtrail }
            if let failure = sourceFailure { return .item(.problem(failure)) }
            return .item(.problem(RecordProblem(offset: 0, reason: "empty file")))
        }
        while win.end - pos < RecordReader.peekSize && fillMore() {}
        let peekEnd = min(win.end, pos + RecordReader.peekSize)
        let peek = win.buffer(pos, peekEnd)

        let shape: FormatDetector.Shape
        if format == .auto {
            switch FormatDetector.detect(peek) {
            case .detected(let f, let s):
                format = f
                shape = s
            case .unrecognised(let why):
                format = .cloudtrail
                stage = .done
                return .item(.problem(RecordProblem(offset: pos, reason: why, excerpt: win.excerpt(pos, peekEnd))))
            }
        } else {
            shape = FormatDetector.shape(for: format, peek)
        }
        switch shape {
        case .array(let key, let recordDocuments):
            targetKey = Array(key.utf8)
            allowRecordDocuments = recordDocuments
            phase = .docStart
            stage = .array
        case .lines:
            lineStart = pos
            searchFrom = pos
            stage = .lines
        }
        return continueStep()
    }

    /// Runs the chosen splitter right away (without reading more first).
    private func continueStep() -> Step {
        switch stage {
        case .array: return arrayStep(eof: sourceDone && sourceFailure == nil)
        case .lines: return lineStep(eof: sourceDone && sourceFailure == nil)
        default: return .finished
        }
    }

    // MARK: envelopes of lookup-events and CloudWatch Logs events

    /// Scans an envelope object (`s..<e`) with `scanner` and returns its first selected field,
    /// which must be a string, or the problem that stops it.
    private func envelopeString(_ s: Int, _ e: Int, index: Int, line: Int?, scanner: JSONFieldScanner,
                                field: String) -> Result<[UInt8], RecordProblem>
    {
        let what = line.map { "line \($0)" } ?? "event \(index)"
        guard win.bytes[s] == 0x7B else {
            return .failure(RecordProblem(index: index, offset: s, line: line, reason: "\(what) is not a JSON object", excerpt: win.excerpt(s, e)))
        }
        do {
            try scanner.scan(win.buffer(s, e), into: &fields)
        } catch {
            return .failure(RecordProblem(index: index, offset: s, line: line, reason: "\(what) is not valid JSON: \(error.description) of the event", excerpt: win.excerpt(s, e)))
        }
        guard let f = fields[0], f.kind == .string else {
            return .failure(RecordProblem(index: index, offset: s, line: line, reason: "\(what) has no string \"\(field)\"", excerpt: win.excerpt(s, e)))
        }
        return .success(StringContent.decode(win.buffer(s + f.range.lowerBound, s + f.range.upperBound), hasEscapes: f.hasEscapes))
    }

    /// A `lookup-events` element: the record is the decoded `CloudTrailEvent` string.
    func lookupEvent(_ s: Int, _ e: Int, index: Int, line: Int?) -> ReaderItem {
        switch envelopeString(s, e, index: index, line: line, scanner: lookupScanner, field: "CloudTrailEvent") {
        case .failure(let problem): return .problem(problem)
        case .success(let bytes): return .record(RawRecord(bytes: bytes, index: index, offset: s, line: line))
        }
    }

    /// A CloudWatch Logs event object: the record is the decoded `message`.
    func cloudWatchEvent(_ s: Int, _ e: Int, index: Int, line: Int?) -> ReaderItem {
        let bytes: [UInt8]
        switch envelopeString(s, e, index: index, line: line, scanner: cwScanner, field: "message") {
        case .failure(let problem): return .problem(problem)
        case .success(let b): bytes = b
        }
        var record = RawRecord(bytes: bytes, index: index, offset: s, line: line)
        record.timestampMillis = millis(fields[1], s)
        record.ingestionTimeMillis = millis(fields[2], s)
        if let ls = fields[3], ls.kind == .string {
            let raw = win.buffer(s + ls.range.lowerBound, s + ls.range.upperBound)
            record.logStream = String(decoding: StringContent.decode(raw, hasEscapes: ls.hasEscapes), as: UTF8.self)
        }
        return .record(record)
    }

    /// Epoch milliseconds from a numeric field, or from an ISO-8601 string (some exporters
    /// rewrite the timestamp as text).
    private func millis(_ field: JSONFieldScanner.Field?, _ s: Int) -> Int64? {
        guard let field else { return nil }
        let raw = win.buffer(s + field.range.lowerBound, s + field.range.upperBound)
        switch field.kind {
        case .number: return StringContent.int64(raw)
        case .string: return field.hasEscapes ? nil : ISO8601.parseMillis(raw)
        default: return nil
        }
    }
}
