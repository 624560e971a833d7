/// Where an agent is in its life.
public enum AgentPhase: String, Sendable, Equatable {
    /// Waiting for the agents it depends on to be ready.
    case waiting
    /// Started, not ready yet.
    case starting
    /// Ready (for `ready = "started"`, as soon as it runs).
    case running
    /// Ended; waiting out its restart backoff.
    case backoff
    /// Being stopped (SIGTERM sent; SIGKILL after its stop timeout).
    case stopping
    /// Not running: stopped on request, or ended and its policy does not restart it.
    case stopped
    /// It could not be started (its program is missing...); `problem` says why.
    case failed
}
