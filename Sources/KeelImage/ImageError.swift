/// Why an image could not be described or built: a one-line message naming what is wrong.
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The message, e.g. `invalid image reference "Foo": repository names must be lowercase`.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
