import CKeelLinux

/// What a process gets from its parent before it runs anything of its own: the cgroups it
/// starts in, its resource limits, and whether it may ever gain privileges.
///
/// The parent puts the child in its cgroups while the child waits on the spawn's sync pipe
/// (after a sandbox's id maps are written), before it has run anything of its own, so nothing
/// it ever forks can start outside them. The parent writes the child's pid (as the host sees
/// it) to each `cgroup.procs` file, which works the same for a host process and for one in a
/// user namespace, whose root may not write the host's cgroup files. The child sets its
/// resource limits itself just before `exec`: lowering always works, raising a hard limit above
/// the one it inherited from the daemon does not (raise the daemon's own, e.g. systemd's
/// `LimitNOFILE=`).
public struct ProcessSetup: Sendable, Equatable {
    /// One resource limit.
    public struct ResourceLimit: Sendable, Equatable {
        /// A resource `setrlimit(2)` knows.
        public enum Resource: Sendable, Equatable {
            /// `RLIMIT_NOFILE`: open file descriptors.
            case openFiles
            /// `RLIMIT_NPROC`: processes and threads of the process's real user, counted across
            /// the whole host and not enforced for root; a weak stand-in for a pids cgroup.
            case processes

            var raw: Int32 {
                switch self {
                case .openFiles: Int32(CKEEL_RLIMIT_NOFILE)
                case .processes: Int32(CKEEL_RLIMIT_NPROC)
                }
            }
        }

        /// Which resource.
        public var resource: Resource
        /// The soft limit.
        public var soft: UInt64
        /// The hard limit.
        public var hard: UInt64

        /// A limit of `value` for both the soft and the hard limit.
        public init(_ resource: Resource, _ value: UInt64) {
            self.resource = resource
            self.soft = value
            self.hard = value
        }
    }

    /// `cgroup.procs` files (absolute) the process is put in before it runs; one per cgroup v1
    /// hierarchy, or one on cgroup v2.
    public var cgroupProcsFiles: [String]
    /// Resource limits set before it runs.
    public var resourceLimits: [ResourceLimit]
    /// Whether it runs with `PR_SET_NO_NEW_PRIVS` (set-uid programs and file capabilities give
    /// it nothing). A sandbox always has it.
    public var noNewPrivileges: Bool
    /// The host identity a host process takes before it runs (an agent's `user`); nil keeps
    /// the caller's. A sandbox's identity is its spec's instead.
    public var identity: ProcessIdentity?

    /// A setup; the default changes nothing.
    public init(
        cgroupProcsFiles: [String] = [], resourceLimits: [ResourceLimit] = [], noNewPrivileges: Bool = false
    ) {
        self.cgroupProcsFiles = cgroupProcsFiles
        self.resourceLimits = resourceLimits
        self.noNewPrivileges = noNewPrivileges
    }
}
