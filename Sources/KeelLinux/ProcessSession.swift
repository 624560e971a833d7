#if canImport(Glibc)
    import Glibc
#endif

/// This process's session and process group.
public enum ProcessSession {
    /// `setsid(2)`: this process leads a new session and a new process group, so a signal to
    /// its parent's group no longer reaches it.
    ///
    /// - Returns: the new session's id (this process's pid).
    /// - Throws: `SystemError` naming `setsid` (`EPERM`: it already leads a process group).
    public static func startNew() throws(SystemError) -> Int32 {
        try SystemCall.retrying("setsid") { setsid() }
    }

    /// This process's session id.
    public static var current: Int32 { getsid(0) }
}
