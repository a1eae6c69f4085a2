import ArgumentParser

/// `trailwatch models score --csv IN --out OUT` (issue 5; being written).
struct ModelsScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "Score any series from a CSV file (being written).")
    func run() throws { throw CLIError("models score is not built yet") }
}
