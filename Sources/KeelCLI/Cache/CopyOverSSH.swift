import Foundation
import KeelCache
import KeelLinux
import KeelStore

/// `keel copy --to ssh://…` and `--from ssh://…`: closures between this store and another Keel
/// host's, through the system's ssh and `keel store serve --stdio` on the far side.
enum CopyOverSSH {
    /// Copies the closure of the selection to the host `url` names.
    static func push(_ command: CopyCommand, to url: String) throws {
        let destination = try parse(url)
        let local = try command.store.open()
        let collectionLock = try storeOperation { try local.lockAgainstCollection() }
        defer { withExtendedLifetime(collectionLock) {} }
        let roots = try command.selection.roots(in: local)
        let progress = TransferProgressLine(enabled: !command.json && isatty(STDERR_FILENO) == 1, verb: "sent")
        let report = try session(command, destination, local: local, progress: progress) { client throws(CacheError) in
            try RemoteStoreCopy.push(roots, from: local, to: client, progress: { progress.report(bytes: $0, of: $1) })
        }
        try show(SSHCopySummary(report, direction: "to", host: destination, in: local), json: command.json)
    }

    /// Copies the closures of the selection's paths from the host `url` names.
    static func pull(_ command: CopyCommand, from url: String) throws {
        let source = try parse(url)
        let local = try command.store.open()
        let roots = try command.selection.roots(in: local)
        let progress = TransferProgressLine(enabled: !command.json && isatty(STDERR_FILENO) == 1, verb: "received")
        let report = try session(command, source, local: local, progress: progress) { client throws(CacheError) in
            try RemoteStoreCopy.pull(roots, from: client, into: local, progress: { progress.report(bytes: $0, of: $1) })
        }
        try show(SSHCopySummary(report, direction: "from", host: source, in: local), json: command.json)
    }

    private static func parse(_ url: String) throws -> SSHDestination {
        do { return try SSHDestination(url) } catch { throw CLIError(error.description, status: .usage) }
    }

    /// Runs `body` with a client talking to `keel store serve --stdio` on `destination`, then
    /// ends the session; any failure becomes one line naming the host.
    private static func session(
        _ command: CopyCommand, _ destination: SSHDestination, local: LocalStore, progress: TransferProgressLine,
        _ body: (RemoteStoreClient) throws(CacheError) -> RemoteCopyReport
    ) throws -> RemoteCopyReport {
        // A peer that goes away must fail a write (EPIPE), not end this process.
        SignalDisposition.ignore(SIGPIPE)
        let remoteCommand = SSHCommandLine.serveCommand(
            keel: command.remoteKeel, root: command.remoteRoot, storeDirectory: command.remoteStoreDir)
        let ssh = try SSHSession(destination, remoteCommand: remoteCommand)
        let report: RemoteCopyReport
        do throws(CacheError) {
            let client = try RemoteStoreClient(
                input: ssh.fromRemote, output: ssh.toRemote, peer: destination.description,
                expectedStoreDirectory: local.layout.storeDirectory)
            report = try body(client)
            try client.quit()
        } catch {
            progress.clear()
            let broken = error.code == .unreachable
            let termination = ssh.abandon(connectionBroken: broken)
            throw CLIError(failureLine(error, destination, termination: broken ? termination : nil))
        }
        progress.clear()
        let termination = try ssh.finish()
        guard termination == .exited(0) else {
            throw CLIError("the copy \(direction(command)) \(destination) finished, but ssh ended with \(termination)")
        }
        return report
    }

    private static func direction(_ command: CopyCommand) -> String { command.to != nil ? "to" : "from" }

    /// One line for a failed session: ssh's end says more than a closed pipe does.
    private static func failureLine(
        _ error: CacheError, _ destination: SSHDestination, termination: Termination?
    ) -> String {
        switch termination {
        case .exited(255):
            return "cannot reach \(destination): ssh exited with status 255 (its message is above)"
        case .exited(127):
            return "\(destination) could not run keel store serve (status 127: give --remote-keel PATH)"
        case .some(let termination) where termination != .exited(0):
            return "\(error.message) (ssh ended with \(termination))"
        default:
            return error.message
        }
    }

    private static func show(_ summary: SSHCopySummary, json: Bool) throws {
        print(json ? try JSONOutput.render(summary) : summary.line)
    }
}
