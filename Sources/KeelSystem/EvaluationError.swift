/// A failure to evaluate, lock, realise or compare a system, with a one-line message (or
/// several lines, one per problem, when the lock has many).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
