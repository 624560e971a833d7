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
        /// Stopped by Ctrl-C or SIGTERM, or because another build failed; `cause` is the
        /// `BuildStopReason`.
        case cancelled
        /// The store, the file system or the kernel refused something.
        case system
    }

    /// The kind.
    public let kind: Kind
    /// One or more lines saying what happened (a failed builder's last log lines included).
    public let message: String
    /// The error underneath, kept typed (a `StoreError`, a `SystemError`, a `DerivationError`,
    /// a `BuildStopReason`…) for callers that decide by it; the message already says it.
    public let cause: (any Error & Sendable)?

    /// Describes a failure, with the error that caused it when there is one.
    public init(_ kind: Kind, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.kind = kind
        self.message = message
        self.cause = cause
    }

    /// Why the builds were stopped, when this is a cancellation.
    public var stopReason: BuildStopReason? { kind == .cancelled ? cause as? BuildStopReason : nil }

    /// The message.
    public var description: String { message }
}

/// Why builds were stopped before they finished.
public enum BuildStopReason: Error, Sendable, Equatable, CustomStringConvertible {
    /// The user interrupted keel (SIGINT, Ctrl-C).
    case interrupted
    /// keel was asked to terminate (SIGTERM).
    case terminated
    /// Another build failed, so the rest were stopped; the failure's message.
    case anotherBuildFailed(String)

    /// Whether a signal sent to keel stopped the builds (rather than a failure).
    public var isSignal: Bool {
        switch self {
        case .interrupted, .terminated: true
        case .anotherBuildFailed: false
        }
    }

    /// "interrupted", "terminated", or the other build's failure.
    public var description: String {
        switch self {
        case .interrupted: "interrupted"
        case .terminated: "terminated"
        case .anotherBuildFailed(let message): message
        }
    }
}
