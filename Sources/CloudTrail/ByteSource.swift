#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sliding window over the decoded stream, addressed by absolute stream offsets so that
/// positions held by the splitters survive compaction unchanged.
///
/// Only bytes from `keepFrom` on (the start of the record being split) are retained; the
/// window grows only when a single record outgrows it, which keeps memory proportional to
/// the largest record rather than to the file.
struct Window {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Absolute offset of `storage[0]`.
    private(set) var base = 0
    /// Absolute offset one past the last valid byte.
    var end = 0
    /// Largest capacity ever allocated (the memory-boundedness tests read this).
    private(set) var highWater: Int

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 16)
        highWater = capacity
    }

    func release() { storage.deallocate() }

    /// Pointer such that `bytes[abs]` is the byte at absolute offset `abs` (valid for
    /// `base ..< end`).
    @inline(__always) var bytes: UnsafeMutablePointer<UInt8> {
        storage.assumingMemoryBound(to: UInt8.self) - base
    }

    @inline(__always) func pointer(at abs: Int) -> UnsafeMutablePointer<UInt8> {
        storage.assumingMemoryBound(to: UInt8.self) + (abs - base)
    }

    /// Bytes `from ..< to` as a buffer (both absolute).
    @inline(__always) func buffer(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + (from - base), count: to - from)
    }

    func copy(_ from: Int, _ to: Int) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: storage + (from - base), count: to - from))
    }

    func excerpt(_ from: Int, _ to: Int) -> [UInt8] {
        let lo = max(from, base)
        return copy(lo, min(to, lo + RecordProblem.maxExcerpt))
    }

    /// Makes room for at least `free` more bytes after `end`, discarding bytes before
    /// `keepFrom`. Returns the write pointer.
    mutating func reserve(_ free: Int, keepFrom: Int) -> UnsafeMutableRawPointer {
        precondition(keepFrom >= base && keepFrom <= end)
        if capacity - (end - base) < free {
            let live = end - keepFrom
            if keepFrom > base {
                if live > 0 { memmove(storage, storage + (keepFrom - base), live) }
                base = keepFrom
            }
            if capacity - live < free {
                let newCapacity = max(capacity * 2, live + free)
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                bigger.copyMemory(from: storage, byteCount: live)
                storage.deallocate()
                storage = bigger
                capacity = newCapacity
                highWater = max(highWater, newCapacity)
            }
        }
        return storage + (end - base)
    }
}

/// Raw bytes from a file descriptor, gunzipped when the stream starts with the gzip magic.
final class ByteSource {
    enum Fill {
        case bytes(Int)
        case end
        case failure(GzipError)
        case readError(String)
    }

    static let readSize = 128 * 1024

    private let fd: Int32
    private let ownsFD: Bool
    private var input: UnsafeMutableRawPointer
    private var inStart = 0
    private var inEnd = 0
    private var rawEOF = false
    private var gzip: GzipDecoder?
    private var started = false
    private(set) var compressedBytesRead = 0
    private(set) var decodedBytes = 0
    private(set) var isGzip = false

    init(fd: Int32, ownsFD: Bool) {
        self.fd = fd
        self.ownsFD = ownsFD
        input = .allocate(byteCount: ByteSource.readSize, alignment: 16)
    }

    deinit {
        input.deallocate()
        closeFile()
    }

    private var closed = false

    /// Closes the descriptor as soon as the input is exhausted, so a long ingest over many
    /// files never holds more than one open.
    func closeFile() {
        if ownsFD && !closed { _ = close(fd) }
        closed = true
    }

    /// One `read(2)` into `dst`, retrying on EINTR; 0 (and `rawEOF`) at end of file.
    private func readRaw(_ dst: UnsafeMutableRawPointer, _ count: Int) -> Result<Int, ReadFailure> {
        while true {
            let n = read(fd, dst, count)
            if n > 0 {
                compressedBytesRead += n
                return .success(n)
            }
            if n == 0 {
                rawEOF = true
                closeFile()
                return .success(0)
            }
            if errno == EINTR { continue }
            let msg = String(cString: strerror(errno))
            rawEOF = true
            closeFile()
            return .failure(ReadFailure(message: "read error: \(msg)"))
        }
    }

    struct ReadFailure: Error { var message: String }

    /// Decides gzip vs plain from the first two bytes (pipes may deliver them separately).
    private func start() -> ReadFailure? {
        started = true
        while inEnd < 2 && !rawEOF {
            switch readRaw(input + inEnd, ByteSource.readSize - inEnd) {
            case .success(let n): inEnd += n
            case .failure(let f): return f
            }
        }
        if GzipDecoder.isGzip(UnsafeRawBufferPointer(start: input, count: inEnd)) {
            isGzip = true
            do { gzip = try GzipDecoder() } catch { return ReadFailure(message: error.description) }
        }
        return nil
    }

    /// Appends up to `capacity` decoded bytes at `dst`.
    func fill(_ dst: UnsafeMutableRawPointer, capacity: Int) -> Fill {
        if !started, let f = start() { return .readError(f.message) }
        guard let gzip else {
            if inStart < inEnd {
                let n = min(capacity, inEnd - inStart)
                dst.copyMemory(from: input + inStart, byteCount: n)
                inStart += n
                decodedBytes += n
                return .bytes(n)
            }
            if rawEOF { return .end }
            switch readRaw(dst, min(capacity, ByteSource.readSize)) {
            case .success(0): return .end
            case .success(let n):
                decodedBytes += n
                return .bytes(n)
            case .failure(let f): return .readError(f.message)
            }
        }
        while true {
            if inStart == inEnd && !rawEOF {
                inStart = 0
                inEnd = 0
                switch readRaw(input, ByteSource.readSize) {
                case .success(let n): inEnd = n
                case .failure(let f): return .readError(f.message)
                }
            }
            let produced: Int
            let consumed: Int
            do {
                (consumed, produced) = try gzip.decompress(
                    UnsafeRawBufferPointer(start: input + inStart, count: inEnd - inStart),
                    into: UnsafeMutableRawBufferPointer(start: dst, count: capacity))
            } catch {
                return .failure(error)
            }
            inStart += consumed
            if produced > 0 {
                decodedBytes += produced
                return .bytes(produced)
            }
            if inStart == inEnd && rawEOF {
                do { try gzip.finish() } catch { return .failure(error) }
                return .end
            }
            if consumed == 0 && inStart < inEnd {
                // zlib took nothing and gave nothing with input available: cannot happen with a
                // non-empty output buffer, but never spin on it.
                return .failure(GzipError(.invalidData("decoder made no progress"), decodedOffset: gzip.totalOut))
            }
        }
    }
}
