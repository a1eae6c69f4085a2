import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a webhook URL the HTTP client needs.
struct HTTPTarget: Sendable {
    var secure: Bool
    var host: String
    var port: UInt16
    /// Path and query, as sent on the request line.
    var requestTarget: String
    /// `user:password` for Basic authentication, if the URL carries it.
    var userinfo: String?

    struct Invalid: Error {}

    init(_ url: String) throws(Invalid) {
        guard let schemeEnd = url.range(of: "://") else { throw Invalid() }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw Invalid() }
        secure = scheme == "https"
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        requestTarget = target.isEmpty ? "/" : (target.first == "?" ? "/" + target : String(target))
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at]).removingPercentEncoding
            authority = authority[authority.index(after: at)...]
        }
        var hostPart = authority
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid() }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.first == ":" { portText = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        host = String(hostPart)
        if let portText {
            guard let p = UInt16(portText) else { throw Invalid() }
            port = p
        } else {
            port = secure ? 443 : 80
        }
    }
}

/// One HTTP attempt's outcome.
enum HTTPOutcome: Sendable {
    case status(Int, bodySnippet: String)
    case failure(String)
    case timedOut

    var retryable: Bool {
        switch self {
        case .status(let code, _): code >= 500 || code == 408 || code == 429
        case .failure, .timedOut: true
        }
    }
}

/// A minimal HTTP/1.1 POST client over POSIX sockets for `http://`. URLSession on Linux goes
/// through libcurl, whose timeouts and error reporting proved hard to pin down in tests; a
/// webhook needs only one request and the status line, so `http://` is done by hand and
/// URLSession is used for `https://` only (TLS is not worth re-implementing).
enum HTTPClient {
    static func post(_ target: HTTPTarget, body: [UInt8], contentType: String, userAgent: String, timeout: Double) -> HTTPOutcome {
        target.secure
            ? postTLS(target, body: body, contentType: contentType, userAgent: userAgent, timeout: timeout)
            : postPlain(target, body: body, contentType: contentType, userAgent: userAgent, timeout: timeout)
    }

    static func postPlain(_ target: HTTPTarget, body: [UInt8], contentType: String, userAgent: String, timeout: Double) -> HTTPOutcome {
        let deadline = Deadline(seconds: timeout)
        let fd: Int32
        switch connect(host: target.host, port: target.port, deadline: deadline) {
        case .success(let s): fd = s
        case .failure(let outcome): return outcome
        }
        defer { close(fd) }

        let hostHeader = (target.host.contains(":") ? "[\(target.host)]" : target.host) + (target.port == 80 ? "" : ":\(target.port)")
        var head = "POST \(target.requestTarget) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: \(userAgent)\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        if let userinfo = target.userinfo {
            head += "Authorization: Basic \(Data(userinfo.utf8).base64EncodedString())\r\n"
        }
        head += "\r\n"
        if let failure = sendAll(fd, Array(head.utf8) + body, deadline: deadline) { return failure }
        return readResponse(fd, deadline: deadline)
    }

    enum Connected { case success(Int32), failure(HTTPOutcome) }

    static func connect(host: String, port: UInt16, deadline: Deadline) -> Connected {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(.failure("cannot resolve host \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address for \(host)"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { lastError = errnoText("socket"); continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if systemConnect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return .success(fd) }
            guard errno == EINPROGRESS else { lastError = errnoText("connect"); close(fd); continue }
            switch wait(fd, events: Int16(POLLOUT), deadline: deadline) {
            case .ready:
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                if err == 0 { return .success(fd) }
                lastError = "connect: \(String(cString: strerror(err)))"
                close(fd)
            case .timedOut:
                close(fd)
                return .failure(.timedOut)
            case .failed(let text):
                lastError = text
                close(fd)
            }
        }
        return .failure(.failure(lastError))
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: Deadline) -> HTTPOutcome? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                switch wait(fd, events: Int16(POLLOUT), deadline: deadline) {
                case .ready: continue
                case .timedOut: return .timedOut
                case .failed(let text): return .failure(text)
                }
            }
            return .failure(errnoText("send"))
        }
        return nil
    }

    /// Reads the status line, the headers and up to 512 bytes of body (for failure details).
    static func readResponse(_ fd: Int32, deadline: Deadline) -> HTTPOutcome {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength: Int?
        reading: while true {
            if let h = headerEnd, buffer.count - h >= min(contentLength ?? 512, 512) { break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                if headerEnd == nil, let end = find(buffer, Array("\r\n\r\n".utf8)) {
                    headerEnd = end + 4
                    contentLength = headerValue(buffer[0..<end], "content-length").flatMap { Int($0) }
                }
                continue
            }
            if n == 0 { break }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                switch wait(fd, events: Int16(POLLIN), deadline: deadline) {
                case .ready: continue reading
                case .timedOut:
                    if headerEnd == nil { return .timedOut }
                    break reading
                case .failed(let text): return .failure(text)
                }
            }
            if headerEnd == nil { return .failure(errnoText("recv")) }
            break
        }
        guard let lineEnd = find(buffer, Array("\r\n".utf8)) ?? (buffer.isEmpty ? nil : buffer.count) else {
            return .failure("the server closed the connection without a response")
        }
        let statusLine = String(decoding: buffer[0..<lineEnd], as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
            return .failure("malformed HTTP status line")
        }
        let body = headerEnd.map { String(decoding: buffer[$0...].prefix(512), as: UTF8.self) } ?? ""
        return .status(code, bodySnippet: body)
    }

    static func headerValue(_ head: ArraySlice<UInt8>, _ name: String) -> String? {
        for line in String(decoding: head, as: UTF8.self).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    enum Wait { case ready, timedOut, failed(String) }

    static func wait(_ fd: Int32, events: Int16, deadline: Deadline) -> Wait {
        while true {
            let remaining = deadline.remainingMillis
            if remaining <= 0 { return .timedOut }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, Int32(min(remaining, Int64(Int32.max))))
            if rc > 0 { return .ready }
            if rc == 0 { return .timedOut }
            if errno != EINTR { return .failed(errnoText("poll")) }
        }
    }

    /// https:// through URLSession, waited on synchronously (callers are on their own thread).
    static func postTLS(_ target: HTTPTarget, body: [UInt8], contentType: String, userAgent: String, timeout: Double) -> HTTPOutcome {
        guard let url = URL(string: target.urlString) else { return .failure("invalid URL") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let userinfo = target.userinfo {
            request.setValue("Basic \(Data(userinfo.utf8).base64EncodedString())", forHTTPHeaderField: "Authorization")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: request) { data, response, error in
            if let error = error as? URLError, error.code == .timedOut {
                box.set(.timedOut)
            } else if let error {
                // URLSession's messages quote the URL; the caller redacts every detail it records.
                box.set(.failure(error.localizedDescription))
            } else if let http = response as? HTTPURLResponse {
                box.set(.status(http.statusCode, bodySnippet: String(decoding: (data ?? Data()).prefix(512), as: UTF8.self)))
            } else {
                box.set(.failure("no HTTP response"))
            }
            done.signal()
        }.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut { return .timedOut }
        return box.get() ?? .failure("no HTTP response")
    }
}

extension HTTPTarget {
    /// The URL without userinfo (URLSession gets credentials as a header).
    var urlString: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (secure ? "https://" : "http://") + h + ":\(port)" + requestTarget
    }
}

private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: HTTPOutcome?
    func set(_ v: HTTPOutcome) { lock.lock(); value = v; lock.unlock() }
    func get() -> HTTPOutcome? { lock.lock(); defer { lock.unlock() }; return value }
}

/// A point in monotonic time.
struct Deadline {
    let nanos: UInt64

    init(seconds: Double) {
        nanos = DispatchTime.now().uptimeNanoseconds + UInt64(max(seconds, 0) * 1e9)
    }

    var remainingMillis: Int64 {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= nanos ? 0 : Int64((nanos - now + 999_999) / 1_000_000)
    }
}

#if canImport(Glibc)
private let systemConnect = Glibc.connect
/// A peer that hangs up must not kill the process with SIGPIPE.
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let systemConnect = Darwin.connect
private let noSignal: Int32 = 0
#endif

func errnoText(_ call: String) -> String {
    "\(call): \(String(cString: strerror(errno)))"
}
