import ArgumentParser

@main
struct Trailwatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trailwatch",
        abstract: "Offline CloudTrail analytics: ingest trails, metric filters, baselines, alarms and Insights queries.",
        subcommands: [
            IngestCommand.self, EventsCommand.self, VerifyCommand.self, FiltersCommand.self, MetricsCommand.self,
            ApplyCommand.self, QueryCommand.self, ModelsCommand.self, DetectCommand.self, EvalCommand.self, AlarmsCommand.self, WatchCommand.self, ReportCommand.self, DemoCommand.self,
            GenerateCommand.self, BenchCommand.self,
        ]
    )
}
