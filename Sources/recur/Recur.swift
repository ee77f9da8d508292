import ArgumentParser
import RecurCore

/// The `recur` command. Subcommands arrive with their issues: `serve`, `migrate`,
/// `bill`, `bench`.
@main
struct Recur: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recur",
        abstract: "Recur — self-hosted subscription commerce and billing.",
        discussion: "The pricing and subscription core is in place; `recur serve` comes with the HTTP API.",
        version: RecurCore.version
    )

    mutating func run() throws {
        print("recur \(RecurCore.version)")
        print(Recur.helpMessage())
    }
}
