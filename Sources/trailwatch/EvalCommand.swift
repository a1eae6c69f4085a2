import ArgumentParser

/// `trailwatch eval --trail DIR --labels labels.json` (issue 5; being written).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate detection against labelled incidents (being written).")
    func run() throws { throw CLIError("eval is not built yet") }
}
