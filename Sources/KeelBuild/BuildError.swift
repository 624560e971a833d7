/// Why a build did not produce its outputs.
public struct BuildError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, which decides the exit status.
    public enum Kind: Sendable, Equatable {
        /// A derivation, .drv file or input that cannot be used as given.
        case badInput
        /// A builder failed: exit status, timeout, silence, missing output, hash mismatch.
        case failed
        /// `--check` found a rebuild that differs from the valid output.
        case notDeterministic
        /// Stopped by Ctrl-C or SIGTERM, or because another build failed.
        case cancelled
        /// The store, the file system or the kernel refused something.
        case system
    }

    /// The kind.
    public let kind: Kind
    /// One or more lines saying what happened (a failed builder's last log lines included).
    public let message: String

    /// Describes a failure.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
