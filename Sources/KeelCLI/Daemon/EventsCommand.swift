import ArgumentParser
import Foundation
import KeelAPI
import KeelLinux

/// `keel events`: what the daemon did and saw, from its memory, optionally as it happens.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show the daemon's recent events; with -f, follow them as they happen.",
        discussion: """
            Each event was appended to the audit ledger before it was reported. Lines show the \
            sequence number, the UTC time, the kind, the subject and the details. With --json, \
            one JSON object per line. -f streams until Ctrl-C. Exit status 1 when no daemon is \
            running.
            """
    )

    @OptionGroup var options: DaemonRootOptions

    @Flag(name: .shortAndLong, help: "Keep printing new events as they happen.")
    var follow = false

    @Flag(help: "Print one JSON object per event and line.")
    var json = false

    @Option(name: .customShort("n"), help: "How many recent events to print first (1 to 10000).")
    var count = 20

    func validate() throws {
        guard (1...10_000).contains(count) else { throw ValidationError("-n must be from 1 to 10000") }
    }

    func run() throws {
        let json = json
        let count = count
        let follow = follow
        try DaemonCall.run(options.paths) { client in
            let recent = try await client.events(limit: count)
            for event in recent { try Self.write(event, json: json) }
            guard follow else { return }
            let stream = try await client.followEvents(after: recent.last?.sequence ?? 0)
            for try await event in stream { try Self.write(event, json: json) }
        }
    }

    private static func write(_ event: DaemonEvent, json: Bool) throws {
        let line = json ? try JSONOutput.render(event, pretty: false) : EventLine.render(event)
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
