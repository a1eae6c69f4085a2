import CZlib

/// Why a gzip stream could not be decoded, with how far decoding got.
public struct GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input ended inside a member (cut-off download, partial copy).
        case truncated
        /// zlib rejected the data; the associated text is zlib's message.
        case invalidData(String)
        /// zlib could not allocate its state.
        case outOfMemory
    }

    public var kind: Kind
    /// Decoded bytes produced before the failure: everything before this offset is good.
    public var decodedOffset: Int

    public init(_ kind: Kind, decodedOffset: Int) {
        self.kind = kind
        self.decodedOffset = decodedOffset
    }

    public var description: String {
        switch kind {
        case .truncated: return "truncated gzip stream after \(decodedOffset) bytes"
        case .invalidData(let msg): return "invalid gzip data: \(msg) (after \(decodedOffset) decoded bytes)"
        case .outOfMemory: return "gzip: out of memory after \(decodedOffset) bytes"
        }
    }
}

/// Streaming gunzip over zlib. Multi-member aware (concatenated `.gz` files decode as one
/// stream, as `gzip -d` does), and zero padding after a member is tolerated because some
/// storage tools pad objects to a block size.
///
/// The caller owns both buffers, so the decoder never holds more than zlib's 32 KB window.
public final class GzipDecoder {
    private var stream = z_stream()
    /// True from the first byte of a member until its trailer has been checked.
    private var inMember = false
    /// A member ended; the next input byte starts a new member (or padding).
    private var memberEnded = false
    private var failed: GzipError?
    public private(set) var totalIn = 0
    public private(set) var totalOut = 0

    public init() throws(GzipError) {
        // 15 + 32: maximum window, and let zlib parse the gzip (or zlib) header itself.
        let rc = czlib_inflateInit2(&stream, 15 + 32)
        guard rc == Z_OK else { throw GzipError(rc == Z_MEM_ERROR ? .outOfMemory : .invalidData("inflateInit2 failed (\(rc))"), decodedOffset: 0) }
    }

    deinit { inflateEnd(&stream) }

    /// Decodes from `input` into `output` until the output is full or the input is used up.
    /// Returns how many input bytes were consumed and output bytes produced; call again with
    /// the unconsumed rest (and/or a fresh output buffer).
    public func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(GzipError) -> (consumed: Int, produced: Int) {
        if let failed { throw failed }
        guard let outBase = output.baseAddress, output.count > 0 else { return (0, 0) }
        var consumed = 0
        var produced = 0
        let inBase = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        while produced < output.count {
            if memberEnded {
                guard let inBase else { break }
                while consumed < input.count && inBase[consumed] == 0 { consumed += 1 }
                guard consumed < input.count else { break }
                guard inBase[consumed] == 0x1F else {
                    return try fail(.invalidData("unexpected data after the end of a gzip member"), consumed, produced)
                }
                inflateReset(&stream)
                memberEnded = false
            }
            let availIn = input.count - consumed
            stream.next_in = availIn > 0 ? UnsafeMutablePointer(mutating: inBase! + consumed) : nil
            stream.avail_in = UInt32(clamping: availIn)
            stream.next_out = (outBase + produced).assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(clamping: output.count - produced)
            let inBefore = Int(stream.avail_in), outBefore = Int(stream.avail_out)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let usedIn = inBefore - Int(stream.avail_in)
            let madeOut = outBefore - Int(stream.avail_out)
            consumed += usedIn
            produced += madeOut
            totalIn += usedIn
            totalOut += madeOut
            if usedIn > 0 { inMember = true }
            switch rc {
            case Z_STREAM_END:
                inMember = false
                memberEnded = true
            case Z_OK:
                if usedIn == 0 && madeOut == 0 { return (consumed, produced) }
            case Z_BUF_ERROR:
                // No progress possible: zlib needs more input (or more room, handled by the loop).
                return (consumed, produced)
            case Z_MEM_ERROR:
                return try fail(.outOfMemory, consumed, produced)
            default:
                let msg = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                return try fail(.invalidData(msg), consumed, produced)
            }
        }
        return (consumed, produced)
    }

    /// Declares the end of input; throws if it came in the middle of a member.
    public func finish() throws(GzipError) {
        if let failed { throw failed }
        if inMember { _ = try fail(.truncated, 0, 0) }
    }

    /// Records the failure. Output already produced by this call is returned first (it is
    /// good data, and the caller may have records in it); the next call throws.
    private func fail(_ kind: GzipError.Kind, _ consumed: Int, _ produced: Int) throws(GzipError) -> (consumed: Int, produced: Int) {
        let e = GzipError(kind, decodedOffset: totalOut)
        failed = e
        if produced > 0 { return (consumed, produced) }
        throw e
    }

    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decodes a whole in-memory gzip file (all members).
    public static func decompress(_ bytes: [UInt8]) throws(GzipError) -> [UInt8] {
        var out = [UInt8]()
        try decompress(bytes) { out.append(contentsOf: $0) }
        return out
    }

    /// Decodes an in-memory gzip file (all members) in 256 KB pieces handed to `consume`, so a
    /// caller that only hashes or scans the content never holds it whole.
    public static func decompress(_ bytes: [UInt8], consume: (UnsafeRawBufferPointer) -> Void) throws(GzipError) {
        let decoder = try GzipDecoder()
        let chunk = 256 * 1024
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { scratch.deallocate() }
        var offset = 0
        while true {
            let step = bytes.withUnsafeBytes { input in
                Result { () throws(GzipError) -> (Int, Int) in
                    try decoder.decompress(UnsafeRawBufferPointer(rebasing: input[offset...]), into: scratch)
                }
            }
            let (used, made) = try step.get()
            offset += used
            if made > 0 { consume(UnsafeRawBufferPointer(rebasing: scratch[0..<made])) }
            if used == 0 && made == 0 { break }
        }
        try decoder.finish()
    }
}

/// Streaming gzip compression. Used by the trail generator and tests to write `.json.gz` files
/// the way CloudTrail delivers them. zlib's default gzip header has mtime 0 and no name, so the
/// output is byte-identical for the same input and level.
public final class GzipEncoder {
    private var stream = z_stream()
    private var scratch: UnsafeMutablePointer<UInt8>
    private static let scratchSize = 256 * 1024
    private var finished = false

    /// - Parameter level: zlib level 0–9 (1 is fastest, 6 is gzip's default).
    public init(level: Int32 = 6) {
        scratch = .allocate(capacity: GzipEncoder.scratchSize)
        // 15 + 16: maximum window with a gzip (not zlib) header; memLevel 8 is zlib's default.
        let rc = czlib_deflateInit2(&stream, level, 15 + 16, 8)
        precondition(rc == Z_OK, "deflateInit2 failed (\(rc)): out of memory")
    }

    deinit {
        deflateEnd(&stream)
        scratch.deallocate()
    }

    /// Compresses `input`, appending whatever compressed output is ready to `out`.
    public func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        precondition(!finished, "GzipEncoder used after finish")
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        run(Z_NO_FLUSH, into: &out)
    }

    public func compress(_ input: [UInt8], into out: inout [UInt8]) {
        input.withUnsafeBytes { compress($0, into: &out) }
    }

    /// Starts a new member on the same deflate state, so writing many small files does not pay
    /// for a fresh 256 KB zlib state each time.
    public func reset() {
        deflateReset(&stream)
        finished = false
    }

    /// One whole gzip member of `input` (the encoder is reset first and can be reused).
    public func member(_ input: [UInt8]) -> [UInt8] {
        reset()
        var out = [UInt8]()
        out.reserveCapacity(input.count / 4 + 64)
        compress(input, into: &out)
        finish(into: &out)
        return out
    }

    /// Ends the member: flushes the rest and writes the gzip trailer.
    public func finish(into out: inout [UInt8]) {
        guard !finished else { return }
        stream.next_in = nil
        stream.avail_in = 0
        run(Z_FINISH, into: &out)
        finished = true
    }

    private func run(_ flush: Int32, into out: inout [UInt8]) {
        while true {
            stream.next_out = scratch
            stream.avail_out = UInt32(GzipEncoder.scratchSize)
            let rc = deflate(&stream, flush)
            let made = GzipEncoder.scratchSize - Int(stream.avail_out)
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: made))
            if flush == Z_FINISH {
                if rc == Z_STREAM_END { return }
            } else if stream.avail_in == 0 && stream.avail_out > 0 {
                return
            }
            precondition(rc == Z_OK || rc == Z_BUF_ERROR, "deflate failed (\(rc))")
        }
    }

    /// Compresses a whole buffer into one gzip member.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        GzipEncoder(level: level).member(bytes)
    }
}
