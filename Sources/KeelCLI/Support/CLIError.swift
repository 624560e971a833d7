/// An error a command reports as one line on stderr, exiting with `status`.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    /// The line printed after `keel: `.
    public let message: String
    /// The exit status; `.failure` unless the error is about usage.
    public let status: ExitStatus

    /// Makes an error with a message.
    public init(_ message: String, status: ExitStatus = .failure) {
        self.message = message
        self.status = status
    }

    /// The message.
    public var description: String { message }
}

/// Thrown by a command that has already said what it had to and must only exit with a status
/// (for example `narinfo verify` when no signature verifies).
public struct SilentExit: Error, Sendable {
    /// The status to exit with.
    public let status: ExitStatus

    /// Makes a silent exit.
    public init(_ status: ExitStatus) { self.status = status }
}
