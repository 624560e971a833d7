import Foundation
import KeelLinux
import KeelTesting
import SystemPackage

/// A `keel test-agent` started in the background with an environment of the test's choosing,
/// whose stdout the test reads as it comes. Signalled through a pidfd (never a reused pid);
/// SIGKILLed and reaped when dropped.
final class TestAgentProcess {
    private let process = Process()
    private let outputPipe = Pipe()
    private let errorPipe = Pipe()
    private var outputSoFar: [UInt8] = []
    private var outputClosed = false
    /// A pidfd for the agent, opened right after it started.
    private let pidfd: FileDescriptor?

    /// The agent's pid.
    var pid: Int32 { process.processIdentifier }

    /// Starts `keel test-agent ARGUMENTS` with this process's environment, minus the notify
    /// protocol's variables, plus `environment`.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        var inherited = ProcessInfo.processInfo.environment
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { inherited[name] = nil }
        process.executableURL = URL(fileURLWithPath: KeelBinary.path)
        process.arguments = ["test-agent"] + arguments
        process.environment = inherited.merging(environment) { $1 }
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        pidfd = try ProcessTree.openPidfd(process.processIdentifier)
    }

    deinit {
        if let pidfd {
            _ = try? ProcessControl.signal(pidfd: pidfd, ProcessControl.killSignal)
            FileSystem.close(pidfd)
        }
        process.waitUntilExit()
    }

    /// Everything the agent (and its descendants sharing its stdout) printed so far.
    var output: String { String(decoding: outputSoFar, as: UTF8.self) }

    /// Reads stdout until it holds `text` (true), or until it ends or stays silent for
    /// `seconds` without it (false: the test fails instead of hanging).
    func waitForOutput(containing text: String, seconds: Int32 = 60) -> Bool {
        while !output.contains(text) {
            guard readMore(seconds: seconds) else { return false }
        }
        return true
    }

    /// The first output line holding `text`, once there is one (nil as `waitForOutput`).
    func line(containing text: String, seconds: Int32 = 60) -> String? {
        guard waitForOutput(containing: text, seconds: seconds) else { return nil }
        return output.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    /// Sends `signal` to the agent (nothing once it has been reaped).
    func signal(_ signal: Int32) throws {
        if let pidfd { _ = try ProcessControl.signal(pidfd: pidfd, signal) }
    }

    /// Waits for the agent to exit (and every descendant sharing its stdout to close it) and
    /// returns its status (128 + signal when a signal ended it) and all it printed.
    func finish() -> (status: Int32, output: String, errorOutput: String) {
        while readMore(seconds: 60) {}
        let errors = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status =
            process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, output, String(decoding: errors, as: UTF8.self))
    }

    /// Reads what stdout has within `seconds`; false once it has ended or nothing came.
    private func readMore(seconds: Int32) -> Bool {
        guard !outputClosed else { return false }
        var ready = pollfd(fd: outputPipe.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, seconds * 1000) > 0 else { return false }
        let chunk = outputPipe.fileHandleForReading.availableData
        if chunk.isEmpty {
            outputClosed = true
            return false
        }
        outputSoFar += chunk
        return true
    }
}
