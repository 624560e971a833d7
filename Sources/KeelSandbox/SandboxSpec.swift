/// Everything about a sandboxed process, decided before it starts: what runs, what it sees of
/// the file system, which namespaces it gets, who it runs as and where its output goes.
///
/// A value: build it, then hand it to `Sandbox.spawn`. The child-side work it describes is done
/// in C between fork and exec (CKeelLinux's `ckeel_spawn`).
public struct SandboxSpec: Sendable {
    /// One host path bound into the sandbox.
    public struct Mount: Sendable, Equatable {
        /// The host path (file or directory).
        public var source: String
        /// Where it appears inside (absolute).
        public var target: String
        /// Whether it is read-only inside.
        public var readOnly: Bool

        /// A bind mount of `source` at `target`.
        public init(source: String, target: String, readOnly: Bool = true) {
            self.source = source
            self.target = target
            self.readOnly = readOnly
        }
    }

    /// A file written into a fresh root (`freshRoot`).
    public struct File: Sendable, Equatable {
        /// Where it appears inside (absolute).
        public var path: String
        /// Its contents.
        public var contents: [UInt8]

        /// A file at `path` holding `contents`.
        public init(path: String, contents: [UInt8]) {
            self.path = path
            self.contents = contents
        }
    }

    /// The network the process gets.
    public enum Network: Sendable, Equatable {
        /// A private network namespace with only a loopback interface.
        case loopbackOnly
        /// The host's network (fixed-output builds fetch with it).
        case host
    }

    /// The program (a path inside the sandbox's root).
    public var executable: String
    /// The arguments after the program name (`argv[0]` is the executable).
    public var arguments: [String]
    /// The whole environment: nothing of the caller's leaks in.
    public var environment: [String: String]
    /// A host directory that becomes `/`, holding what the builder prepared (etc files...).
    public var root: String
    /// Whether `/` is a fresh tmpfs mounted on `root` (holding `files` and the mount points)
    /// rather than `root`'s own contents: nothing of the skeleton touches the host's disk, and it
    /// vanishes with the sandbox.
    public var freshRoot = false
    /// Files written into a fresh root before the mounts (/etc files...).
    public var files: [File] = []
    /// Host paths bound under the root, in order (a mount may land inside an earlier one).
    public var mounts: [Mount]
    /// The working directory inside.
    public var workingDirectory: String
    /// The hostname inside.
    public var hostname: String
    /// The network.
    public var network: Network
    /// The uid and gid the process has inside (Nix's build user is 1000:100).
    public var insideUser: (uid: UInt32, gid: UInt32)
    /// The host uid and gid they map to.
    public var outsideUser: (uid: UInt32, gid: UInt32)
    /// Descriptors for stdin, stdout and stderr (`nil`: /dev/null).
    public var standardInput: Int32?
    /// Where stdout goes.
    public var standardOutput: Int32?
    /// Where stderr goes.
    public var standardError: Int32?
    /// Whether the process is killed when the thread that started it ends (`PR_SET_PDEATHSIG`):
    /// a build dies with its builder. A supervisor's agents outlive the thread that launched
    /// them, so it turns this off and ends them itself.
    public var killedWithSpawningThread = true
    /// Whether the program starts a session of its own (setsid): yes for agents and builds, so a
    /// process-group kill reaches everything; no for an interactive program (`keel shell`), which
    /// keeps the terminal's session, its job control and Ctrl-C.
    public var newSession = true
    /// Whether the program gets a PID namespace of its own (it is PID 1 there, sees only its
    /// own processes, and everything it started ends with it). A PID 1 ignores every signal it
    /// has no handler for, SIGTERM included, so a program that relies on SIGTERM's default
    /// action is better left in the caller's namespace (a runtime's view for `isolation = "none"`).
    public var ownProcessNamespace = true

    /// A sandbox running `executable` in `root`, with loopback-only networking, as 1000:100
    /// inside mapped to the caller's own identity outside.
    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = [:], root: String,
        mounts: [Mount] = [], workingDirectory: String = "/", hostname: String = "localhost",
        network: Network = .loopbackOnly, insideUser: (uid: UInt32, gid: UInt32) = (1000, 100),
        outsideUser: (uid: UInt32, gid: UInt32)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.root = root
        self.mounts = mounts
        self.workingDirectory = workingDirectory
        self.hostname = hostname
        self.network = network
        self.insideUser = insideUser
        self.outsideUser = outsideUser
    }
}
