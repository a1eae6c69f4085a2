import Foundation
import Testing
@testable import AlarmActions
@testable import Alarms

@Suite(.serialized) struct WebhookTests {
    func fastOptions(attempts: Int = 3, timeout: Double = 2) -> ActionOptions {
        var o = ActionOptions()
        o.webhookAttempts = attempts
        o.webhookTimeout = timeout
        o.webhookInitialBackoff = 0.05
        return o
    }

    @Test func defaultsMatchTheDocumentedPolicy() {
        let o = ActionOptions()
        #expect(o.webhookAttempts == 3 && o.webhookInitialBackoff == 0.5 && o.webhookTimeout == 10 && o.execTimeout == 10)
    }

    @Test func postsThePayload() throws {
        let server = try TestHTTPServer(responses: [(200, 0)])
        defer { server.stop() }
        let payload = samplePayload()
        let results = ActionDispatcher(options: fastOptions()).deliver(payload, to: ["webhook:\(server.url)/hooks/alarm?team=sec"])
        #expect(results[0].outcome == .ok)
        #expect(results[0].detail == "HTTP 200")
        #expect(results[0].attempts == 1)
        let request = try #require(server.requests.first)
        #expect(request.requestLine == "POST /hooks/alarm?team=sec HTTP/1.1")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["host"] == "127.0.0.1:\(server.port)")
        #expect(request.body == payload.jsonString())
        #expect(try JSONDecoder().decode(AlarmNotification.self, from: Data(request.body.utf8)) == payload)
    }

    @Test func retriesAfterServerErrorThenSucceeds() throws {
        let server = try TestHTTPServer(responses: [(500, 0), (503, 0), (204, 0)])
        defer { server.stop() }
        let results = ActionDispatcher(options: fastOptions()).deliver(samplePayload(), to: ["webhook:\(server.url)/x"])
        #expect(results[0].outcome == .ok)
        #expect(results[0].detail == "HTTP 204")
        #expect(results[0].attempts == 3)
        #expect(server.requests.count == 3)
        #expect(Set(server.requests.map(\.body)).count == 1)
    }

    @Test func failureRecordedAfterAllRetries() throws {
        let server = try TestHTTPServer(responses: [(500, 0)])
        defer { server.stop() }
        let started = Date()
        let results = ActionDispatcher(options: fastOptions()).deliver(samplePayload(), to: ["webhook:\(server.url)/x?token=s3cr3t"])
        #expect(results[0].outcome == .failed)
        #expect(results[0].detail == "HTTP 500: answer (after 3 attempts)")
        #expect(results[0].attempts == 3)
        #expect(results[0].sink == "webhook:\(server.url)/x?token=***")
        #expect(server.requests.count == 3)
        // Back-off 0.05 s then 0.1 s.
        #expect(Date().timeIntervalSince(started) >= 0.15)
    }

    @Test func clientErrorsAreNotRetried() throws {
        let server = try TestHTTPServer(responses: [(404, 0)])
        defer { server.stop() }
        let results = ActionDispatcher(options: fastOptions()).deliver(samplePayload(), to: ["webhook:\(server.url)/missing"])
        #expect(results[0].outcome == .failed)
        #expect(results[0].detail == "HTTP 404: answer (after 1 attempt)")
        #expect(server.requests.count == 1)
    }

    @Test func timeoutIsEnforcedAndRetried() throws {
        let server = try TestHTTPServer(responses: [(200, 1.5)])
        defer { server.stop() }
        let started = Date()
        let results = ActionDispatcher(options: fastOptions(attempts: 2, timeout: 0.3)).deliver(samplePayload(), to: ["webhook:\(server.url)/slow"])
        #expect(results[0].outcome == .failed)
        #expect(results[0].detail == "timed out after 0.3 s (after 2 attempts)")
        #expect(results[0].attempts == 2)
        #expect(Date().timeIntervalSince(started) < 1.4)
    }

    @Test func connectionRefusedIsRecorded() throws {
        let server = try TestHTTPServer(responses: [(200, 0)])
        let url = "http://user:hunter2@127.0.0.1:\(server.port)/x"
        server.stop()
        let results = ActionDispatcher(options: fastOptions(attempts: 2)).deliver(samplePayload(), to: ["webhook:" + url])
        #expect(results[0].outcome == .failed)
        #expect(results[0].attempts == 2)
        #expect(results[0].detail.contains("refused"))
        #expect(!results[0].sink.contains("hunter2") && !results[0].detail.contains("hunter2"))
    }

    @Test func userinfoBecomesBasicAuthAndIsRedacted() throws {
        let server = try TestHTTPServer(responses: [(200, 0)])
        defer { server.stop() }
        let results = ActionDispatcher(options: fastOptions()).deliver(samplePayload(), to: ["webhook:http://ops:hunter2@127.0.0.1:\(server.port)/x"])
        #expect(results[0].outcome == .ok)
        #expect(results[0].sink == "webhook:http://ops:***@127.0.0.1:\(server.port)/x")
        #expect(server.requests.first?.headers["authorization"] == "Basic " + Data("ops:hunter2".utf8).base64EncodedString())
    }
}
