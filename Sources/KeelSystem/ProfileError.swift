import KeelLinux

/// A profile operation that failed: what it was about, and why.
public struct ProfileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// No generation has the number asked for.
        case noSuchGeneration
        /// The generation is the current one, which is never deleted.
        case currentGeneration
        /// An entry with one of the profile's names is not what Keel makes (a `system-N-link` or
        /// `system` that is not a symlink, a metadata directory that is not a directory), so
        /// Keel neither uses nor replaces it.
        case foreignEntry
        /// A generation's metadata file holds something other than a generation record.
        case badRecord
        /// An argument is unacceptable (a system path that is not absolute or does not exist).
        case badInput
        /// Files could not be read or written.
        case fileSystem
    }

    /// The kind of failure.
    public let code: Code
    /// What failed, naming the entry at fault, and how to fix it when that is known.
    public let message: String
    /// The system call that failed, if one did.
    public let cause: KeelLinux.SystemError?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: KeelLinux.SystemError? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, with the failed call when there is one.
    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}
