import CZlib

/// Compresses whole buffers to gzip members with zlib, reusing one deflate stream
/// (`deflateReset`) so each small S3 object does not pay for a fresh 256 KB state.
///
/// The gzip header zlib writes without `deflateSetHeader` has mtime 0, no file name and the
/// OS byte of the build platform, so output is byte-identical for identical input and level.
public final class GzipWriter {
    public let level: Int32
    private var stream = z_stream()
    private var output: [UInt8] = []

    public init(level: Int = 6) throws(GzipError) {
        guard (1...9).contains(level) else { throw GzipError(code: Z_STREAM_ERROR, message: "compression level \(level) is not in 1...9") }
        self.level = Int32(level)
        // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's default.
        let rc = czlib_deflateInit2(&stream, self.level, 15 + 16, 8)
        guard rc == Z_OK else { throw GzipError(code: rc, message: "deflateInit2 failed") }
    }

    deinit { deflateEnd(&stream) }

    /// gzip of `input`. The returned array is a copy; the internal buffer is reused.
    public func compress(_ input: [UInt8]) throws(GzipError) -> [UInt8] {
        var rc = deflateReset(&stream)
        guard rc == Z_OK else { throw GzipError(code: rc, message: "deflateReset failed") }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let produced: Int = input.withUnsafeBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                rc = deflate(&stream, Z_FINISH)
                return out.count - Int(stream.avail_out)
            }
        }
        // deflateBound guarantees a single Z_FINISH call completes.
        guard rc == Z_STREAM_END else { throw GzipError(code: rc, message: "deflate did not finish") }
        return Array(output[0..<produced])
    }
}

public struct GzipError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "gzip: \(message) (zlib code \(code))" }
}
