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

/// Waiting for and signalling child processes.
public enum ProcessControl {
    /// `waitpid(2)`: blocks until child `pid` ends and reaps it.
    public static func wait(_ pid: Int32) throws(SystemError) -> Termination {
        var status: Int32 = 0
        _ = try SystemCall.retrying("waitpid") { waitpid(pid, &status, 0) }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    /// `kill(2)`; a process that is already gone is not an error.
    public static func signal(_ pid: Int32, _ signal: Int32) throws(SystemError) {
        if kill(pid, signal) == 0 || errno == ESRCH { return }
        throw SystemError(call: "kill", errno: errno)
    }

    /// SIGKILL, the signal that cannot be caught.
    public static let killSignal = SIGKILL
    /// SIGTERM, the polite request to stop.
    public static let terminateSignal = SIGTERM

    /// The effective uid and gid of this process.
    public static var identity: (uid: UInt32, gid: UInt32) { (geteuid(), getegid()) }
}
