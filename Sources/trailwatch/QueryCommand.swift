import ArgumentParser

/// `trailwatch query 'QUERY'` (issue 4; being written).
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Run a Logs Insights query (being written).")
    func run() throws { throw CLIError("query is not built yet") }
}
