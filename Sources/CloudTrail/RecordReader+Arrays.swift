#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the array splitter is within `{"Records":[ … ]}` (or a bare `[ … ]`).
enum ArrayPhase {
    case docStart  // before a top-level value
    case envKeyOrEnd  // in the envelope object: a key or `}`
    case envKey  // inside a key string
    case envColon
    case envValue  // before a member value
    case envSkip  // inside a member value that is not the target array
    case envAfterValue  // `,` or `}`
    case elemStartOrEnd  // in the target array: an element or `]`
    case elem  // inside an element
    case elemAfter  // `,` or `]`
    case docEnd  // after a top-level value: end of input or another document
}

/// Finds the end of one JSON value incrementally, across chunk boundaries, tracking strings
/// (with escapes) and bracket depth. It does not validate: an element is split by structure
/// alone, so one malformed record costs only itself.
struct ValueScan {
    var depth = 0
    var inString = false
    /// First byte of the current string's content: the backslash count before a quote is
    /// never looked for before it.
    var stringStart = 0
    var scalar = false

    /// Starts a value whose first byte `first` is at `pos`; returns where scanning continues.
    mutating func begin(_ first: UInt8, at pos: Int) -> Int {
        depth = 0
        inString = false
        scalar = false
        switch first {
        case 0x22:
            inString = true
            stringStart = pos + 1
            return pos + 1
        case 0x7B, 0x5B:
            depth = 1
            return pos + 1
        default:
            scalar = true
            return pos
        }
    }

    /// Advances `pos` towards `end`. True when the value is complete (`pos` is then one past it).
    mutating func run(_ p: UnsafePointer<UInt8>, _ pos: inout Int, _ end: Int) -> Bool {
        var i = pos
        defer { pos = i }
        if scalar {
            while i < end {
                switch p[i] {
                case 0x2C, 0x5D, 0x7D, 0x20, 0x0A, 0x0D, 0x09: return true
                default: i += 1
                }
            }
            return false
        }
        while true {
            if inString {
                while true {
                    guard i < end, let hit = memchr(p + i, 0x22, end - i) else {
                        i = end
                        return false
                    }
                    let q = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - p
                    var k = q - 1
                    while k >= stringStart && p[k] == 0x5C { k -= 1 }
                    i = q + 1
                    // An odd run of backslashes escapes the quote.
                    if (q - 1 - k) & 1 == 0 { break }
                }
                inString = false
                if depth == 0 { return true }
            }
            while i < end {
                let b = p[i]
                i += 1
                if b == 0x22 {
                    inString = true
                    stringStart = i
                    break
                }
                if b == 0x7B || b == 0x5B {
                    depth += 1
                } else if b == 0x7D || b == 0x5D {
                    depth -= 1
                    if depth == 0 { return true }
                }
            }
            if !inString { return false }
        }
    }
}

extension RecordReader {
    /// Splits array elements. Returns an item as soon as one element completes; `.needMore`
    /// when the window is exhausted (never when `eof`).
    func arrayStep(eof: Bool) -> Step {
        let end = win.end
        let p = UnsafePointer(win.bytes)
        while true {
            switch phase {
            case .docStart:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                let b = p[pos]
                if b == 0x7B {
                    docStartPos = pos
                    pos += 1
                    firstKey = true
                    foundTarget = false
                    phase = .envKeyOrEnd
                } else if b == 0x5B {
                    pos += 1
                    inBareArray = true
                    phase = .elemStartOrEnd
                } else {
                    return docCount == 0
                        ? structural("expected a JSON object or array for format \(format.rawValue), found \"\(escapedPrefix(win.buffer(pos, end), limit: 16))\"", at: pos)
                        : structural("unexpected data after the JSON document", at: pos)
                }

            case .envKeyOrEnd:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                switch p[pos] {
                case 0x22:
                    pos += 1
                    keyStart = pos
                    phase = .envKey
                case 0x7D:
                    pos += 1
                    if let missing = closeDocument() { return .item(missing) }
                default:
                    return structural("expected a key in the JSON object", at: pos)
                }

            case .envKey:
                guard let q = closingQuote(p, from: pos, contentStart: keyStart, end) else {
                    pos = end
                    return waitOrEnd(eof)
                }
                pos = q + 1
                let keyLen = q - keyStart
                keyIsTarget = keyLen == targetKey.count && targetKey.withUnsafeBufferPointer { memcmp(p + keyStart, $0.baseAddress!, keyLen) == 0 }
                if firstKey {
                    firstKey = false
                    if allowRecordDocuments
                        && FormatDetector.recordKeys.contains(String(decoding: UnsafeBufferPointer(start: p + keyStart, count: keyLen), as: UTF8.self))
                    {
                        // The document is a record itself: split it as one element.
                        recordDocument = true
                        elemStart = docStartPos
                        pos = scan.begin(0x7B, at: docStartPos)
                        phase = .elem
                        continue
                    }
                }
                phase = .envColon

            case .envColon:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                guard p[pos] == 0x3A else { return structural("expected ':' after a key", at: pos) }
                pos += 1
                phase = .envValue

            case .envValue:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                if keyIsTarget {
                    guard p[pos] == 0x5B else { return structural("\"\(String(decoding: targetKey, as: UTF8.self))\" is not an array", at: pos) }
                    pos += 1
                    foundTarget = true
                    inBareArray = false
                    phase = .elemStartOrEnd
                } else {
                    pos = scan.begin(p[pos], at: pos)
                    phase = .envSkip
                }

            case .envSkip:
                var s = scan
                let done = s.run(p, &pos, end)
                scan = s
                guard done else { return waitOrEnd(eof) }
                phase = .envAfterValue

            case .envAfterValue:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                switch p[pos] {
                case 0x2C:
                    pos += 1
                    phase = .envKeyOrEnd
                case 0x7D:
                    pos += 1
                    if let missing = closeDocument() { return .item(missing) }
                default:
                    return structural("expected ',' or '}' in the JSON object", at: pos)
                }

            case .elemStartOrEnd:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                let b = p[pos]
                switch b {
                case 0x5D:
                    pos += 1
                    closeArray()
                case 0x7B, 0x5B, 0x22, 0x2D, 0x30...0x39, 0x74, 0x66, 0x6E:
                    elemStart = pos
                    pos = scan.begin(b, at: pos)
                    phase = .elem
                default:
                    return structural("unexpected \"\(escapedPrefix(win.buffer(pos, min(end, pos + 1))))\" where a record should start", at: pos)
                }

            case .elem:
                var s = scan
                let done = s.run(p, &pos, end)
                scan = s
                guard done else {
                    if pos - elemStart > RecordReader.maxRecordBytes {
                        return structural("record \(nextIndex) is larger than \(RecordReader.maxRecordBytes >> 20) MB", at: elemStart)
                    }
                    if eof { return structural("unexpected end of input inside record \(nextIndex) (unbalanced brackets or quotes)", at: elemStart) }
                    keepFrom = elemStart
                    return .needMore
                }
                let item = element(elemStart, pos)
                if recordDocument {
                    recordDocument = false
                    docCount += 1
                    phase = .docEnd
                } else {
                    phase = .elemAfter
                }
                keepFrom = pos
                return .item(item)

            case .elemAfter:
                guard skipSpace(p, end) else { return waitOrEnd(eof) }
                switch p[pos] {
                case 0x2C:
                    pos += 1
                    phase = .elemStartOrEnd
                case 0x5D:
                    pos += 1
                    closeArray()
                default:
                    return structural("expected ',' or ']' after record \(nextIndex - 1)", at: pos)
                }

            case .docEnd:
                guard skipSpace(p, end) else {
                    if eof { return .finished }
                    keepFrom = pos
                    return .needMore
                }
                let b = p[pos]
                guard b == 0x7B || b == 0x5B else { return structural("unexpected data after the JSON document", at: pos) }
                phase = .docStart
            }
        }
    }

    @inline(__always) private func skipSpace(_ p: UnsafePointer<UInt8>, _ end: Int) -> Bool {
        while pos < end && RecordReader.isSpace(p[pos]) { pos += 1 }
        return pos < end
    }

    /// The unescaped closing quote of a string whose content starts at `contentStart`.
    private func closingQuote(_ p: UnsafePointer<UInt8>, from: Int, contentStart: Int, _ end: Int) -> Int? {
        var i = from
        while i < end, let hit = memchr(p + i, 0x22, end - i) {
            let q = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - p
            var k = q - 1
            while k >= contentStart && p[k] == 0x5C { k -= 1 }
            if (q - 1 - k) & 1 == 0 { return q }
            i = q + 1
        }
        return nil
    }

    /// Out of bytes between elements: wait for more, or report the unclosed structure at EOF.
    private func waitOrEnd(_ eof: Bool) -> Step {
        if eof {
            if phase == .docStart && docCount > 0 { return .finished }
            let what = phase == .envKey || phase == .envSkip ? "inside the JSON envelope" : "before the closing bracket"
            return structural("unexpected end of input \(what) (unbalanced brackets or quotes)", at: pos)
        }
        switch phase {
        case .envKeyOrEnd, .envKey, .envColon, .envValue, .envSkip, .envAfterValue:
            if allowRecordDocuments && firstKey {
                // Until the first key is known the document may turn out to be a record, to be
                // re-read from its `{`.
                keepFrom = docStartPos
            } else if phase == .envKey {
                keepFrom = keyStart
            } else if phase == .envSkip && scan.inString {
                // The quote search looks back over backslashes as far as the string's start.
                keepFrom = scan.stringStart
            } else {
                keepFrom = pos
            }
        default:
            keepFrom = pos
        }
        return .needMore
    }

    /// A split array element, handed over according to the format.
    private func element(_ s: Int, _ e: Int) -> ReaderItem {
        let index = nextIndex
        nextIndex += 1
        switch format {
        case .lookupEvents: return lookupEvent(s, e, index: index, line: nil)
        case .cwlogs: return cloudWatchEvent(s, e, index: index, line: nil)
        default:
            guard win.bytes[s] == 0x7B else {
                return .problem(RecordProblem(index: index, offset: s, reason: "record \(index) is not a JSON object", excerpt: win.excerpt(s, e)))
            }
            return .record(RawRecord(bytes: win.copy(s, e), index: index, offset: s))
        }
    }

    private func closeArray() {
        if inBareArray {
            inBareArray = false
            docCount += 1
            phase = .docEnd
        } else {
            phase = .envAfterValue
        }
    }

    /// The envelope object closed; a problem if it never held the array.
    private func closeDocument() -> ReaderItem? {
        docCount += 1
        phase = .docEnd
        keepFrom = pos
        guard !foundTarget else { return nil }
        let key = String(decoding: targetKey, as: UTF8.self)
        return .problem(RecordProblem(offset: docStartPos, reason: "no \"\(key)\" array in the JSON object", excerpt: win.excerpt(docStartPos, pos)))
    }

    /// The array cannot be split any further: one problem, then the end of this file.
    private func structural(_ what: String, at offset: Int) -> Step {
        stage = .draining
        let reason = "\(what) at byte \(offset); rest of file unreadable after record \(nextIndex)"
        return .item(.problem(RecordProblem(index: nextIndex, offset: offset, reason: reason, excerpt: win.excerpt(offset, win.end))))
    }
}
