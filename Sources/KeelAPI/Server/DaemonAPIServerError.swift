/// Why the API server cannot start.
public struct DaemonAPIServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in one line naming the socket or directory.
    public let message: String

    /// An error with a message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
