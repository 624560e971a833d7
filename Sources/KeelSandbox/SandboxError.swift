import KeelLinux

/// A sandbox that could not be started: the step that failed and its errno.
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    /// The step (`pivot_root`, `mounting /proc`, a mount source's path...).
    public let step: String
    /// The errno it failed with.
    public let errno: Int32

    /// Records a failure.
    public init(step: String, errno: Int32) {
        self.step = step
        self.errno = errno
    }

    /// `cannot start the sandbox: STEP: REASON`.
    public var description: String {
        "cannot start the sandbox: \(step): \(SystemError.reason(of: errno))"
    }
}
