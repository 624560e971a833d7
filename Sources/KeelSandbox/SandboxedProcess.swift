import KeelLinux
import Synchronization
import SystemPackage

/// A process started by `Sandbox.spawn`: PID 1 of its own PID namespace, so when it ends the
/// kernel kills everything it left behind.
///
/// Signals go through its pidfd, so one sent after `wait()` reaped it (a Ctrl-C racing the end of
/// a build) reaches nothing rather than a process that reused the pid. On a kernel without
/// pidfds, `wait()` reaps under a lock that `signal(_:)` takes too, to the same effect.
public final class SandboxedProcess: Sendable {
    /// Its pid, as the host sees it.
    public let pid: Int32
    /// A pidfd for it, when the kernel has pidfd_open (Linux 5.3); readable once it has ended.
    public let pidfd: FileDescriptor?
    /// Whether `wait()` reaped it; consulted only without a pidfd.
    private let reaped = Mutex(false)

    init(pid: Int32, pidfd: FileDescriptor?) {
        self.pid = pid
        self.pidfd = pidfd
    }

    /// Blocks until it ends and reaps it.
    public func wait() throws(SystemError) -> Termination {
        guard pidfd == nil else { return try ProcessControl.wait(pid) }
        // Without a pidfd, wait for the end without reaping (the zombie keeps the pid taken),
        // then reap under the lock `signal` takes, so it never signals a reused pid.
        try ProcessControl.waitForExit(pid)
        return try reaped.withLock { reaped throws(SystemError) -> Termination in
            let termination = try ProcessControl.wait(pid)
            reaped = true
            return termination
        }
    }

    /// Sends `signal` to it (not to a process that reused its pid).
    ///
    /// - Returns: `.processGone` once `wait()` has reaped it: nothing was signalled.
    public func signal(_ signal: Int32) throws(SystemError) -> SignalDelivery {
        if let pidfd { return try ProcessControl.signal(pidfd: pidfd, signal) }
        return try reaped.withLock { reaped throws(SystemError) -> SignalDelivery in
            if reaped { return .processGone }
            try ProcessControl.signal(pid, signal)
            return .delivered
        }
    }

    /// Sends SIGKILL: killing the namespace's PID 1 kills every process in the sandbox. Once
    /// it has been reaped, this does nothing.
    public func kill() throws(SystemError) {
        _ = try signal(ProcessControl.killSignal)
    }

    deinit {
        if let pidfd { FileSystem.close(pidfd) }
    }
}
