import KeelFileTree
import KeelFormats
import KeelLinux

/// A store operation that failed, with what it was about and why.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// The path is not valid in this store.
        case notValid
        /// The path is not in this store's directory.
        case notInStore
        /// The database could not be opened or read.
        case database
        /// Files could not be read or written.
        case fileSystem
        /// The input (a tree, a name, a stream) is unacceptable.
        case badInput
    }

    /// The kind of failure.
    public let code: Code
    /// What failed, and how to fix it when that is known.
    public let message: String
    /// The underlying error, if any.
    public let cause: (any Error & Sendable)?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, with the cause's description when it adds something.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}

/// The description of an error that is not `Sendable`, kept as the cause of a `StoreError`.
public struct UnderlyingError: Error, Sendable, CustomStringConvertible {
    /// The original error's description.
    public let description: String

    /// Keeps `error`'s description.
    public init(_ error: any Error) { description = String(describing: error) }
}
