import Alarms
import Foundation

// Runs that change things: actions for transitions, history, persisted status. Shared by
// `alarms evaluate --fire` (replay a range from a fresh status) and `watch` (continue from the
// persisted status). Actions are delivered through a closure so this module does not depend on
// the sinks (AlarmActions); the CLI passes `ActionDispatcher.deliver`.

/// Delivers one payload to sink strings; never throws (failures are results).
public typealias AlarmDeliver = (AlarmNotification, [String]) -> [ActionResult]

public struct AlarmRunOptions {
    /// Sinks added to every alarm for this run (`--action`).
    public var extraSinks: [String] = []
    public var accountId: String?
    public var region: String?
    /// How many values per contributor group a notification carries.
    public var contributorsTop = 3
    public var deliver: AlarmDeliver

    public init(deliver: @escaping AlarmDeliver) { self.deliver = deliver }
}

/// One notification delivered (or, when the alarm has no sinks, only recorded).
public struct AlarmDelivery: Sendable, Equatable {
    public var notification: AlarmNotification
    public var results: [ActionResult]
}

/// What a run did for one concrete series.
public struct AlarmRunResult: Sendable, Equatable {
    public var definition: AlarmDefinition
    /// Evaluations that changed the state or announced something, in time order.
    public var changes: [AlarmEvaluation]
    public var deliveries: [AlarmDelivery]
    /// Announcements deliberately not delivered (see `isQuietStart`).
    public var quietStarts: Int
    public var evaluations: Int
    public var finalStatus: AlarmStatus
    public var fromMillis: Int64
    public var toMillis: Int64
}

extension TrailStore {
    /// Live evaluation (`watch`): every concrete series of the alarm continues from its persisted
    /// status, evaluating at each period end after its last evaluation up to `until` (default: the
    /// end of the newest complete period). Transitions are recorded, announced ones delivered,
    /// and the status persisted after each, so a restart neither repeats nor loses a notification
    /// (a crash between delivering and persisting can repeat that one; delivery is at least once).
    /// A never-evaluated series starts at the period holding the oldest stored event.
    public func runAlarm(named name: String, until: Int64? = nil, options: AlarmRunOptions, nowMillis: Int64) throws -> [AlarmRunResult] {
        let stored = try storedAlarm(named: name)
        var results: [AlarmRunResult] = []
        for concrete in try alarmSeries(of: stored.definition) {
            let status = stored.definition.isTemplate ? try seriesAlarm(concrete, nowMillis: nowMillis).status : stored.status
            let period = concrete.periodMillis
            guard let to = try until.map({ Self.alignDown($0, period) }) ?? completePeriodEnd(periodMillis: period),
                  let from = try status.lastEvaluationMillis ?? oldestEventMillis().map({ Self.alignDown($0, period) }),
                  to > from
            else { continue }
            results.append(try replay(concrete, from: from, to: to, initialStatus: status, options: options, nowMillis: nowMillis))
        }
        if stored.definition.isTemplate { try updateTemplateStatus(stored, nowMillis: nowMillis) }
        return results
    }

    /// `alarms evaluate --fire`: replays each concrete series from a fresh status over
    /// (from, to] (defaults as `backtestAlarm`), delivers the announcements, records history and
    /// persists the final status, so a later `watch` continues after `to`.
    public func fireAlarm(named name: String, from: Int64? = nil, to: Int64? = nil, options: AlarmRunOptions, nowMillis: Int64) throws -> [AlarmRunResult] {
        let stored = try storedAlarm(named: name)
        var results: [AlarmRunResult] = []
        for concrete in try alarmSeries(of: stored.definition) {
            if stored.definition.isTemplate { _ = try seriesAlarm(concrete, nowMillis: nowMillis) }
            let period = concrete.periodMillis
            guard let f = try from ?? oldestEventMillis().map({ Self.alignDown($0, period) }),
                  let t = try to ?? completePeriodEnd(periodMillis: period), t > f
            else { continue }
            results.append(try replay(concrete, from: f, to: t, initialStatus: AlarmStatus(), options: options, nowMillis: nowMillis))
        }
        if stored.definition.isTemplate { try updateTemplateStatus(stored, nowMillis: nowMillis) }
        return results
    }

    /// A new alarm's first settling into OK is not news: CloudWatch would run OK actions for it,
    /// but our alarms have one action list for every state, and a pack of 15 alarms would
    /// otherwise announce 15 "OK"s on its first evaluation. So a move from INSUFFICIENT_DATA to
    /// OK is recorded but not delivered while the alarm has never announced ALARM.
    public static func isQuietStart(_ change: StateChange, status: AlarmStatus) -> Bool {
        change.oldState == .insufficientData && change.newState == .ok && status.lastAlarmNotificationMillis == nil
    }

    func replay(_ definition: AlarmDefinition, from: Int64, to: Int64, initialStatus: AlarmStatus, options: AlarmRunOptions,
                nowMillis: Int64) throws -> AlarmRunResult {
        let points = try alarmDatapoints(for: definition, range: evaluationWindow(definition, from: from, to: to))
        let timeline = AlarmFastReplay.run(definition: try evaluated(definition), points: points, from: from, to: to, initialStatus: initialStatus)
        var result = AlarmRunResult(definition: definition, changes: timeline.changes, deliveries: [], quietStarts: 0,
                                    evaluations: timeline.evaluations, finalStatus: timeline.finalStatus, fromMillis: from, toMillis: to)
        let sinks = definition.actionsEnabled ? definition.actions + options.extraSinks : []
        for e in timeline.changes {
            var items: [AlarmHistoryItem] = []
            if let item = AlarmHistoryItem.stateUpdate(alarmName: definition.name, evaluation: e) { items.append(item) }
            if let change = e.notification {
                if Self.isQuietStart(change, status: e.status) {
                    result.quietStarts += 1
                } else if !sinks.isEmpty {
                    let contributors = change.newState == .alarm
                        ? try alarmContributors(for: definition, evaluatedAt: e.evaluatedAtMillis, datapoints: points, top: options.contributorsTop)
                        : nil
                    let payload = AlarmNotification(definition: definition, change: change, accountId: options.accountId,
                                                    region: options.region, contributors: contributors)
                    let delivered = options.deliver(payload, sinks)
                    result.deliveries.append(AlarmDelivery(notification: payload, results: delivered))
                    items.append(AlarmHistoryItem.actions(alarmName: definition.name, timestampMillis: e.evaluatedAtMillis,
                                                          change: change, results: delivered))
                }
            }
            // History and the status after this evaluation together: a restart resumes after
            // the last announced change, never before it.
            try connection.transaction {
                for item in items { try appendAlarmHistory(item) }
                try setAlarmStatus(name: definition.name, status: e.status, nowMillis: nowMillis)
            }
        }
        try setAlarmStatus(name: definition.name, status: timeline.finalStatus, nowMillis: nowMillis)
        return result
    }

    // MARK: Template series

    /// The stored row of a template's series, created (fresh status) or brought up to date with
    /// the template's definition.
    func seriesAlarm(_ concrete: AlarmDefinition, nowMillis: Int64) throws -> StoredAlarm {
        if let existing = try alarm(named: concrete.name) {
            if existing.definition != concrete { try putAlarm(concrete, nowMillis: nowMillis) }
            return try alarm(named: concrete.name) ?? existing
        }
        try putAlarm(concrete, nowMillis: nowMillis)
        guard let created = try alarm(named: concrete.name) else { throw AlarmRunnerError.unknownAlarm(concrete.name, near: []) }
        return created
    }

    /// The stored series rows of a template (`NAME[…]`).
    public func seriesAlarms(of template: String) throws -> [StoredAlarm] {
        try alarms().filter { $0.definition.name.hasPrefix(template + "[") && $0.definition.name.hasSuffix("]") }
    }

    /// Whether a stored alarm is the series of a stored template (hidden from plain listings).
    public func isSeriesAlarm(_ name: String, templates: Set<String>) -> Bool {
        guard let bracket = name.firstIndex(of: "["), name.hasSuffix("]") else { return false }
        return templates.contains(String(name[..<bracket]))
    }

    /// Deletes an alarm, and for a template its series, with their history.
    @discardableResult
    public func deleteAlarmAndSeries(named name: String) throws -> Int {
        var deleted = 0
        if let a = try alarm(named: name), a.definition.isTemplate {
            for s in try seriesAlarms(of: name) where try deleteAlarm(named: s.definition.name) { deleted += 1 }
        }
        if try deleteAlarm(named: name) { deleted += 1 }
        return deleted
    }

    /// A template's state summarises its series: ALARM when any is in ALARM, else OK when any is
    /// OK, else INSUFFICIENT_DATA. The series announce; the template only records.
    func updateTemplateStatus(_ template: StoredAlarm, nowMillis: Int64) throws {
        let series = try seriesAlarms(of: template.definition.name)
        let inAlarm = series.filter { $0.status.state == .alarm }.map(\.definition.name)
        let ok = series.filter { $0.status.state == .ok }.count
        let state: AlarmState = !inAlarm.isEmpty ? .alarm : ok > 0 ? .ok : .insufficientData
        var status = template.status
        let lastEvaluation = series.compactMap(\.status.lastEvaluationMillis).max()
        let names = inAlarm.prefix(5).joined(separator: ", ") + (inAlarm.count > 5 ? ", …" : "")
        let reason = "\(series.count) series: \(inAlarm.count) in ALARM\(inAlarm.isEmpty ? "" : " (\(names))"), \(ok) OK, "
            + "\(series.count - inAlarm.count - ok) INSUFFICIENT_DATA"
        if state != status.state {
            let at = lastEvaluation ?? nowMillis
            try appendAlarmHistory(AlarmHistoryItem(alarmName: template.definition.name, timestampMillis: at, kind: .stateUpdate,
                                                    summary: "Alarm updated from \(status.state.rawValue) to \(state.rawValue)",
                                                    oldState: status.state, newState: state, reason: reason))
            status.state = state
            status.notifiedState = state
            status.stateUpdatedMillis = at
        }
        status.stateReason = reason
        status.lastEvaluationMillis = lastEvaluation
        try setAlarmStatus(name: template.definition.name, status: status, nowMillis: nowMillis)
    }
}
