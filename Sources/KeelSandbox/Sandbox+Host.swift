import CKeelLinux
import KeelLinux
import SystemPackage

extension Sandbox {
    /// Starts a process on the host, without isolation: no namespaces, the host's file system
    /// and identity, but the same careful start as `spawn(_:)` (only the given environment, every
    /// other descriptor closed, signals unblocked, a failed `exec` reported as an error) and a
    /// session of its own (`setsid`), so signalling its process group reaches the children that
    /// stay in it.
    ///
    /// Unlike `spawn(_:)`, the process does not die with the thread that started it: a
    /// supervisor's agents outlive whichever thread launched them, and ending them is the
    /// caller's job (`SandboxedProcess.signal`).
    ///
    /// - Parameters:
    ///   - executable: the program's path (no `PATH` search).
    ///   - arguments: the arguments after the program name (`argv[0]` is `executable`).
    ///   - environment: the whole environment.
    ///   - workingDirectory: where it starts (must exist).
    ///   - standardInput: its stdin (`nil`: /dev/null).
    ///   - standardOutput: its stdout (`nil`: /dev/null).
    ///   - standardError: its stderr (`nil`: /dev/null).
    ///   - setup: the cgroups it starts in, its resource limits, no new privileges (default:
    ///     none of these).
    /// - Throws: `SandboxError` naming the step that failed (the executable's path when `exec`
    ///   failed).
    public static func spawnOnHost(
        executable: String, arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String, standardInput: Int32? = nil, standardOutput: Int32? = nil,
        standardError: Int32? = nil, setup: ProcessSetup = ProcessSetup()
    ) throws(SandboxError) -> SandboxedProcess {
        var strings = CStringTable()
        let argv = strings.vector([executable] + arguments)
        let envp = strings.vector(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer { strings.free() }
        var raw = ckeel_spawn_spec()
        raw.path = strings.string(executable)
        raw.argv = argv
        raw.envp = envp
        raw.working_directory = strings.string(workingDirectory)
        raw.stdin_fd = standardInput ?? -1
        raw.stdout_fd = standardOutput ?? -1
        raw.stderr_fd = standardError ?? -1
        raw.new_session = 1
        setup.fill(&raw, keeping: &strings)
        var pid: pid_t = 0
        var pidfd: Int32 = -1
        var message = [CChar](repeating: 0, count: 512)
        let result = ckeel_spawn(&raw, &pid, &pidfd, &message, message.count)
        guard result == 0 else {
            let step = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw SandboxError(step: step, errno: result)
        }
        return SandboxedProcess(pid: pid, pidfd: pidfd >= 0 ? FileDescriptor(rawValue: pidfd) : nil)
    }
}
