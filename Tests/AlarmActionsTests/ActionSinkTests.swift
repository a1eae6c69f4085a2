import Foundation
import Testing
@testable import AlarmActions
@testable import Alarms

func samplePayload() -> AlarmNotification {
    let def = AlarmDefinition(name: "ConsoleSignInFailures", metric: AlarmMetric(namespace: "CloudTrailMetrics", name: "ConsoleSigninFailureCount"),
                              statistic: .sum, periodMillis: 300_000, evaluationPeriods: 1, comparisonOperator: .greaterThanOrEqualToThreshold,
                              condition: .threshold(3))
    let end: Int64 = 1_795_230_600_000
    let e = AlarmEvaluator.evaluate(def, status: AlarmStatus(), datapoints: [AlarmDatapoint(timestampMillis: end - 300_000, value: 5)], at: end)
    return AlarmNotification(definition: def, change: e.notification!, accountId: "123456789012", region: "us-east-1")
}

func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "trailwatch-actions-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite struct ParsingTests {
    @Test func sinkStrings() throws {
        #expect(try ActionSink(parsing: "stdout") == .stdout)
        #expect(try ActionSink(parsing: "file:/tmp/a.ndjson") == .file(path: "/tmp/a.ndjson"))
        #expect(try ActionSink(parsing: "exec:cat > /tmp/x") == .exec(command: "cat > /tmp/x"))
        #expect(try ActionSink(parsing: "webhook:https://hooks.example.com/x") == .webhook(url: "https://hooks.example.com/x"))
        #expect(throws: ActionSinkError.empty) { try ActionSink(parsing: " ") }
        #expect(throws: ActionSinkError.missingArgument(kind: "file", expected: "file:PATH")) { try ActionSink(parsing: "file:") }
        #expect(throws: ActionSinkError.unknownKind("email:ops@example.com")) { try ActionSink(parsing: "email:ops@example.com") }
    }

    @Test func badWebhookURLsNeverEchoSecrets() {
        do {
            _ = try ActionSink(parsing: "webhook:ftp://user:hunter2@files.example.com/x?key=abc")
            Issue.record("accepted an ftp URL")
        } catch {
            #expect(error.description == "webhook URL ftp://user:***@files.example.com/x?key=***: only http:// and https:// URLs are supported")
        }
        do {
            _ = try ActionSink(parsing: "sms:https://api.example.com/send?token=s3cr3t")
            Issue.record("accepted an unknown kind")
        } catch {
            #expect(!error.description.contains("s3cr3t"))
        }
    }
}

@Suite struct RedactionTests {
    @Test(arguments: [
        ("https://hooks.example.com/x?token=abc123", "https://hooks.example.com/x?token=***"),
        ("https://user:pa55w0rd@hooks.example.com/x", "https://user:***@hooks.example.com/x"),
        ("https://TOKEN@api.example.com/", "https://***@api.example.com/"),
        ("http://h:8080/a?x=1&y=2&flag", "http://h:8080/a?x=***&y=***&***"),
        ("https://hooks.slack.com/services/T0000000/B0000000/abcDEF123ghiJKL456mno789", "https://hooks.slack.com/services/T0000000/B0000000/***"),
        ("https://discord.com/api/webhooks/123456789012345678/aB3dE6gH9jK2mN5pQ8sT", "https://discord.com/api/webhooks/123456789012345678/***"),
        ("https://h/p#frag", "https://h/p#***"),
        ("https://h/plain/path", "https://h/plain/path"),
    ])
    func urls(_ url: String, _ redacted: String) {
        #expect(Redaction.redactURL(url) == redacted)
    }

    @Test func urlsInsideText() {
        #expect(Redaction.redactURLs(in: #"curl -d @- "https://u:pw@h/x?t=1" && echo done"#) == #"curl -d @- "https://u:***@h/x?t=***" && echo done"#)
        #expect(Redaction.redactURLs(in: "no urls here") == "no urls here")
    }

    @Test func sinkDescriptionsAreRedacted() throws {
        #expect(try ActionSink(parsing: "webhook:https://a:b@h/x?token=t").description == "webhook:https://a:***@h/x?token=***")
        #expect(try ActionSink(parsing: "exec:curl -sS https://h/x?key=k").description == "exec:curl -sS https://h/x?key=***")
    }
}

@Suite struct LocalSinkTests {
    @Test func stdoutSink() {
        let lines = Lines()
        let dispatcher = ActionDispatcher(standardOutput: { lines.append($0) })
        let payload = samplePayload()
        let results = dispatcher.deliver(payload, to: ["stdout"])
        #expect(results.map(\.outcome) == [.ok])
        #expect(lines.all == [payload.jsonString()])
    }

    @Test func fileSinkAppendsNDJSON() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/nested/alarms.ndjson"
        let dispatcher = ActionDispatcher()
        let payload = samplePayload()
        let first = dispatcher.deliver(payload, to: ["file:" + path])
        let second = dispatcher.deliver(payload, to: ["file:" + path])
        #expect(first[0].outcome == .ok && second[0].outcome == .ok)
        #expect(first[0].sink == "file:" + path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            let decoded = try JSONDecoder().decode(AlarmNotification.self, from: Data(line.utf8))
            #expect(decoded == payload)
        }
    }

    @Test func fileSinkFailureIsRecorded() {
        let results = ActionDispatcher().deliver(samplePayload(), to: ["file:/proc/definitely/not/writable.ndjson"])
        #expect(results[0].outcome == .failed)
        #expect(results[0].detail.hasPrefix("cannot "))
    }

    @Test func execSinkGetsThePayloadOnStdin() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/payload.json"
        let payload = samplePayload()
        let results = ActionDispatcher().deliver(payload, to: ["exec:cat > '\(out)'"])
        #expect(results[0].outcome == .ok)
        #expect(results[0].detail == "exit status 0")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == payload.jsonString() + "\n")
    }

    @Test func execNonZeroExitIsRecordedWithStderrTail() {
        let results = ActionDispatcher().deliver(samplePayload(), to: ["exec:cat >/dev/null; echo 'pager unreachable' >&2; exit 3"])
        #expect(results[0].outcome == .failed)
        #expect(results[0].detail == "exit status 3; stderr: pager unreachable")
        #expect(results[0].attempts == 1)
    }

    @Test func execStderrKeepsOnlyTheTail() {
        var options = ActionOptions()
        options.stderrTailBytes = 10
        let results = ActionDispatcher(options: options).deliver(samplePayload(), to: ["exec:printf 'aaaaaaaaaaaaaaaaaaaa0123456789' >&2; exit 1"])
        #expect(results[0].detail == "exit status 1; stderr: 0123456789")
    }

    @Test func execTimeoutKillsTheWholeCommand() {
        var options = ActionOptions()
        options.execTimeout = 0.5
        let started = Date()
        let results = ActionDispatcher(options: options).deliver(samplePayload(), to: ["exec:sleep 30 | cat; sleep 30"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(results[0].outcome == .failed)
        #expect(results[0].detail == "timed out after 0.5 s; killed")
        #expect(elapsed < 5)
        #expect(results[0].durationMillis >= 400)
    }

    @Test func commandThatIgnoresStdinDoesNotHurt() {
        // A payload larger than a pipe buffer, to a command that never reads it: EPIPE, not SIGPIPE.
        let big = String(repeating: "x", count: 300_000)
        let results = ActionDispatcher().deliver(payload: big, to: ["exec:true"])
        #expect(results[0].outcome == .ok)
    }

    @Test func badSinksFailWithoutStoppingTheOthers() {
        let lines = Lines()
        let dispatcher = ActionDispatcher(standardOutput: { lines.append($0) })
        let results = dispatcher.deliver(samplePayload(), to: ["carrier-pigeon:coop", "exec:exit 1", "stdout"])
        #expect(results.map(\.outcome) == [.failed, .failed, .ok])
        #expect(results[0].detail.hasPrefix("unknown action 'carrier-pigeon:coop'"))
        #expect(lines.all.count == 1)
    }

    @Test func backgroundDeliveryFromAsyncCode() async {
        let lines = Lines()
        let results = await ActionDispatcher(standardOutput: { lines.append($0) }).deliverInBackground(samplePayload(), to: ["stdout", "exec:cat >/dev/null"])
        #expect(results.map(\.outcome) == [.ok, .ok])
    }
}
