/// A runtime package could not be resolved, fetched, unpacked or assembled; the message names
/// the package or file at fault and says what to do.
public struct RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The one-line message.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
