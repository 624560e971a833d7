/// The outcome of one health check.
public enum HealthVerdict: Sendable, Equatable, CustomStringConvertible {
    /// The check passed.
    case passed
    /// The check failed, for a one-line reason: `HTTP 503`, `connection refused`,
    /// `timed out after 2 s`, `exit 1: <the last line of its output>`.
    case failed(String)

    /// Whether the check passed.
    public var hasPassed: Bool { self == .passed }

    /// Why the check failed; nil when it passed.
    public var failureReason: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }

    /// `passed`, or `failed: <reason>`.
    public var description: String {
        switch self {
        case .passed: "passed"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}
