import Foundation
import KeelLinux
import KeelSandbox
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A keel child process of the demo (the running binary with other arguments), in a session of
/// its own: a Ctrl-C at the terminal reaches only the demo, which then stops its children in
/// order. Its output comes through one pipe.
final class DemoChild: Sendable {
    /// Which of the child's streams go into the pipe.
    enum Capture {
        /// stdout and stderr, interleaved as written.
        case outputAndErrors
        /// stderr only (stdout goes to /dev/null).
        case errorsOnly
    }

    /// The command, for messages: `keel switch`, `keel daemon`...
    let title: String
    private let process: SandboxedProcess
    private let output: FileDescriptor

    private init(title: String, process: SandboxedProcess, output: FileDescriptor) {
        self.title = title
        self.process = process
        self.output = output
    }

    /// Starts `binary` with `arguments` in `directory`, with this process's environment less the
    /// service manager's notify variables (the demo's daemon is not the host's).
    static func start(
        binary: String, arguments: [String], directory: String, capture: Capture
    ) throws -> DemoChild {
        let title = "keel " + (arguments.first ?? "")
        let pipe: PipeEnds
        do throws(SystemError) { pipe = try PipeEnds() } catch { throw CLIError("cannot start \(title): \(error)") }
        var environment = ProcessInfo.processInfo.environment
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { environment[name] = nil }
        let process: SandboxedProcess
        do throws(SandboxError) {
            process = try Sandbox.spawnOnHost(
                executable: binary, arguments: arguments, environment: environment, workingDirectory: directory,
                standardOutput: capture == .outputAndErrors ? pipe.writing : nil, standardError: pipe.writing)
        } catch {
            FileSystem.close(FileDescriptor(rawValue: pipe.reading))
            FileSystem.close(FileDescriptor(rawValue: pipe.writing))
            throw CLIError("cannot start \(title) (\(binary)): \(error)")
        }
        FileSystem.close(FileDescriptor(rawValue: pipe.writing))
        return DemoChild(title: title, process: process, output: FileDescriptor(rawValue: pipe.reading))
    }

    /// Calls `each` with every line of its output (without the newline, a last unfinished line
    /// included) until the pipe ends (blocking), then closes the pipe. Call once.
    func readLines(_ each: (String) -> Void) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in try SystemCall.read(output.rawValue, into: buffer) }
            }
            guard case .success(let count) = read, count > 0 else { break }
            pending.append(contentsOf: chunk[..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                each(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeFirst(newline + 1)
            }
        }
        if !pending.isEmpty { each(String(decoding: pending, as: UTF8.self)) }
        FileSystem.close(output)
    }

    /// Sends `signal` to it (nothing once it has been reaped).
    func send(_ signal: Int32) {
        _ = try? process.signal(signal)
    }

    /// Blocks until it ends and reaps it; nil if it cannot be waited for.
    func wait() -> Termination? {
        try? process.wait()
    }

    /// SIGTERM, the polite request to stop.
    static let terminate = SIGTERM
    /// SIGKILL, for a child that outstays its time.
    static let kill = SIGKILL
}
