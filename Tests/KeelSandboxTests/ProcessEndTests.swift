import Glibc
import KeelLinux
import KeelTesting
import SystemPackage
import Testing

/// `ProcessControl.endedWithoutReaping`: how a child ended, read while it stays a zombie.
@Suite(.ownThreads) struct ProcessEndTests {
    /// Starts `/bin/sh -c script` and waits (on its pidfd) until it has ended, unreaped.
    private func ended(_ script: String) throws -> Int32 {
        let pid = try ProcessSpawn.start("/bin/sh", arguments: ["sh", "-c", script])
        let pidfd = try #require(try ProcessTree.openPidfd(pid))
        defer { FileSystem.close(pidfd) }
        _ = try Polling.waitForInput([pidfd])
        return pid
    }

    @Test func readsAnExitStatusAndLeavesTheChildAZombie() throws {
        let pid = try ended("exit 7")
        #expect(ProcessControl.endedWithoutReaping(pid) == .exited(7))
        // Still there, a zombie: read again, then reaped with the same status.
        #expect(ProcessTree.entry(of: pid)?.isZombie == true)
        #expect(ProcessControl.endedWithoutReaping(pid) == .exited(7))
        #expect(try ProcessControl.wait(pid) == .exited(7))
        #expect(ProcessControl.endedWithoutReaping(pid) == nil)
    }

    @Test func readsTheSignalThatEndedIt() throws {
        let pid = try ended("kill -KILL $$")
        #expect(ProcessControl.endedWithoutReaping(pid) == .signaled(SIGKILL))
        #expect(try ProcessControl.wait(pid) == .signaled(SIGKILL))
    }

    @Test func aChildStillRunningHasNotEnded() throws {
        let pid = try ProcessSpawn.start("/bin/sh", arguments: ["sh", "-c", "exec sleep 1000"])
        #expect(ProcessControl.endedWithoutReaping(pid) == nil)
        try ProcessControl.signal(pid, SIGKILL)
        #expect(try ProcessControl.wait(pid) == .signaled(SIGKILL))
    }
}
