import Foundation
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A process whose stdout a test reads as it comes (stderr discarded); terminated and reaped by
/// `stop()`.
public final class OutputProcess: @unchecked Sendable {
    private let process = Process()
    /// Opened as soon as the process runs: `terminate` goes through it, so it never reaches a
    /// process that reused the pid (Foundation signals by pid, and its idea of "running" is
    /// wrong once another part of the test process has reaped the child).
    private var pidfd: FileDescriptor?
    private let output = Pipe()
    private var received: [UInt8] = []

    /// Starts `path` with `arguments`.
    public init(_ path: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        pidfd = try? ProcessTree.openPidfd(process.processIdentifier)
    }

    /// Everything read from stdout so far.
    public var outputSoFar: String { String(decoding: received, as: UTF8.self) }

    /// Reads stdout until it holds `text` (true), or until the process closes it or stays silent
    /// for `seconds` (false: a watchdog, so a test fails instead of hanging).
    public func waitForOutput(containing text: String, seconds: Int32 = 30) -> Bool {
        let fd = output.fileHandleForReading.fileDescriptor
        while !outputSoFar.contains(text) {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, seconds * 1000) <= 0 { return false }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return false }
            received += chunk
        }
        return true
    }

    /// Terminates the process if it still runs and waits for it.
    public func stop() {
        if process.isRunning {
            if let pidfd { _ = try? ProcessControl.signal(pidfd: pidfd, SIGTERM) } else { process.terminate() }
        }
        process.waitUntilExit()
        if let pidfd { FileSystem.close(pidfd) }
    }
}
