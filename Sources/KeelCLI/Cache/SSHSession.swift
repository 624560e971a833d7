import Foundation
import KeelCache
import KeelLinux
import KeelSandbox
import SystemPackage

/// The system's `ssh` running a command on a host, its stdin and stdout on pipes held here and
/// its stderr on ours (so its own messages, authentication errors included, reach the user).
///
/// ssh runs in a session of its own (as every process Keel starts): it cannot prompt on the
/// terminal, so keys, the agent or `SSH_ASKPASS` must authenticate it.
final class SSHSession {
    /// Where ssh connects.
    let destination: SSHDestination
    /// The pipe to ssh's stdin: the far command's input.
    let toRemote: FileDescriptor
    /// The pipe from ssh's stdout: the far command's output.
    let fromRemote: FileDescriptor
    private let process: SandboxedProcess
    private var closed = false

    /// Starts `ssh` (found on PATH) with `KEEL_SSHOPTS` to run `remoteCommand` on `destination`.
    init(_ destination: SSHDestination, remoteCommand: [String]) throws {
        self.destination = destination
        let environment = ProcessInfo.processInfo.environment
        let executable = try Self.findSSH(in: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        let arguments = SSHCommandLine.arguments(
            to: destination, extraOptions: environment["KEEL_SSHOPTS"], remoteCommand: remoteCommand)
        let input = try PipeEnds()
        let output: PipeEnds
        do { output = try PipeEnds() } catch {
            FileSystem.close(FileDescriptor(rawValue: input.reading))
            FileSystem.close(FileDescriptor(rawValue: input.writing))
            throw error
        }
        defer {
            FileSystem.close(FileDescriptor(rawValue: input.reading))
            FileSystem.close(FileDescriptor(rawValue: output.writing))
        }
        do {
            process = try Sandbox.spawnOnHost(
                executable: executable, arguments: arguments, environment: environment,
                workingDirectory: FileManager.default.currentDirectoryPath, standardInput: input.reading,
                standardOutput: output.writing, standardError: STDERR_FILENO)
        } catch {
            FileSystem.close(FileDescriptor(rawValue: input.writing))
            FileSystem.close(FileDescriptor(rawValue: output.reading))
            throw CLIError("cannot start \(executable): \(error)")
        }
        toRemote = FileDescriptor(rawValue: input.writing)
        fromRemote = FileDescriptor(rawValue: output.reading)
    }

    /// The first `ssh` on `path` (a `PATH` value).
    private static func findSSH(in path: String) throws -> String {
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/ssh"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CLIError("cannot find ssh on PATH: keel copy over SSH runs the system's OpenSSH client")
    }

    private func closePipes() {
        guard !closed else { return }
        closed = true
        FileSystem.close(toRemote)
        FileSystem.close(fromRemote)
    }

    /// Closes the pipes and waits for ssh, which ends once the far command has.
    func finish() throws -> Termination {
        closePipes()
        do { return try process.wait() } catch { throw CLIError("cannot wait for ssh: \(error)") }
    }

    /// Closes the pipes and, unless the connection is already broken (ssh ending by itself),
    /// stops ssh with SIGTERM through its pidfd; then waits for it.
    func abandon(connectionBroken: Bool) -> Termination? {
        closePipes()
        if !connectionBroken { _ = try? process.signal(ProcessControl.terminateSignal) }
        return try? process.wait()
    }
}
