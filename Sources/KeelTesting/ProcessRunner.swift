import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    /// The exit status (or 128 + signal number).
    public let status: Int32
    /// Everything written to stdout.
    public let standardOutput: [UInt8]
    /// Everything written to stderr.
    public let standardError: [UInt8]

    /// stdout as UTF-8 text.
    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    /// stderr as UTF-8 text.
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }
}

/// Runs a program to completion, feeding stdin and collecting stdout and stderr.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - executable: an absolute path, or a name looked up in `PATH`.
    ///   - arguments: the arguments after the program name.
    ///   - environment: the full environment; `nil` inherits this process's.
    ///   - input: bytes written to the child's stdin, which is then closed.
    ///   - directory: the working directory.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        input: [UInt8] = [], directory: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let outputs = CollectedOutput()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            outputs.setOutput(stdout.fileHandleForReading.readDataToEndOfFile())
        }
        DispatchQueue.global().async(group: group) {
            outputs.setError(stderr.fileHandleForReading.readDataToEndOfFile())
        }
        if !input.isEmpty { try? stdin.fileHandleForWriting.write(contentsOf: Data(input)) }
        try? stdin.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        let status =
            process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ProcessResult(status: status, standardOutput: outputs.output, standardError: outputs.error)
    }

    /// Finds a program in `PATH` (or returns the name unchanged when it holds a slash).
    public static func resolve(_ name: String) -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return name
    }
}

private final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var outputData = Data()
    private var errorData = Data()

    func setOutput(_ data: Data) { lock.withLock { outputData = data } }
    func setError(_ data: Data) { lock.withLock { errorData = data } }
    var output: [UInt8] { lock.withLock { [UInt8](outputData) } }
    var error: [UInt8] { lock.withLock { [UInt8](errorData) } }
}
