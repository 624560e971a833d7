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
            defer { try? FileSystem.remove(Array(pidFile.utf8), in: FileSystem.currentDirectory, isDirectory: false) }
            guard let entry = AgentPidFile.live(at: pidFile),
                let environment = ProcessTree.environment(of: entry.pid),
                environment.contains("KEEL_AGENT=\(name)")
            else { continue }
            let members = ((try? ProcessTree.snapshot()) ?? []).filter {
                $0.pid != entry.pid && ($0.session == entry.pid || $0.processGroup == entry.pid)
            }
            let pidfd = try? ProcessTree.openPidfd(entry.pid)
            try? ProcessTree.signalGroup(entry.pid, ProcessControl.killSignal)
            _ = try? ProcessControl.signal(entry.pid, ProcessControl.killSignal)
            for member in members { _ = try? ProcessControl.signal(member.pid, ProcessControl.killSignal) }
            if let pidfd = pidfd ?? nil {
                _ = try? Polling.waitForInput([pidfd])
                FileSystem.close(pidfd)
            }
            ended.append(
                Ended(
                    name: name, pid: entry.pid,
                    how: "pid file and start time matched; killed with its session (\(members.count) more processes)"))
        }
        return ended
    }
}
