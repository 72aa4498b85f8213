import WinbackReports
import ArgumentParser
import Foundation
import WinbackCore
import WinbackStore

/// `winback client ID`: one client's whole story, in words a sales head reads.
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Tell one client's story: classes, rhythm, status history, every criterion that fired.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The client's id, as in the sales files.", valueName: "id"))
    var clientID: String

    @Option(help: "Output format: text or json.")
    var format: StoryFormat = .text

    enum StoryFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() throws {
        let (config, database) = try global.open()
        guard let (key, summary) = try database.clientSummary(clientID) else {
            throw CommandFailure(reason: "no client \(quotedForMessage(clientID))")
        }
        let changes = try database.statusChanges(client: key)
        var facts: ClientFacts?
        if let state = summary.state {
            let history = try database.history(client: key, clientID: clientID, asOf: state.asOf)
            facts = ClientFacts(history: history, asOf: state.asOf, settings: config.churn)
        }
        switch format {
        case .text:
            print(ClientStory.text(summary, facts: facts, changes: changes, horizon: config.churn.pAlive.horizonDays))
        case .json: print(ClientStory.json(summary, facts: facts, changes: changes), terminator: "")
        }
    }
}

/// A value in an error message: quoted, control characters escaped.
func quotedForMessage(_ text: String) -> String {
    "\"" + escapeControls(text) + "\""
}
