import CSQLite
#if canImport(Glibc)
import Glibc
#endif
import TrailJSON

/// Boxes a compiled path so SQLite can cache it per statement (`sqlite3_set_auxdata`): the path
/// text is parsed once per query, not once per row.
private final class PathBox {
    let path: JSONPath
    init(_ path: JSONPath) { self.path = path }
}

extension SQLiteConnection {
    /// Registers `tw_json(json, path)`: the value at `path` (either `$.a.b[0]` or `a.b.0`) in a
    /// stored record, with `json_extract`'s result types (text, integer, real, NULL; objects and
    /// arrays as JSON text). It walks the record with the skip-scanner instead of parsing it.
    public func registerJSONFunctions() throws(StoreError) {
        let rc = sqlite3_create_function_v2(handle, "tw_json", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
                                            twJSONFunction, nil, nil, nil)
        guard rc == SQLITE_OK else { throw StoreError(code: rc, message: errorMessage, context: "registering tw_json") }
        let rc2 = sqlite3_create_function_v2(handle, "tw_may_contain", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
                                             twMayContainFunction, nil, nil, nil)
        guard rc2 == SQLITE_OK else { throw StoreError(code: rc2, message: errorMessage, context: "registering tw_may_contain") }
    }
}

/// `tw_may_contain(json, needle)`: 1 when the record text contains `needle` byte for byte, or
/// when it has a `\u` escape (which could spell the needle differently); else 0. A pre-filter
/// for equality on fields that are not columns: a memmem over the stored bytes, with no UTF-8
/// decoding (SQLite's instr/LIKE cost 3.5–6.4 s on 2M records, this costs the page reads).
private let twMayContainFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, _, argv in
    guard let argv, let doc = sqlite3_value_blob(argv[0]), let needle = sqlite3_value_blob(argv[1]) else {
        sqlite3_result_int(ctx, 1)
        return
    }
    let length = Int(sqlite3_value_bytes(argv[0]))
    let needleLength = Int(sqlite3_value_bytes(argv[1]))
    let haystack = UnsafeRawBufferPointer(start: doc, count: length)
    let wanted = UnsafeRawBufferPointer(start: needle, count: needleLength)
    if contains(haystack, wanted) { sqlite3_result_int(ctx, 1); return }
    let escape: [UInt8] = [0x5C, 0x75]
    sqlite3_result_int(ctx, escape.withUnsafeBytes { contains(haystack, $0) } ? 1 : 0)
}

private func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
    guard let n = needle.baseAddress, needle.count > 0 else { return true }
    guard let h = haystack.baseAddress else { return false }
    return csqlite_contains(h, haystack.count, n, needle.count) != 0
}

private let twJSONFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, _, argv in
    guard let argv, let doc = sqlite3_value_text(argv[0]) else { sqlite3_result_null(ctx); return }
    let length = Int(sqlite3_value_bytes(argv[0]))
    let box: PathBox
    if let aux = sqlite3_get_auxdata(ctx, 1) {
        box = Unmanaged<PathBox>.fromOpaque(aux).takeUnretainedValue()
    } else {
        guard let p = sqlite3_value_text(argv[1]) else { sqlite3_result_null(ctx); return }
        let text = String(cString: p)
        guard let path = try? JSONPath(parsing: text) else {
            sqlite3_result_error(ctx, "tw_json: invalid path '\(text)'", -1)
            return
        }
        box = PathBox(path)
        sqlite3_set_auxdata(ctx, 1, Unmanaged.passRetained(box).toOpaque()) { Unmanaged<PathBox>.fromOpaque($0!).release() }
    }
    let buffer = UnsafeRawBufferPointer(start: doc, count: length)
    guard let range = box.path.range(in: buffer) else { sqlite3_result_null(ctx); return }
    let first = doc[range.lowerBound]
    switch first {
    case 0x22:  // string: strip quotes, resolve escapes only when there are any
        let inner = UnsafeBufferPointer(start: doc + range.lowerBound + 1, count: range.count - 2)
        if inner.contains(0x5C) {
            var out = [UInt8]()
            JSONScanner.unescape(inner, into: &out)
            out.withUnsafeBufferPointer { o in
                o.baseAddress!.withMemoryRebound(to: CChar.self, capacity: o.count) {
                    sqlite3_result_text(ctx, $0, Int32(o.count), csqlite_transient())
                }
            }
        } else {
            (doc + range.lowerBound + 1).withMemoryRebound(to: CChar.self, capacity: inner.count) {
                sqlite3_result_text(ctx, $0, Int32(inner.count), csqlite_transient())
            }
        }
    case 0x74: sqlite3_result_int(ctx, 1)
    case 0x66: sqlite3_result_int(ctx, 0)
    case 0x6E: sqlite3_result_null(ctx)
    case 0x7B, 0x5B:
        (doc + range.lowerBound).withMemoryRebound(to: CChar.self, capacity: range.count) {
            sqlite3_result_text(ctx, $0, Int32(range.count), csqlite_transient())
        }
    default:
        var s = JSONScanner(buffer)
        s.position = range.lowerBound
        if let r = try? s.scanNumber() {
            let text = buffer[r]
            if !text.contains(where: { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }), r.count <= 18 {
                sqlite3_result_int64(ctx, Int64(s.numberValue(r)))
            } else {
                sqlite3_result_double(ctx, s.numberValue(r))
            }
        } else {
            sqlite3_result_null(ctx)
        }
    }
}
