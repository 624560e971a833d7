import CKeelLinux

/// Making this process the one that inherits its children's orphans.
public enum Subreaper {
    /// `prctl(PR_SET_CHILD_SUBREAPER)`: from now on, a process that any descendant of ours
    /// leaves behind (a double fork, a parent that dies first) is reparented to this process,
    /// not to init, so it can still be found, signalled and reaped. Set once per process; calling
    /// it again does nothing more.
    ///
    /// - Important: this process must then reap such orphans itself (`ProcessControl.wait`), or
    ///   they stay zombies.
    public static func becomeChildSubreaper() throws(SystemError) {
        _ = try SystemCall.retrying("prctl(PR_SET_CHILD_SUBREAPER)") { ckeel_set_child_subreaper() }
    }

    /// Whether this process is a child subreaper.
    public static var isChildSubreaper: Bool { ckeel_is_child_subreaper() == 1 }
}
