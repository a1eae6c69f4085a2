/// The result of delivering one notification to one sink. Produced by AlarmActions; defined here
/// because alarm history records it and the store (which depends on Alarms, not AlarmActions)
/// persists it.
public struct ActionResult: Codable, Hashable, Sendable {
    public enum Outcome: String, Codable, Hashable, Sendable {
        case ok, failed
    }

    /// The sink with secrets redacted: safe to print and store.
    public var sink: String
    public var outcome: Outcome
    /// What happened: `HTTP 200`, `exit status 3; stderr: …`, `timed out after 10.0 s`, …
    public var detail: String
    public var attempts: Int
    public var durationMillis: Int64

    public init(sink: String, outcome: Outcome, detail: String, attempts: Int, durationMillis: Int64) {
        self.sink = sink
        self.outcome = outcome
        self.detail = detail
        self.attempts = attempts
        self.durationMillis = durationMillis
    }

    public var succeeded: Bool { outcome == .ok }
}

/// One entry of an alarm's history, as CloudWatch's `DescribeAlarmHistory` items: state updates
/// with their reasons, and action runs with their results.
public struct AlarmHistoryItem: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        case stateUpdate = "StateUpdate"
        case action = "Action"
        case configurationUpdate = "ConfigurationUpdate"
    }

    public var alarmName: String
    public var timestampMillis: Int64
    public var kind: Kind
    /// `Alarm updated from OK to ALARM`, `Successfully executed action webhook:…`, …
    public var summary: String
    public var oldState: AlarmState?
    public var newState: AlarmState?
    public var reason: String?
    /// The reason data as CloudWatch's JSON string.
    public var reasonData: String?
    public var actionResults: [ActionResult]

    public init(alarmName: String, timestampMillis: Int64, kind: Kind, summary: String, oldState: AlarmState? = nil,
                newState: AlarmState? = nil, reason: String? = nil, reasonData: String? = nil, actionResults: [ActionResult] = []) {
        self.alarmName = alarmName
        self.timestampMillis = timestampMillis
        self.kind = kind
        self.summary = summary
        self.oldState = oldState
        self.newState = newState
        self.reason = reason
        self.reasonData = reasonData
        self.actionResults = actionResults
    }

    /// The history entry for an evaluation's transition; nil when the state did not change.
    public static func stateUpdate(alarmName: String, evaluation e: AlarmEvaluation) -> AlarmHistoryItem? {
        guard e.transitioned else { return nil }
        var summary = "Alarm updated from \(e.previousState.rawValue) to \(e.newState.rawValue)"
        if e.notificationSuppressed { summary += " (notification held back by the notification policy)" }
        return AlarmHistoryItem(alarmName: alarmName, timestampMillis: e.evaluatedAtMillis, kind: .stateUpdate, summary: summary,
                                oldState: e.previousState, newState: e.newState, reason: e.reason,
                                reasonData: e.reasonData.jsonString())
    }

    /// The history entry for the actions run for one notification.
    public static func actions(alarmName: String, timestampMillis: Int64, change: StateChange, results: [ActionResult]) -> AlarmHistoryItem {
        let failed = results.filter { !$0.succeeded }.count
        let summary = results.isEmpty
            ? "No actions configured for \(change.oldState.rawValue) -> \(change.newState.rawValue)"
            : failed == 0
                ? "Successfully executed \(results.count) action\(results.count == 1 ? "" : "s") for \(change.oldState.rawValue) -> \(change.newState.rawValue)"
                : "Failed to execute \(failed) of \(results.count) action\(results.count == 1 ? "" : "s") for \(change.oldState.rawValue) -> \(change.newState.rawValue)"
        return AlarmHistoryItem(alarmName: alarmName, timestampMillis: timestampMillis, kind: .action, summary: summary,
                                oldState: change.oldState, newState: change.newState, actionResults: results)
    }
}
