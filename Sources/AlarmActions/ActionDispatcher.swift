import Alarms
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timeouts and retry settings for the sinks.
public struct ActionOptions: Sendable, Hashable {
    /// `exec:`: the command is killed (its whole process group) after this many seconds.
    public var execTimeout: Double = 10
    /// `webhook:`: per attempt, connect + send + response.
    public var webhookTimeout: Double = 10
    public var webhookAttempts: Int = 3
    /// Delay before the second attempt; doubled before each later one (0.5 s, 1 s, …).
    public var webhookInitialBackoff: Double = 0.5
    /// How much of a failing command's stderr is kept in the result.
    public var stderrTailBytes: Int = 1024
    public var userAgent: String = "trailwatch-alarms"

    public init() {}
}

/// Delivers notification payloads to sinks. A delivery never throws: every outcome, including an
/// unparseable sink string, becomes an `ActionResult` for the alarm's history, so one failing
/// action never stops evaluation or the other actions.
///
/// Deliveries block (a command may run for `execTimeout`, a webhook retry for seconds); from
/// async code use `deliverInBackground`, which runs them on a thread of its own instead of the
/// cooperative pool.
public struct ActionDispatcher: Sendable {
    public var options: ActionOptions
    /// Where `stdout` sink lines go; the default writes to the process's standard output.
    public var standardOutput: @Sendable (String) -> Void

    public init(options: ActionOptions = ActionOptions(), standardOutput: @escaping @Sendable (String) -> Void = ActionDispatcher.writeToStandardOutput) {
        self.options = options
        self.standardOutput = standardOutput
    }

    public static let writeToStandardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Delivers one notification to each sink string, in order.
    public func deliver(_ notification: AlarmNotification, to sinks: [String]) -> [ActionResult] {
        deliver(payload: notification.jsonString(), to: sinks)
    }

    /// Delivers a payload (one line of JSON) to each sink string, in order.
    public func deliver(payload: String, to sinks: [String]) -> [ActionResult] {
        sinks.map { raw in
            do throws(ActionSinkError) {
                return deliver(payload: payload, to: try ActionSink(parsing: raw))
            } catch {
                return ActionResult(sink: Redaction.redactURLs(in: raw), outcome: .failed, detail: error.description, attempts: 0, durationMillis: 0)
            }
        }
    }

    /// Async form of `deliver(_:to:)` that keeps blocking work off the cooperative thread pool.
    public func deliverInBackground(_ notification: AlarmNotification, to sinks: [String]) async -> [ActionResult] {
        let payload = notification.jsonString()
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.deliver(payload: payload, to: sinks)) }.start()
        }
    }

    public func deliver(payload: String, to sink: ActionSink) -> ActionResult {
        let started = DispatchTime.now().uptimeNanoseconds
        func result(_ outcome: ActionResult.Outcome, _ detail: String, attempts: Int = 1) -> ActionResult {
            let elapsed = Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
            return ActionResult(sink: sink.description, outcome: outcome, detail: Redaction.redactURLs(in: detail),
                                attempts: attempts, durationMillis: elapsed)
        }
        switch sink {
        case .stdout:
            standardOutput(payload)
            return result(.ok, "written to standard output")
        case .file(let path):
            if let failure = appendLine(payload, to: path) { return result(.failed, failure) }
            return result(.ok, "appended to \(path)")
        case .exec(let command):
            let run = ExecRunner.run(command: command, input: Array((payload + "\n").utf8), timeout: options.execTimeout,
                                     tailBytes: options.stderrTailBytes)
            let stderr = run.stderrTail.isEmpty ? "" : "; stderr: \(run.stderrTail)"
            switch run.termination {
            case .exited(0): return result(.ok, "exit status 0" + stderr)
            case .exited(let code): return result(.failed, "exit status \(code)" + stderr)
            case .signaled(let signal): return result(.failed, "killed by signal \(signal)" + stderr)
            case .timedOut: return result(.failed, "timed out after \(Self.seconds(options.execTimeout)) s; killed" + stderr)
            case .failedToStart(let why): return result(.failed, "could not start /bin/sh: \(why)")
            }
        case .webhook(let url):
            let (outcome, detail, attempts) = post(url, payload: payload)
            return result(outcome, detail, attempts: attempts)
        }
    }

    /// POST with retries: transport errors, timeouts, 5xx, 408 and 429 are retried with
    /// exponential back-off; any other status is final.
    func post(_ url: String, payload: String) -> (ActionResult.Outcome, String, Int) {
        guard let target = try? HTTPTarget(url) else { return (.failed, "invalid URL", 0) }
        let body = Array(payload.utf8)
        let attempts = max(options.webhookAttempts, 1)
        var delay = options.webhookInitialBackoff
        var last = ""
        for attempt in 1...attempts {
            let outcome = HTTPClient.post(target, body: body, contentType: "application/json", userAgent: options.userAgent,
                                          timeout: options.webhookTimeout)
            switch outcome {
            case .status(let code, _) where (200..<300).contains(code):
                return (.ok, "HTTP \(code)", attempt)
            case .status(let code, let snippet):
                let trimmed = snippet.trimmingCharacters(in: .whitespacesAndNewlines)
                last = "HTTP \(code)" + (trimmed.isEmpty ? "" : ": " + String(trimmed.prefix(200)))
            case .failure(let why):
                last = why
            case .timedOut:
                last = "timed out after \(Self.seconds(options.webhookTimeout)) s"
            }
            guard outcome.retryable, attempt < attempts else {
                return (.failed, attempts > 1 ? "\(last) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))" : last, attempt)
            }
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            delay *= 2
        }
        return (.failed, last, attempts)
    }

    /// Appends one line with a single write(2) on an O_APPEND descriptor, so concurrent writers
    /// (two `watch` processes, a tail -f reader) never see interleaved halves of a payload.
    func appendLine(_ line: String, to rawPath: String) -> String? {
        let path = Self.expandingTilde(rawPath)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                return "cannot create directory \(directory): \(error.localizedDescription)"
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return "cannot write \(path): \(String(cString: strerror(errno)))"
            }
            offset += n
        }
        return nil
    }

    static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] else { return path }
        return home + path.dropFirst()
    }

    static func seconds(_ s: Double) -> String {
        String(format: "%.1f", s)
    }
}
