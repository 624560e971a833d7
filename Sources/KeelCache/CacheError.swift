/// Why a binary cache operation failed: one line that names the path, the cache and the reason.
public struct CacheError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure it is, for exit codes and for deciding whether to try elsewhere.
    public enum Code: Sendable {
        /// Input from outside is malformed: a narinfo, a NAR, a compressed file, a URL, a key.
        case badInput
        /// The cache does not have what was asked for.
        case notFound
        /// The cache cannot be reached, or did not answer in time.
        case unreachable
        /// A narinfo carries no signature from a trusted key.
        case untrusted
        /// Reading or writing local files failed.
        case fileSystem
        /// The local store refused an operation.
        case store
    }

    /// The kind of failure.
    public let code: Code
    /// The one-line message.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
