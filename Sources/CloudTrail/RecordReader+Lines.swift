#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RecordReader {
    /// Splits lines; each line stands alone, so a broken one costs only itself.
    func lineStep(eof: Bool) -> Step {
        let end = win.end
        let p = UnsafePointer(win.bytes)
        while true {
            let lineEnd: Int
            let next: Int
            if searchFrom < end, let hit = memchr(p + searchFrom, 0x0A, end - searchFrom) {
                lineEnd = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - p
                next = lineEnd + 1
            } else if !eof {
                searchFrom = end
                if discardingLine {
                    lineStart = end
                } else if end - lineStart > RecordReader.maxRecordBytes {
                    discardingLine = true
                    let problem = RecordProblem(
                        index: nextIndex, offset: lineStart, line: lineNumber,
                        reason: "line \(lineNumber) is longer than \(RecordReader.maxRecordBytes >> 20) MB; skipped",
                        excerpt: win.excerpt(lineStart, end))
                    nextIndex += 1
                    lineStart = end
                    keepFrom = end
                    return .item(.problem(problem))
                }
                keepFrom = lineStart
                return .needMore
            } else {
                guard lineStart < end else { return .finished }
                lineEnd = end
                next = end
            }
            let number = lineNumber
            let start = lineStart
            lineNumber += 1
            lineStart = next
            searchFrom = next
            keepFrom = next
            if discardingLine {
                discardingLine = false
                continue
            }
            if let item = line(p, start, lineEnd, number: number) { return .item(item) }
        }
    }

    /// One line's record or problem; nil for a blank line.
    private func line(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, number: Int) -> ReaderItem? {
        var s = start
        var e = end
        while s < e && RecordReader.isSpace(p[s]) { s += 1 }
        while e > s && RecordReader.isSpace(p[e - 1]) { e -= 1 }
        guard s < e else { return nil }
        let index = nextIndex
        nextIndex += 1
        switch format {
        case .cwlogs:
            if p[s] == 0x7B { return cloudWatchEvent(s, e, index: index, line: number) }
            return exportLine(p, s, e, index: index, number: number)
        case .lookupEvents:
            return lookupEvent(s, e, index: index, line: number)
        default:
            // Full validation is the ingest side's job (it parses every record anyway); here a
            // line only has to look like an object to be handed over.
            guard p[s] == 0x7B && p[e - 1] == 0x7D else {
                return .problem(RecordProblem(index: index, offset: s, line: number, reason: "line \(number) is not a JSON object", excerpt: win.excerpt(s, e)))
            }
            return .record(RawRecord(bytes: win.copy(s, e), index: index, offset: s, line: number))
        }
    }

    /// `<ISO-8601 timestamp> <message>`, as CloudWatch Logs exports to S3 write them.
    private func exportLine(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int, index: Int, number: Int) -> ReaderItem {
        guard let hit = memchr(p + s, 0x20, e - s) else {
            return .problem(RecordProblem(index: index, offset: s, line: number, reason: "line \(number) is neither a CloudWatch Logs event object nor an export line (`<timestamp> <message>`)", excerpt: win.excerpt(s, e)))
        }
        let space = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - p
        guard let millis = ISO8601.parseMillis(win.buffer(s, space)) else {
            return .problem(RecordProblem(index: index, offset: s, line: number, reason: "line \(number) does not start with a valid ISO-8601 timestamp", excerpt: win.excerpt(s, e)))
        }
        var record = RawRecord(bytes: win.copy(space + 1, e), index: index, offset: s, line: number)
        record.timestampMillis = millis
        return .record(record)
    }
}
