import InsightsQuery
import Testing

/// The planner on hand-built queries (the differential test in EventStoreTests checks that what
/// it pushes gives the evaluator's answers).
@Suite struct QueryPlannerTests {
    let promoted: Set<String> = ["eventName", "errorCode", "sourceIPAddress", "userIdentity.arn", "awsRegion"]

    func field(_ name: String) -> Expr { .field(FieldRef(name)) }
    func text(_ s: String) -> Expr { .literal(.string(s)) }
    func query(_ commands: Command...) -> Query {
        Query(text: "", commands: commands.map { CommandNode($0, at: SourceLocation(line: 1, column: 1)) })
    }

    @Test func equalityOnPromotedFieldIsPushedAndCountStatsGoToSQL() {
        let q = query(.filter(.binary(.equal, field("eventName"), text("StopInstances"))),
                      .stats(Stats(aggregations: [Projection(expr: .call("count", [.star]), name: "count(*)")],
                                   groups: [Projection(expr: .call("bin", [.period(TimePeriod(5, .minute))]), name: "bin(5m)")])))
        let plan = QueryPlanner.plan(q, promotedFields: promoted)
        #expect(plan.predicate == .equals(field: "eventName", value: "StopInstances"))
        #expect(plan.filtersFullyPushed)
        #expect(plan.stats == PushdownStats(commandIndex: 1, groups: [.bin(millis: 300_000, name: "bin(5m)")],
                                             aggregations: [.countAll(name: "count(*)")]))
    }

    @Test func orOfEqualitiesBecomesOneInList() {
        let q = query(.filter(.binary(.and,
            .binary(.or, .binary(.equal, field("eventName"), text("StartInstances")), .binary(.equal, field("eventName"), text("StopInstances"))),
            .binary(.equal, field("awsRegion"), text("us-east-2")))))
        let plan = QueryPlanner.plan(q, promotedFields: promoted)
        #expect(plan.predicate == .and([.oneOf(field: "eventName", values: ["StartInstances", "StopInstances"]),
                                        .equals(field: "awsRegion", value: "us-east-2")]))
        #expect(plan.needsRecordJSON, "no fields/display: the output is @message")
    }

    @Test func partiallyPushableConjunctionKeepsTheRestForSwift() {
        let deep = Expr.binary(.equal, field("responseElements.ConsoleLogin"), text("Failure"))
        let q = query(.filter(.binary(.and, .binary(.equal, field("eventName"), text("ConsoleLogin")), deep)),
                      .fields([Projection(expr: field("@timestamp"), name: "@timestamp"), Projection(expr: field("sourceIPAddress"), name: "sourceIPAddress")]))
        let plan = QueryPlanner.plan(q, promotedFields: promoted)
        // The deep field cannot be a column condition, but the record must mention "Failure".
        #expect(plan.predicate == .and([.equals(field: "eventName", value: "ConsoleLogin"), .recordMentions("Failure")]))
        #expect(!plan.filtersFullyPushed)
        #expect(plan.stats == nil)
        #expect(plan.needsRecordJSON, "responseElements.ConsoleLogin lives only in the record JSON")
    }

    @Test func numericLookingLiteralsAndNonPromotedFieldsAreNotPushed() {
        // "200" compares numerically with a numeric field in the evaluator; SQL text equality would not.
        let q = query(.filter(.binary(.equal, field("errorCode"), text("200"))),
                      .filter(.binary(.or, .binary(.equal, field("eventName"), text("A")), .binary(.equal, field("other"), text("B")))))
        let plan = QueryPlanner.plan(q, promotedFields: promoted)
        #expect(plan.predicate == nil)
        #expect(!plan.filtersFullyPushed)
    }

    @Test func onlyLeadingFiltersArePushed() {
        // After `fields … as eventName`, the name no longer means the stored column.
        let q = query(.fields([Projection(expr: field("errorCode"), alias: "eventName", name: "eventName")]),
                      .filter(.binary(.equal, field("eventName"), text("X"))))
        #expect(QueryPlanner.plan(q, promotedFields: promoted).predicate == nil)
    }

    @Test func statsWithOtherAggregationsOrComputedGroupsStayInSwift() {
        let sumStats = query(.stats(Stats(aggregations: [Projection(expr: .call("sum", [field("x")]), name: "sum(x)")],
                                          groups: [Projection(expr: field("eventName"), name: "eventName")])))
        #expect(QueryPlanner.plan(sumStats, promotedFields: promoted).stats == nil)
        let monthly = query(.stats(Stats(aggregations: [Projection(expr: .call("count", []), name: "count()")],
                                         groups: [Projection(expr: .call("bin", [.period(TimePeriod(1, .month))]), name: "bin(1mo)")])))
        #expect(QueryPlanner.plan(monthly, promotedFields: promoted).stats == nil, "calendar months are not fixed-length buckets")
        let presence = query(.filter(.call("ispresent", [field("errorCode")])),
                             .stats(Stats(aggregations: [Projection(expr: .call("count", [.star]), alias: "n", name: "n")],
                                          groups: [Projection(expr: field("eventName"), name: "eventName")])))
        let plan = QueryPlanner.plan(presence, promotedFields: promoted)
        #expect(plan.predicate == .present(field: "errorCode"))
        #expect(plan.stats?.groups == [.field("eventName", name: "eventName")])
        #expect(!plan.needsRecordJSON)
    }

    @Test func binCapsFollowTheSpec() {
        #expect(TimePeriod(300, .second).fixedBinMillis == 60_000)
        #expect(TimePeriod(90, .minute).fixedBinMillis == 3_600_000)
        #expect(TimePeriod(48, .hour).fixedBinMillis == 86_400_000)
        #expect(TimePeriod(2000, .millisecond).fixedBinMillis == 1000)
        #expect(TimePeriod(2, .day).fixedBinMillis == 172_800_000)
        #expect(TimePeriod(1, .quarter).fixedBinMillis == nil)
    }

    @Test func recordMentionsOnlyForTextThatJSONWritesVerbatim() {
        func mention(_ value: String, field: String = "requestParameters.bucketName") -> PushdownPredicate? {
            QueryPlanner.plan(query(.filter(.binary(.equal, self.field(field), text(value)))), promotedFields: promoted).predicate
        }
        #expect(mention("i-0abc") == .recordMentions("i-0abc"))
        #expect(mention("arn:aws:s3:::b") == .recordMentions("arn:aws:s3:::b"))
        #expect(mention("a/b") == nil, "JSON may write / as \\/")
        #expect(mention("true", field: "readOnly") == nil, "booleans are unquoted in JSON")
        #expect(mention("12") == nil, "numbers compare numerically")
        #expect(mention("x", field: "@message") == nil)
        let notEqual = QueryPlanner.plan(query(.filter(.binary(.notEqual, field("requestParameters.bucketName"), text("b")))), promotedFields: promoted)
        #expect(notEqual.predicate == nil)
    }
}
