#if canImport(Glibc)
    import Glibc
#endif

/// What the whole process does when a signal arrives.
public enum SignalDisposition {
    /// `signal(2)` with `SIG_IGN`: the kernel discards `signal` for this process from now on
    /// (unless a thread blocks it), and a program it executes inherits that.
    public static func ignore(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_IGN)
    }
}
