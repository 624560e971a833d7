import CKeelLinux
import KeelLinux
import SystemPackage

/// Starts sandboxed processes.
public enum Sandbox {
    /// Starts the process `spec` describes: new user, mount, PID, UTS and IPC namespaces (and a
    /// network namespace with loopback only, unless `spec.network` is `.host`), `spec.root` as
    /// `/` (or a fresh tmpfs on it) with the mounts bound in, a fresh /proc, minimal /dev and private /tmp, running as
    /// `spec.insideUser` with no new privileges.
    ///
    /// With `spec.killedWithSpawningThread` (the default) the process is killed when the thread
    /// that started it ends; a supervisor's agents turn that off.
    ///
    /// - Parameters:
    ///   - spec: what runs and what it sees.
    ///   - setup: the cgroups it starts in and its resource limits, applied from outside before
    ///     it runs (default: none).
    /// - Returns: the running process; `wait()` for it.
    /// - Throws: `SandboxError` naming the step that failed (in the parent or the child).
    public static func spawn(_ spec: SandboxSpec, setup: ProcessSetup = ProcessSetup()) throws(SandboxError)
        -> SandboxedProcess
    {
        var strings = CStringTable()
        let argv = strings.vector([spec.executable] + spec.arguments)
        let envp = strings.vector(spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        var mounts = spec.mounts.map { mount in
            ckeel_mount(
                source: strings.string(mount.source), target: strings.string(mount.target),
                read_only: mount.readOnly ? 1 : 0)
        }
        let fileContents = spec.files.map { strings.bytes($0.contents) }
        var files = zip(spec.files, fileContents).map { file, contents in
            ckeel_file(path: strings.string(file.path), contents: contents, length: file.contents.count)
        }
        defer { strings.free() }
        var pid: pid_t = 0
        var pidfd: Int32 = -1
        var message = [CChar](repeating: 0, count: 512)
        let result = mounts.withUnsafeMutableBufferPointer { mountBuffer in
            files.withUnsafeMutableBufferPointer { fileBuffer in
                var raw = ckeel_spawn_spec()
                raw.fresh_root = spec.freshRoot ? 1 : 0
                raw.files = UnsafePointer(fileBuffer.baseAddress)
                raw.file_count = fileBuffer.count
                raw.path = strings.string(spec.executable)
                raw.argv = argv
                raw.envp = envp
                raw.root = strings.string(spec.root)
                raw.mounts = UnsafePointer(mountBuffer.baseAddress)
                raw.mount_count = mountBuffer.count
                raw.standard_mounts = 1
                raw.working_directory = strings.string(spec.workingDirectory)
                raw.hostname = strings.string(spec.hostname)
                raw.isolate = 1
                raw.private_network = spec.network == .loopbackOnly ? 1 : 0
                raw.inside_uid = spec.insideUser.uid
                raw.inside_gid = spec.insideUser.gid
                raw.outside_uid = spec.outsideUser.uid
                raw.outside_gid = spec.outsideUser.gid
                raw.stdin_fd = spec.standardInput ?? -1
                raw.stdout_fd = spec.standardOutput ?? -1
                raw.stderr_fd = spec.standardError ?? -1
                raw.die_with_parent = spec.killedWithSpawningThread ? 1 : 0
                raw.new_session = spec.newSession ? 1 : 0
                raw.share_pid_namespace = spec.ownProcessNamespace ? 0 : 1
                setup.fill(&raw, keeping: &strings)
                return ckeel_spawn(&raw, &pid, &pidfd, &message, message.count)
            }
        }
        guard result == 0 else {
            let step = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw SandboxError(step: step, errno: result)
        }
        return SandboxedProcess(pid: pid, pidfd: pidfd >= 0 ? FileDescriptor(rawValue: pidfd) : nil)
    }
}
