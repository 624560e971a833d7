import Foundation
import KeelLinux
import SystemPackage

/// A keel process started in the background, whose stderr a test reads as it comes; it is
/// terminated and reaped when dropped.
public final class BackgroundKeel {
    private let process = Process()
    /// Opened as soon as the process runs: `terminate` goes through it, so it never reaches a
    /// process that reused the pid (Foundation signals by pid, and its idea of "running" is
    /// wrong once another part of the test process has reaped the child).
    private var pidfd: FileDescriptor?
    private let outputPipe = Pipe()
    private let errorPipe = Pipe()
    private var errorSoFar: [UInt8] = []

    /// Starts keel with `arguments`.
    public init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments = arguments
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        pidfd = try? ProcessTree.openPidfd(process.processIdentifier)
    }

    deinit {
        if process.isRunning {
            if let pidfd { _ = try? ProcessControl.signal(pidfd: pidfd, SIGTERM) } else { process.terminate() }
        }
        process.waitUntilExit()
        if let pidfd { FileSystem.close(pidfd) }
    }

    /// Whether the process has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// Reads stderr until it holds `text` (true), or until the process closes it or stays silent
    /// for `seconds` without having said it (false, so a test fails instead of hanging).
    public func waitForStandardError(containing text: String, seconds: Int32 = 120) -> Bool {
        let fd = errorPipe.fileHandleForReading.fileDescriptor
        while !String(decoding: errorSoFar, as: UTF8.self).contains(text) {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, seconds * 1000) <= 0 { return false }
            let chunk = errorPipe.fileHandleForReading.availableData
            if chunk.isEmpty { return false }
            errorSoFar += chunk
        }
        return true
    }

    /// Waits for the process to exit and returns its status and everything it wrote.
    public func finish() -> ProcessResult {
        let output = outputPipe.fileHandleForReading.readDataToEndOfFile()
        errorSoFar += errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, standardOutput: Array(output), standardError: errorSoFar)
    }
}
