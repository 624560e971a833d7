import KeelLinux

/// A ledger operation that failed, with what it was about and why.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// The ledger's files disagree with themselves in a way a crash cannot explain.
        case damaged
        /// The ledger exists but its secret key is gone (run `keel ledger rotate-key`).
        case keyMissing
        /// The caller's input is unacceptable (a kind, details, a sequence number...).
        case badInput
        /// Files could not be read or written.
        case fileSystem
        /// Something asked for does not exist (an entry, a checkpoint, the ledger).
        case notFound
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

    /// A file-system failure while doing `what`.
    static func fileSystem(_ what: String, _ cause: any Error) -> LedgerError {
        if let cause = cause as? SystemError { return LedgerError(.fileSystem, what, cause: cause) }
        return LedgerError(.fileSystem, what, cause: UnderlyingLedgerError(cause))
    }

    /// The message, with the cause's description when there is one.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}

/// The description of an error that is not `Sendable`, kept as the cause of a `LedgerError`.
struct UnderlyingLedgerError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(describing: error) }
}
