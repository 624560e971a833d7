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
}
