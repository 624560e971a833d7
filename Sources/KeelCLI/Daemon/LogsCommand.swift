import ArgumentParser
import Foundation
import KeelAPI
import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// `keel logs AGENT`: an agent's output, read from its log directory (no daemon needed).
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print an agent's last log lines; with -f, follow its log as it grows.",
        discussion: """
            Reads ROOT/logs/AGENT/current directly, and the rotated files current.N before it \
            when -n asks for more lines than current holds; works whether or not the daemon \
            runs. -f keeps printing what is appended, across rotations, until Ctrl-C.
            """
    )

    @OptionGroup var options: DaemonRootOptions

    @Flag(name: .shortAndLong, help: "Keep printing lines as they are appended.")
    var follow = false

    @Option(name: .customShort("n"), help: "How many lines to print first (0 to 1000000).")
    var lines = 100

    @Argument(help: "The agent's name in keel.toml.")
    var agent: String

    /// The most bytes the first lines are read from.
    private static let byteLimit = 64 << 20

    func validate() throws {
        guard (0...1_000_000).contains(lines) else { throw ValidationError("-n must be from 0 to 1000000") }
    }

    func run() throws {
        let name = try DaemonCall.checkedAgent(agent)
        let directory = options.paths.logDirectory(agent: name)
        do {
            // Watch before reading, so that nothing appended in between is missed.
            let follower = follow ? try LogFollower(directory: directory) : nil
            if lines > 0 {
                let tail = try AgentLogTail.lastLines(in: directory, count: lines, byteLimit: Self.byteLimit)
                FileHandle.standardOutput.write(Data(tail))
            }
            try follower?.run { FileHandle.standardOutput.write(Data($0)) }
        } catch  where error.errno == ENOENT && error.path == directory {
            throw CLIError("no logs for agent '\(name)': \(directory) does not exist")
        } catch {
            throw CLIError("cannot read the logs of '\(name)': \(error)")
        }
    }
}
