import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// `exit status N` or `killed by signal N`.
    public var description: String {
        switch self {
        case .exited(let status): "exit status \(status)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// What became of a signal sent to a process.
public enum SignalDelivery: Sendable, Equatable {
    /// The process existed (perhaps already a zombie) and the kernel took the signal.
    case delivered
    /// The process had been reaped: nothing was signalled.
    case processGone
}

/// Waiting for and signalling child processes.
public enum ProcessControl {
    /// `waitpid(2)`: blocks until child `pid` ends and reaps it.
    public static func wait(_ pid: Int32) throws(SystemError) -> Termination {
        var status: Int32 = 0
        _ = try SystemCall.retrying("waitpid") { waitpid(pid, &status, 0) }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    /// How child `pid` ended, read without reaping it (`waitid(2)` with `WNOWAIT | WNOHANG`): it
    /// stays a zombie, its pid and process group taken, until `wait(_:)` reaps it. Nil while it
    /// runs, or when it is not a child of this process waiting to be reaped.
    public static func endedWithoutReaping(_ pid: Int32) -> Termination? {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG)
        guard result == 0, info._sifields._sigchld.si_pid == pid else { return nil }
        let status = info._sifields._sigchld.si_status
        switch Int(info.si_code) {
        case Int(CLD_EXITED): return .exited(status)
        case Int(CLD_KILLED), Int(CLD_DUMPED): return .signaled(status)
        default: return nil
        }
    }

    /// `waitid(2)` with `WNOWAIT`: blocks until child `pid` ends but leaves it a zombie, so its
    /// pid cannot be reused until `wait(_:)` reaps it.
    public static func waitForExit(_ pid: Int32) throws(SystemError) {
        var info = siginfo_t()
        _ = try SystemCall.retrying("waitid") { waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) }
    }

    /// `kill(2)`; a process that is already gone is not an error.
    ///
    /// - Important: a pid names whatever process holds it now: once the process was reaped, the
    ///   pid may belong to another. Signal a child through its pidfd (`signal(pidfd:_:)`) or only
    ///   while it is known not to be reaped.
    public static func signal(_ pid: Int32, _ signal: Int32) throws(SystemError) {
        if kill(pid, signal) == 0 || errno == ESRCH { return }
        throw SystemError(call: "kill", errno: errno)
    }

    /// `pidfd_send_signal(2)`: signals the process `pidfd` refers to, and never another one that
    /// reused its pid.
    ///
    /// - Returns: `.processGone` when the process has been reaped (`ESRCH`).
    /// - Throws: `SystemError` for any other failure (`EBADF`: not a pidfd; `EPERM`).
    public static func signal(pidfd: FileDescriptor, _ signal: Int32) throws(SystemError) -> SignalDelivery {
        if ckeel_pidfd_send_signal(pidfd.rawValue, signal) == 0 { return .delivered }
        let code = errno
        if code == ESRCH { return .processGone }
        throw SystemError(call: "pidfd_send_signal", errno: code)
    }

    /// SIGKILL, the signal that cannot be caught.
    public static let killSignal = SIGKILL
    /// SIGTERM, the polite request to stop.
    public static let terminateSignal = SIGTERM

    /// The effective uid and gid of this process.
    public static var identity: (uid: UInt32, gid: UInt32) { (geteuid(), getegid()) }
}
