import ArgumentParser
import Foundation
import KeelAPI

/// `keel status`: the running daemon's generation, probation and agents.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the daemon's generation, its probation, and each agent's state.",
        discussion: """
            Asks the running daemon (ROOT/run/keel.sock). Exit status 1 when no daemon is running.
            """
    )

    @OptionGroup var options: DaemonRootOptions

    @Flag(help: "Print the status as JSON (the body of GET /v1/status).")
    var json = false

    func run() throws {
        let status = try DaemonCall.run(options.paths) { try await $0.status() }
        if json {
            print(try JSONOutput.render(status))
        } else {
            let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
            print(StatusView.render(status, nowMs: nowMs), terminator: "")
        }
    }
}
