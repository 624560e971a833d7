import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Processes the test did not start itself (an agent's descendants), held by pidfds opened
/// while they were known to be alive, and SIGKILLed when dropped if not before.
final class ForeignProcesses {
    private var pidfds: [FileDescriptor]

    /// Opens a pidfd for each of `pids` (processes the test knows to be alive and unreaped).
    init(_ pids: [Int32]) throws {
        var opened: [FileDescriptor] = []
        for pid in pids {
            guard let pidfd = try ProcessTree.openPidfd(pid) else {
                for pidfd in opened { FileSystem.close(pidfd) }
                throw ProbeError("process \(pid) is gone")
            }
            opened.append(pidfd)
        }
        pidfds = opened
    }

    deinit { killAll() }

    /// How many there are.
    var count: Int { pidfds.count }

    /// Sends `signal` to every one of them.
    func signal(_ signal: Int32) throws {
        for pidfd in pidfds { _ = try ProcessControl.signal(pidfd: pidfd, signal) }
    }

    /// SIGKILLs them all and waits (at most 60 s each) until they have ended; true when all
    /// ended. Does nothing more once called.
    @discardableResult
    func killAll() -> Bool {
        for pidfd in pidfds { _ = try? ProcessControl.signal(pidfd: pidfd, ProcessControl.killSignal) }
        let ended = pidfds.allSatisfy { pidfd in
            var ready = pollfd(fd: pidfd.rawValue, events: Int16(POLLIN), revents: 0)
            return poll(&ready, 1, 60_000) > 0
        }
        for pidfd in pidfds { FileSystem.close(pidfd) }
        pidfds = []
        return ended
    }
}
