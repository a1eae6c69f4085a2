import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `/bin/sh -c COMMAND` with bytes on standard input, a deadline and a bounded stderr tail.
///
/// posix_spawn rather than Foundation's Process: the child gets its own process group so a
/// timeout kills the whole pipeline (`sh`, and whatever it started), not just the shell; and
/// one poll loop feeds stdin, drains stderr and watches the clock without extra threads.
enum ExecRunner {
    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case failedToStart(String)
    }

    struct Result {
        var termination: Termination
        var stderrTail: String
    }

    static func run(command: String, input: [UInt8], timeout: Double, tailBytes: Int) -> Result {
        ignoreSIGPIPE()
        var inPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard makePipe(&inPipe), makePipe(&errPipe) else {
            return Result(termination: .failedToStart(errnoText("pipe")), stderrTail: "")
        }
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, devNull >= 0 ? devNull : errPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { word in word.withCString { strdup($0) } } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(inPipe[0])
        close(errPipe[1])
        if devNull >= 0 { close(devNull) }
        guard rc == 0 else {
            close(inPipe[1])
            close(errPipe[0])
            return Result(termination: .failedToStart("posix_spawn: \(String(cString: strerror(rc)))"), stderrTail: "")
        }

        _ = fcntl(inPipe[1], F_SETFL, fcntl(inPipe[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(errPipe[0], F_SETFL, fcntl(errPipe[0], F_GETFL) | O_NONBLOCK)
        var writer: Int32 = inPipe[1]
        var reader: Int32 = errPipe[0]
        var written = 0
        var tail: [UInt8] = []
        var status: Int32 = 0
        var exited = false
        let deadline = Deadline(seconds: timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)

        if input.isEmpty { close(writer); writer = -1 }
        while true {
            if !exited {
                let w = waitpid(pid, &status, WNOHANG)
                if w == pid { exited = true }
            }
            // After exit, stop once stderr is drained (a background grandchild may hold it open).
            if exited && reader < 0 { break }
            let remaining = deadline.remainingMillis
            if remaining <= 0 {
                if exited { break }
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                if writer >= 0 { close(writer) }
                if reader >= 0 { close(reader) }
                return Result(termination: .timedOut, stderrTail: tailText(tail))
            }
            var fds: [pollfd] = []
            if writer >= 0 { fds.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
            if reader >= 0 { fds.append(pollfd(fd: reader, events: Int16(POLLIN), revents: 0)) }
            let slice = exited ? min(remaining, 50) : min(remaining, 20)
            _ = poll(&fds, nfds_t(fds.count), Int32(slice))

            if writer >= 0 {
                let n = input[written...].withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                if n > 0 { written += n }
                if written >= input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
                    // Done, or the command stopped reading (EPIPE): either way it has all it wants.
                    close(writer)
                    writer = -1
                }
            }
            if reader >= 0 {
                let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if n > 0 {
                    tail.append(contentsOf: buffer[0..<n])
                    if tail.count > tailBytes { tail.removeFirst(tail.count - tailBytes) }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) || exited {
                    close(reader)
                    reader = -1
                }
            }
        }
        if writer >= 0 { close(writer) }
        if reader >= 0 { close(reader) }
        let signal = status & 0x7f
        let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        return Result(termination: termination, stderrTail: tailText(tail))
    }

    /// Both ends close-on-exec, so the child sees only the descriptors dup2'ed onto 0–2.
    /// (Glibc's pipe2 is not exported to Swift; a concurrent fork could inherit the ends in the
    /// gap, which costs nothing worse than a delayed EOF.)
    static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    static func tailText(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writing to a command that exited must fail with EPIPE, not kill the process.
    static func ignoreSIGPIPE() {
        _ = sigpipeIgnored
    }

    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()
}
