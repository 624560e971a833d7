import KeelLinux
import Synchronization
import SystemPackage

extension AgentProcess {
    /// Stops the agent and everything it started, as `stop(timeout:clock:)` does, timing the
    /// grace period on the continuous clock.
    public func stop(timeout: Duration) async throws(SupervisorError) {
        try await stop(timeout: timeout, clock: ContinuousClock())
    }

    /// Stops the agent and everything it started: SIGTERM to its process group and to its
    /// processes that left the group; once they have all ended or `timeout` has passed on
    /// `clock`, SIGKILL to the group, then to every process of the agent's tree that is left
    /// (those that left its session and were reparented here included), again until none is
    /// found, reaping those reparented here.
    ///
    /// Returns when the agent has been reaped (its exit reported), no process of its tree is
    /// left and its output has ended (the log has all of it). Only processes shown to be the
    /// agent's (see `descendants()`) are ever signalled, each through a pidfd checked against
    /// the process's start time, so a pid reused meanwhile is never hit.
    ///
    /// - Throws: `SupervisorError` when `/proc` cannot be read or a signal cannot be sent.
    public func stop<C: Clock>(timeout: C.Duration, clock: C) async throws(SupervisorError) {
        let members = try descendants()
        let groupSignalled = try signal(ProcessControl.terminateSignal)
        var watched: [FileDescriptor] = []
        for member in members {
            guard let pidfd = openChecked(member) else { continue }
            if member.processGroup != pid || !groupSignalled {
                _ = try? ProcessControl.signal(pidfd: pidfd, ProcessControl.terminateSignal)
            }
            watched.append(pidfd)
        }
        await waitForEnd(of: watched, timeout: timeout, clock: clock)
        let failure: SupervisorError? = await withCheckedContinuation { continuation in
            DetachedThread.start {
                do throws(SupervisorError) {
                    try self.killTree()
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }
        }
        if let failure { throw failure }
        _ = await waitForExit()
        await waitForOutputEnd()
    }

    /// Waits until the agent and the processes behind `pidfds` have all ended, or `timeout` has
    /// passed on `clock`, whichever comes first; closes `pidfds`.
    private func waitForEnd<C: Clock>(of pidfds: [FileDescriptor], timeout: C.Duration, clock: C) async {
        let agentPidfd = pidfdForStop
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try? await clock.sleep(for: timeout)
                once.resume()
            }
            // The thread ends at the latest once `killTree` has ended them all.
            DetachedThread.start {
                for descriptor in [agentPidfd] + pidfds {
                    _ = try? Polling.waitForInput([descriptor])
                }
                for descriptor in pidfds { FileSystem.close(descriptor) }
                timer.cancel()
                once.resume()
                withExtendedLifetime(self) {}
            }
        }
    }

    /// SIGKILL to the group and the agent, then rounds of: find the agent's processes, kill
    /// them, wait for each to end, reap those that are this process's children; until a round
    /// finds none alive and none to reap. Blocks.
    private func killTree() throws(SupervisorError) {
        try signal(ProcessControl.killSignal)
        _ = try? Polling.waitForInput([agentPidfd])
        let ownPID = ProcessTree.ownPID
        while true {
            var held: [(entry: ProcessEntry, pidfd: FileDescriptor)] = []
            // A zombie another process will reap is already dead: nothing to do.
            for member in try descendants() where !member.isZombie || member.parent == ownPID {
                guard let pidfd = openChecked(member) else { continue }
                _ = try? ProcessControl.signal(pidfd: pidfd, ProcessControl.killSignal)
                held.append((member, pidfd))
            }
            if held.isEmpty { return }
            for (member, pidfd) in held {
                _ = try? Polling.waitForInput([pidfd])
                // Ended, so not reaped yet by anyone else and its pid cannot be reused: reap it if
                // it is ours (its zombie children were reparented here as it ended).
                if let now = ProcessTree.entry(of: member.pid), now.startTime == member.startTime,
                    now.parent == ownPID
                {
                    _ = try? ProcessControl.wait(member.pid)
                }
                FileSystem.close(pidfd)
            }
        }
    }

    /// The agent's own pidfd, readable once it has ended.
    private var agentPidfd: FileDescriptor { pidfdForStop }

    /// A pidfd for `member`, when it still is the process that was found (same start time).
    private func openChecked(_ member: ProcessEntry) -> FileDescriptor? {
        guard let pidfd = try? ProcessTree.openPidfd(member.pid) else { return nil }
        guard ProcessTree.entry(of: member.pid)?.startTime == member.startTime else {
            FileSystem.close(pidfd)
            return nil
        }
        return pidfd
    }
}

/// Resumes a continuation the first time `resume()` is called; later calls do nothing.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>

    init(_ continuation: CheckedContinuation<Void, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume() {
        continuation.withLock { $0.take() }?.resume()
    }
}
