import KeelLinux
import KeelSandbox
import KeelSystem

/// The sandbox of an agent with `isolation = "strict"`: what it sees and who it is.
///
/// What it sees: a fresh, empty root (a tmpfs, gone with the agent) holding only
/// - its closure: each store path read-only, at its own path;
/// - its `host_paths` (the manifest's keys are host paths; the values are their NAR hashes)
///   read-only, each at its own path;
/// - its state directory and its runtime directory read-write, each at its own path (the same
///   paths as on the host, so `KEEL_STATE_DIR`, `HOME`, `NOTIFY_SOCKET` and the working
///   directory mean the same inside);
/// - a minimal /dev (null, zero, full, random, urandom, tty, fd links, a private /dev/shm), a
///   /proc of its own PID namespace (it sees only its own processes), a private /tmp;
/// - /etc holding only `hostname`, `hosts`, `passwd` and `group` made for it and a copy of the
///   host's `resolv.conf` taken when the spec is built (nothing of the host's /etc is bound).
///
/// Namespaces: user, mount, PID (the agent is PID 1: when it ends, everything it started
/// ends), UTS (hostname = the agent's name) and IPC. The network is the host's: agents serve
/// on the host's addresses and reach the APIs they call; strict isolation is about files,
/// processes and resources, not the network.
///
/// Who it is: uid and gid 0 inside its user namespace, mapped to `identity` outside, an
/// unprivileged id (default 65534:65534) and never the host's root. Root inside mapped to root
/// outside is not safe with this view: the bind mounts are made inside the agent's own mount
/// namespace, so their read-only flag is not locked, and a process with CAP_SYS_ADMIN there
/// could remount a store path read-write and, as the host's uid 0, write it; and proc's sysctl
/// files let the global root uid write host settings. Mapped to an unprivileged id, root inside
/// owns nothing it can reach except its state directory (given to `identity`) and what it
/// creates in its runtime directory; files owned by other host users are owned by no one
/// inside, so capabilities in its namespace do not override their permissions. It also runs
/// with no new privileges. Give each strict agent an identity of its own for the most
/// separation (then one agent cannot touch another's files even through a shared path).
public enum StrictIsolation {
    /// The default outside identity of strict agents: nobody:nogroup.
    public static let defaultIdentity: (uid: UInt32, gid: UInt32) = (65534, 65534)

    /// The sandbox for agent `name`.
    ///
    /// The spec's program, arguments, environment and streams are placeholders that
    /// `AgentProcess.start` replaces with the agent's own.
    ///
    /// - Parameters:
    ///   - name: the agent's name (its hostname inside).
    ///   - definition: its resolved definition (`host_paths`, working directory).
    ///   - closure: the store paths it may see: the closure of `definition.references` in the
    ///     store (the references alone miss their own dependencies).
    ///   - stateDirectory: its state directory (`ROOT/state/NAME`).
    ///   - runtimeDirectory: its runtime directory (`ROOT/run/agents/NAME`).
    ///   - emptyRoot: an empty host directory the sandbox's tmpfs root is mounted on, in the
    ///     agent's mount namespace only (several agents may share it).
    ///   - identity: the host uid and gid the agent runs as.
    public static func sandboxSpec(
        agent name: String, definition: SystemManifest.Agent, closure: [String], stateDirectory: String,
        runtimeDirectory: String, emptyRoot: String, identity: (uid: UInt32, gid: UInt32) = defaultIdentity
    ) -> SandboxSpec {
        var mounts = Set(closure).sorted().map { SandboxSpec.Mount(source: $0, target: $0, readOnly: true) }
        mounts += definition.hostPaths.keys.sorted().map { SandboxSpec.Mount(source: $0, target: $0, readOnly: true) }
        mounts.append(SandboxSpec.Mount(source: stateDirectory, target: stateDirectory, readOnly: false))
        mounts.append(SandboxSpec.Mount(source: runtimeDirectory, target: runtimeDirectory, readOnly: false))
        var spec = SandboxSpec(
            executable: definition.command.first ?? "", arguments: Array(definition.command.dropFirst()),
            environment: definition.env, root: emptyRoot, mounts: mounts,
            workingDirectory: definition.workingDir ?? stateDirectory, hostname: name, network: .host,
            insideUser: (0, 0), outsideUser: identity)
        spec.freshRoot = true
        spec.killedWithSpawningThread = false
        spec.files = etcFiles(name: name, home: stateDirectory)
        return spec
    }

    /// Prepares the host side before a start: creates the state and runtime directories and
    /// `emptyRoot`, gives the state directory to `identity` (mode 0700), and makes the runtime
    /// directory `root:GID` mode 1770, so the agent may create files there (its notify socket's
    /// peer needs no more) but cannot replace the supervisor's own (its pid file).
    ///
    /// The supervisor's notify socket in the runtime directory must be writable by `identity`
    /// for the agent to reach it.
    ///
    /// - Throws: `SupervisorError` naming the agent and the directory at fault.
    public static func prepareDirectories(
        agent name: String, stateDirectory: String, runtimeDirectory: String, emptyRoot: String,
        identity: (uid: UInt32, gid: UInt32) = defaultIdentity
    ) throws(SupervisorError) {
        do throws(SystemError) {
            try FileSystem.makeDirectories(emptyRoot, permissions: 0o755)
            try FileSystem.makeDirectories(stateDirectory, permissions: 0o700)
            try FileSystem.changeOwner(of: stateDirectory, uid: identity.uid, gid: identity.gid)
            try FileSystem.changePermissions(of: stateDirectory, to: 0o700)
            try FileSystem.makeDirectories(runtimeDirectory, permissions: 0o750)
            try FileSystem.changeOwner(of: runtimeDirectory, uid: 0, gid: identity.gid)
            try FileSystem.changePermissions(of: runtimeDirectory, to: 0o1770)
        } catch {
            throw SupervisorError("agent \(name): cannot prepare its strict sandbox: \(error)")
        }
    }

    /// The few /etc files a program expects.
    static func etcFiles(name: String, home: String) -> [SandboxSpec.File] {
        var files = [
            SandboxSpec.File(path: "/etc/hostname", contents: Array("\(name)\n".utf8)),
            SandboxSpec.File(path: "/etc/hosts", contents: Array("127.0.0.1 localhost \(name)\n::1 localhost\n".utf8)),
            SandboxSpec.File(path: "/etc/passwd", contents: Array("root:x:0:0:\(name):\(home):/nonexistent\n".utf8)),
            SandboxSpec.File(path: "/etc/group", contents: Array("root:x:0:\n".utf8)),
        ]
        if let resolver = try? FileSystem.readWholeFile("/etc/resolv.conf", limit: 1 << 16) {
            files.append(SandboxSpec.File(path: "/etc/resolv.conf", contents: resolver))
        }
        return files
    }
}
