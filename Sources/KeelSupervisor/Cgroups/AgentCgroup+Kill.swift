import KeelLinux
import SystemPackage

extension AgentCgroup {
    /// The most rounds `killAll()` makes before giving up on a group that keeps gaining
    /// processes.
    static let killRounds = 100

    /// Kills every process in the group and waits until each has ended (its pidfd readable).
    ///
    /// Each round freezes the group (v1 freezer, v2 `cgroup.freeze`) so nothing forks between
    /// the listing and the kill, sends SIGKILL to every process through a pidfd opened while
    /// it is frozen (v2 with `cgroup.kill`: that file, which reaches the whole tree at once),
    /// thaws it (a frozen process dies only once thawed), and waits for the pidfds; until the
    /// group is empty. Without a freezer a process forked during a round is caught by the next.
    ///
    /// - Throws: `SupervisorError` when the group cannot be read or written, or still has
    ///   processes after `killRounds` rounds.
    public func killAll() throws(SupervisorError) {
        for _ in 0..<Self.killRounds {
            if try processes().isEmpty { return }
            try setFrozen(true)
            var pidfds: [FileDescriptor] = []
            defer { for pidfd in pidfds { FileSystem.close(pidfd) } }
            let pids: [Int32]
            do throws(SupervisorError) {
                pids = try processes()
                for pid in pids {
                    if let pidfd = try? ProcessTree.openPidfd(pid) { pidfds.append(pidfd) }
                }
                let killFile = primaryDirectory + "/cgroup.kill"
                if isV2, CgroupFiles.exists(killFile) {
                    try Self.write("1", to: killFile, agent: agent)
                } else {
                    for pidfd in pidfds { _ = try? ProcessControl.signal(pidfd: pidfd, ProcessControl.killSignal) }
                }
            } catch {
                try? setFrozen(false)
                throw error
            }
            try setFrozen(false)
            try waitForEnd(of: pidfds)
        }
        if try processes().isEmpty { return }
        throw SupervisorError(
            "agent \(agent): its cgroup still has processes after \(Self.killRounds) rounds of SIGKILL")
    }

    /// Freezes or thaws the group, where it can be.
    private func setFrozen(_ frozen: Bool) throws(SupervisorError) {
        if isV2 {
            let file = primaryDirectory + "/cgroup.freeze"
            if CgroupFiles.exists(file) { try Self.write(frozen ? "1" : "0", to: file, agent: agent) }
        } else if let freezer = directories[.freezer] {
            try Self.write(frozen ? "FROZEN" : "THAWED", to: freezer + "/freezer.state", agent: agent)
        }
    }

    /// Blocks until every process behind `pidfds` has ended.
    private func waitForEnd(of pidfds: [FileDescriptor]) throws(SupervisorError) {
        var remaining = pidfds
        while !remaining.isEmpty {
            do throws(SystemError) {
                let ready = try Polling.waitForInput(remaining)
                remaining = zip(remaining, ready).filter { !$0.1 }.map(\.0)
            } catch {
                throw SupervisorError("agent \(agent): cannot wait for its processes to end: \(error)")
            }
        }
    }
}
