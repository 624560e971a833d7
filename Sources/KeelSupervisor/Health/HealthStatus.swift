/// An agent's health as its `HealthMonitor` judges it.
public enum HealthStatus: Sendable, Equatable {
    /// Since the start, no check has passed and fewer than the threshold failed in a row.
    case unknown
    /// The last check passed.
    case healthy
    /// The threshold of checks failed in a row, and none passed since.
    case unhealthy
}
