/// Why an image could not be built: one line naming what is at fault.
public struct ImageBuildError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The message.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
