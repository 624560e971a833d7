import Foundation
import KeelLinux

/// The `keel` executable the tests run: `KEEL_BINARY` when set, else the debug build next to
/// this package's sources.
public enum KeelBinary {
    /// The executable's path.
    public static var path: String {
        if let override = Environment.value("KEEL_BINARY") { return override }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent(".build/debug/keel").path
            }
            directory.deleteLastPathComponent()
        }
        return "keel"
    }

    /// Runs keel with `arguments` and optional stdin.
    public static func run(_ arguments: [String], input: [UInt8] = [], directory: String? = nil) throws
        -> ProcessResult
    {
        try ProcessRunner.run(path, arguments, input: input, directory: directory)
    }
}

extension KeelBinary {
    /// Starts keel and SIGKILLs it after `delay` microseconds (the point of a crash test is an
    /// arbitrary instant), then waits for it to end.
    public static func runKilled(_ arguments: [String], input: String? = nil, afterMicroseconds delay: UInt32) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let input { process.standardInput = FileHandle(forReadingAtPath: input) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A pidfd taken at once: the kill reaches this process even if it has ended and been
        // reaped meanwhile, never one that reused its pid.
        let pidfd = try? ProcessTree.openPidfd(process.processIdentifier)
        usleep(delay)
        if let pidfd {
            _ = try? ProcessControl.signal(pidfd: pidfd, SIGKILL)
            FileSystem.close(pidfd)
        } else if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}
