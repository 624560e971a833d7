/// A failure to start, watch, signal or stop an agent, with a one-line message naming the agent
/// and what failed.
public struct SupervisorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
