/// SafeSwitch's crash-loop rule for one agent: `exits` exits within any `within`-long span.
/// Exits are given as instants of whatever clock the caller uses.
public struct CrashLoopWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// How many exits make a crash loop.
    public let exits: Int
    /// Within how long.
    public let within: Duration
    private var recent: [Instant] = []

    /// A window of `exits` exits `within` a duration (`[safeswitch] crash_loop`).
    public init(exits: Int, within: Duration) {
        self.exits = max(1, exits)
        self.within = within
    }

    /// Records an exit at `instant`; true when it completes a crash loop.
    public mutating func recordExit(at instant: Instant) -> Bool {
        recent.append(instant)
        recent.removeAll { $0.duration(to: instant) >= within }
        return recent.count >= exits
    }

    /// Forgets every exit (after a restart the crash loop no longer concerns).
    public mutating func reset() { recent.removeAll() }
}
