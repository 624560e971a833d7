import KeelLinux
import SystemPackage

/// A process started by `Sandbox.spawn`: PID 1 of its own PID namespace, so when it ends the
/// kernel kills everything it left behind.
public final class SandboxedProcess: Sendable {
    /// Its pid, as the host sees it.
    public let pid: Int32
    /// A pidfd for it, when the kernel has pidfd_open.
    public let pidfd: Int32?

    init(pid: Int32, pidfd: Int32?) {
        self.pid = pid
        self.pidfd = pidfd
    }

    /// Blocks until it ends and reaps it.
    public func wait() throws(SystemError) -> Termination {
        try ProcessControl.wait(pid)
    }

    /// Sends SIGKILL: killing the namespace's PID 1 kills every process in the sandbox.
    public func kill() throws(SystemError) {
        try ProcessControl.signal(pid, ProcessControl.killSignal)
    }

    deinit {
        if let pidfd { FileSystem.close(FileDescriptor(rawValue: pidfd)) }
    }
}
