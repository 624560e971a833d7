/// A test's watchdog: after `limit` of real time, unless cancelled first, it calls `fire` (which
/// ends a wait: finishes a stream, resumes a continuation, kills a process), so a bug fails the
/// test instead of hanging the run. It never times anything: a correct program ends the wait in
/// milliseconds and the watchdog is cancelled.
public enum Watchdog {
    /// The limit tests use unless they say otherwise: long enough that a full parallel run on
    /// two cores, whose runtime tests unpack and sync whole Debian closures (a `syncfs` holds
    /// off every remount on that file system while it flushes), never reaches it.
    public static let defaultLimit: Duration = .seconds(90)

    /// Starts a watchdog; cancel the returned task once the wait it guards has ended.
    @discardableResult
    public static func start(
        after limit: Duration = defaultLimit, _ fire: @escaping @Sendable () -> Void
    ) -> Task<Void, Never> {
        Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            fire()
        }
    }
}
