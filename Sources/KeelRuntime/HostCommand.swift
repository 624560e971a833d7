import Foundation
import KeelLinux
import KeelSandbox

/// A host tool run to completion — `apt-get download`, `pip download`: the tools issue 17 has
/// Keel call, so that the user's mirrors, proxies and credentials apply. It runs in a directory
/// of the caller's, with this process's environment (plus `extraEnvironment`), stdin on
/// /dev/null, and its stdout and stderr kept in files there for messages.
public struct HostCommand: Sendable {
    /// The program: a path, or a name looked up in PATH.
    public let program: String
    /// Its arguments.
    public let arguments: [String]
    /// Variables added to (or replacing those of) this process's environment.
    public let extraEnvironment: [String: String]

    /// A command running `program` with `arguments`.
    public init(_ program: String, _ arguments: [String], extraEnvironment: [String: String] = [:]) {
        self.program = program
        self.arguments = arguments
        self.extraEnvironment = extraEnvironment
    }

    /// What a finished run left.
    public struct Outcome: Sendable {
        /// How it ended.
        public let termination: Termination
        /// Its standard output (at most the last 64 KiB).
        public let output: String
        /// Its standard error (at most the last 64 KiB).
        public let errorOutput: String

        /// Whether it exited 0.
        public var succeeded: Bool { termination == .exited(0) }

        /// The last non-empty lines of stderr (else stdout), for a one-line message.
        public func lastLines(_ count: Int = 3) -> String {
            let text = errorOutput.isEmpty ? output : errorOutput
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return lines.suffix(count).joined(separator: " / ")
        }
    }

    /// Runs the command in `directory` and waits for it.
    ///
    /// - Throws: `RuntimeError` when the program cannot be found or started.
    public func run(in directory: String) throws(RuntimeError) -> Outcome {
        let environment = ProcessInfo.processInfo.environment.merging(extraEnvironment) { $1 }
        guard let executable = Self.locate(program, searchPath: environment["PATH"]) else {
            throw RuntimeError("'\(program)' is not installed (not found in PATH)")
        }
        let outputPath = directory + "/.keel-command-stdout"
        let errorPath = directory + "/.keel-command-stderr"
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errorFD = open(errorPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            if outputFD >= 0 { Foundation.close(outputFD) }
            if errorFD >= 0 { Foundation.close(errorFD) }
            unlink(outputPath)
            unlink(errorPath)
        }
        guard outputFD >= 0, errorFD >= 0 else {
            throw RuntimeError("cannot create the output files of '\(program)' in \(directory)")
        }
        let process: SandboxedProcess
        do {
            process = try Sandbox.spawnOnHost(
                executable: executable, arguments: arguments, environment: environment, workingDirectory: directory,
                standardOutput: outputFD, standardError: errorFD)
        } catch {
            throw RuntimeError("cannot start '\(program)': \(error)")
        }
        let termination: Termination
        do { termination = try process.wait() } catch {
            throw RuntimeError("cannot wait for '\(program)': \(error)")
        }
        return Outcome(termination: termination, output: Self.tail(outputPath), errorOutput: Self.tail(errorPath))
    }

    /// `program` when it is a path, else the first executable of that name in `searchPath`.
    static func locate(_ program: String, searchPath: String?) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in (searchPath ?? "/usr/bin:/bin").split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + program
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func tail(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data.suffix(64 * 1024), as: UTF8.self)
    }
}
