import KeelLinux

/// An agent's pid file, `ROOT/run/agents/NAME/pid`: its pid and start time (clock ticks since
/// boot, from /proc), so a daemon started after a crash finds the agents of its previous life
/// and never mistakes a reused pid for one of them.
public enum AgentPidFile {
    /// One agent process found through its pid file.
    public struct Entry: Sendable, Equatable {
        /// Its pid.
        public let pid: Int32
        /// Its start time, as /proc/PID/stat gives it.
        public let startTime: UInt64
    }

    /// Writes `pid` and its start time, atomically (a temporary file renamed over it) but not
    /// synced: it only has to outlive the daemon, not the machine, whose reboot ends the agents
    /// too. A failure only loses the ability to find the agent after a crash of the daemon, so
    /// it is not fatal.
    static func write(pid: Int32, to path: String) {
        guard let entry = ProcessTree.entry(of: pid) else { return }
        let temporary = Array((path + ".tmp").utf8)
        try? FileSystem.remove(temporary, in: FileSystem.currentDirectory, isDirectory: false)
        do throws(SystemError) {
            let fd = try FileSystem.createFile(temporary, in: FileSystem.currentDirectory, permissions: 0o640)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, Array("\(pid) \(entry.startTime)\n".utf8), at: 0)
            try FileSystem.rename(
                temporary, in: FileSystem.currentDirectory, to: Array(path.utf8), in: FileSystem.currentDirectory)
        } catch {
            try? FileSystem.remove(temporary, in: FileSystem.currentDirectory, isDirectory: false)
        }
    }

    /// Removes the pid file (gone already is fine).
    static func remove(_ path: String) {
        try? FileSystem.remove(Array(path.utf8), in: FileSystem.currentDirectory, isDirectory: false)
    }

    /// The process the pid file at `path` names, if it still runs with the same start time.
    public static func live(at path: String) -> Entry? {
        guard let bytes = try? FileSystem.readWholeFile(path, limit: 128) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let pid = Int32(fields[0]), pid > 1, let start = UInt64(fields[1]),
            let entry = ProcessTree.entry(of: pid), entry.startTime == start
        else { return nil }
        return Entry(pid: pid, startTime: start)
    }
}
