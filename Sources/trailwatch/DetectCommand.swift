import ArgumentParser

/// `trailwatch detect` (issue 5; being written).
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detect", abstract: "Rank anomalies across all models (being written).")
    func run() throws { throw CLIError("detect is not built yet") }
}
