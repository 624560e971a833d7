/// What a `HealthMonitor` reports: each check's result, and each change of status.
public enum HealthEvent: Sendable, Equatable {
    /// A check ended; `consecutiveFailures` counts it when it failed (0 after a pass).
    case checked(HealthVerdict, consecutiveFailures: Int)
    /// A check passed while the status was unknown or unhealthy (reported after its `checked`).
    case becameHealthy
    /// Failures in a row reached the failure threshold while the status was unknown or healthy
    /// (reported after the `checked` of the failure that reached it); `reason` is that failure's.
    case becameUnhealthy(consecutiveFailures: Int, reason: String)
}
