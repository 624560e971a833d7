#if canImport(Glibc)
    import Glibc
#endif

/// Ending this process at once, from any thread.
public enum ProcessEnd {
    /// `_exit(2)`: ends the process with `status` without running exit handlers or flushing
    /// C stdio buffers (write with `write(2)` beforehand), so other threads that are still
    /// running cannot trip over a process being torn down.
    public static func exitNow(_ status: Int32) -> Never {
        _exit(status)
    }

    /// Dies by `SIGSEGV` as a crashing program would, without a core dump (`RLIMIT_CORE` 0):
    /// the signal's default action is restored and the signal unblocked first.
    public static func crash() -> Never {
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        _ = Glibc.signal(SIGSEGV, SIG_DFL)
        var segv = sigset_t()
        sigemptyset(&segv)
        sigaddset(&segv, SIGSEGV)
        pthread_sigmask(SIG_UNBLOCK, &segv, nil)
        _ = raise(SIGSEGV)
        abort()
    }
}
