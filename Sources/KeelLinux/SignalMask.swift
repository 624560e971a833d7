#if canImport(Glibc)
    import Glibc
#endif

/// The process's signal mask.
public enum SignalMask {
    /// Unblocks every signal (`sigprocmask(2)`), so SIGINT and SIGTERM stop keel even when the
    /// parent started it with signals blocked (some test runners and supervisors do).
    public static func unblockAll() {
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
    }

    /// Blocks `signals` in the calling thread and the threads it starts afterwards, so that one
    /// thread can take them with `wait(for:)`.
    public static func block(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits until one of `signals` (blocked beforehand) arrives and returns it.
    public static func wait(for signals: [Int32]) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    /// SIGINT (Ctrl-C) and SIGTERM, the signals that ask keel to stop.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM]

    /// Blocks the stop signals in the calling thread and the threads it starts afterwards, and
    /// calls `handler` with each one that arrives, on a thread of its own that waits for them.
    /// Call it before starting other threads, so that none of them takes a signal instead.
    public static func onStopSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        block(stopSignals)
        DetachedThread.start {
            while true { handler(wait(for: stopSignals)) }
        }
    }
}
