import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// An agent's pid file, `ROOT/run/agents/NAME/pid`: its pid and start time (clock ticks since
/// boot, from /proc), so a daemon started after a crash finds the agents of its previous life
/// and never mistakes a reused pid for one of them.
///
/// The daemon keeps the file open from the agent's first start until it stops and records each
/// start with one positioned write of a line of fixed length over the last: a reader once the
/// daemon has died (the next daemon) finds one whole line or the other. Nothing is synced: the file only
/// has to outlive the daemon, not the machine, whose reboot ends the agents too.
public final class AgentPidFile {
    /// One agent process found through its pid file.
    public struct Entry: Sendable, Equatable {
        /// Its pid.
        public let pid: Int32
        /// Its start time, as /proc/PID/stat gives it.
        public let startTime: UInt64
    }

    /// How long every line is, its newline included: a pid (at most 7 digits) and a start time
    /// (at most 20), padded with spaces.
    static let lineLength = 32

    private let path: String
    private var descriptor: FileDescriptor?

    /// The pid file at `path`; nothing is opened until the first `record`.
    init(path: String) {
        self.path = path
    }

    deinit {
        if let descriptor { FileSystem.close(descriptor) }
    }

    /// Records `pid` and its start time. A failure only loses the ability to find the agent
    /// after a crash of the daemon, so it is not fatal.
    func record(pid: Int32) {
        guard let entry = ProcessTree.entry(of: pid) else { return }
        var line = Array("\(pid) \(entry.startTime)".utf8)
        guard line.count < Self.lineLength else { return }
        line += [UInt8](repeating: UInt8(ascii: " "), count: Self.lineLength - 1 - line.count) + [UInt8(ascii: "\n")]
        do throws(SystemError) {
            try FileSystem.write(try openFile(), line, at: 0)
        } catch {
            close()
        }
    }

    /// Closes the file and removes it, when it is provably the daemon's: the one it holds open,
    /// or (held by no record, as after a restart of the daemon) a regular file of the daemon's
    /// user. Anything else at the path, gone already included, is left as it is.
    func remove() {
        let name = Array(path.utf8)
        let found = try? FileSystem.status(of: name)
        let ours: Bool
        if let descriptor {
            let held = try? FileSystem.status(of: descriptor)
            ours = found != nil && found?.device == held?.device && found?.inode == held?.inode
        } else {
            ours = found?.kind == .regular && found?.uid == geteuid()
        }
        close()
        if ours { try? FileSystem.remove(name, in: FileSystem.currentDirectory, isDirectory: false) }
    }

    /// The open file: made afresh and renamed over whatever is at the path the first time, and
    /// again when someone removed it meanwhile. A strict agent can create entries in its
    /// runtime directory, so the daemon never opens one it did not make: a fifo put there would
    /// block the open.
    private func openFile() throws(SystemError) -> FileDescriptor {
        if let descriptor, (try? FileSystem.status(of: descriptor).linkCount) ?? 0 > 0 { return descriptor }
        close()
        let created = try FileSystem.createReplacing(atPath: path, permissions: 0o640)
        descriptor = created
        return created
    }

    private func close() {
        if let descriptor { FileSystem.close(descriptor) }
        descriptor = nil
    }

    /// The process the pid file at `path` names, if it still runs with the same start time.
    /// Only a regular file of this user's counts (read without blocking: it may be anything an
    /// agent put in its runtime directory).
    public static func live(at path: String) -> Entry? {
        guard let fd = try? FileSystem.openForReading(Array(path.utf8)) else { return nil }
        defer { FileSystem.close(fd) }
        guard let status = try? FileSystem.status(of: fd), status.kind == .regular, status.uid == geteuid(),
            let bytes = try? FileSystem.read(fd, count: 128, at: 0)
        else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let pid = Int32(fields[0]), pid > 1, let start = UInt64(fields[1]),
            let entry = ProcessTree.entry(of: pid), entry.startTime == start
        else { return nil }
        return Entry(pid: pid, startTime: start)
    }
}
