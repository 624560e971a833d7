import KeelLinux

/// Agents a previous life of the daemon left running (it was killed with SIGKILL, or crashed):
/// found through their pid files, proven to be Keel's (the pid's start time matches the file,
/// and its environment names the agent), and ended with their process group and session, so
/// that the new daemon starts each agent afresh and there are never two copies of one.
public enum LeftoverAgents {
    /// One leftover agent that was ended.
    public struct Ended: Sendable, Equatable {
        /// The agent's name.
        public let name: String
        /// Its pid.
        public let pid: Int32
        /// How it was recognised and ended.
        public let how: String
    }

    /// Ends every leftover agent under `paths`, waiting until each is gone.
    public static func end(paths: SupervisorPaths) -> [Ended] {
        guard let directory = try? FileSystem.openDirectory(Array(paths.runtimeDirectories.utf8)) else { return [] }
        let entries = (try? DirectoryListing.read(directory)) ?? []
        FileSystem.close(directory)
        let names = entries.filter { $0.kind == .directory }.map { FileSystem.display($0.name) }
        var ended: [Ended] = []
        for name in names.sorted() {
            let pidFile = paths.pidFile(name)
            defer { AgentPidFile(path: pidFile).remove() }
            guard let entry = AgentPidFile.live(at: pidFile),
                let environment = ProcessTree.environment(of: entry.pid),
                environment.contains("KEEL_AGENT=\(name)")
            else { continue }
            let others = endSession(of: entry)
            ended.append(
                Ended(
                    name: name, pid: entry.pid,
                    how: "pid file and start time matched; killed with its session (\(others) more processes)"))
        }
        return ended
    }

    /// Kills `leader` (the agent of a pid file, proven by its start time), its process group and
    /// its session, and waits until every one of them has exited: a successor started afterwards
    /// never shares the host with any of them. A member forked while the others are being killed
    /// is found in the next round. The leader's pid names its group and session only while one
    /// of their members lives; a process that took that number afterwards (another start time)
    /// means none is left, and nothing more is touched. Returns how many processes besides the
    /// leader were ended.
    static func endSession(of leader: AgentPidFile.Entry) -> Int {
        let id = leader.pid
        var others: Set<Int32> = []
        for _ in 0..<8 {
            let snapshot = (try? ProcessTree.snapshot()) ?? []
            if snapshot.contains(where: { $0.pid == id && $0.startTime != leader.startTime }) { break }
            let members = snapshot.filter {
                !$0.isZombie && ($0.pid == id || $0.session == id || $0.processGroup == id)
            }
            if members.isEmpty { break }
            // Opened before the signals, so that each wait is on the process that was signalled.
            let pidfds = members.compactMap { try? ProcessTree.openPidfd($0.pid) }
            try? ProcessTree.signalGroup(id, ProcessControl.killSignal)
            for member in members { _ = try? ProcessControl.signal(member.pid, ProcessControl.killSignal) }
            for pidfd in pidfds {
                _ = try? Polling.waitForInput([pidfd])
                FileSystem.close(pidfd)
            }
            others.formUnion(members.map(\.pid).filter { $0 != id })
        }
        return others.count
    }
}
