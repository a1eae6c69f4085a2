import ArgumentParser

/// `trailwatch models …`: trained baselines (issue 5). Subcommands are being added.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Baseline models: train, inspect, band, score, export and import.",
        subcommands: [ModelsScoreCommand.self])
}
