import KeelLinux

/// Which agent a notify message belongs to: systemd's `NotifyAccess=all`, accepting messages
/// from the agent's process or any of its descendants (found through `/proc/PID/stat`'s parent
/// chain), so a helper the agent runs (`systemd-notify` reports its parent's pid) still counts.
///
/// A descendant that was orphaned and re-parented (to the daemon as subreaper, or to init) is no
/// longer in the chain and does not count; nor does a process whose pid was reused.
public enum NotifyAttribution {
    /// The deepest parent chain followed before giving up (the kernel's pid space bounds real
    /// chains far below this; it only guards against a cycle through reused pids).
    public static let maximumDepth = 4096

    /// Whether `senderPID` is `agentPID` or one of its descendants, reading `<proc>/PID/stat`.
    ///
    /// - Parameter proc: where procfs is mounted (tests may point it at a fake tree).
    /// - Returns: `false` for pids that are not positive, and once a process in the chain has
    ///   exited (the chain is broken).
    public static func belongsToTree(senderPID: Int32, agentPID: Int32, proc: String = "/proc") -> Bool {
        guard senderPID > 0, agentPID > 0 else { return false }
        var current = senderPID
        for _ in 0..<maximumDepth {
            if current == agentPID { return true }
            guard current > 1, let parent = parentPID(of: current, proc: proc) else { return false }
            current = parent
        }
        return false
    }

    /// The parent pid of `pid`, or `nil` if it cannot be read (the process has exited).
    public static func parentPID(of pid: Int32, proc: String = "/proc") -> Int32? {
        guard let stat = try? FileSystem.readWholeFile("\(proc)/\(pid)/stat", limit: 64 * 1024) else { return nil }
        return parentPID(statLine: stat)
    }

    /// The fourth field of a `/proc/PID/stat` line (`pid (comm) state ppid …`), found after the
    /// last `)` since the command name may hold spaces and parentheses; `nil` if malformed.
    public static func parentPID(statLine: [UInt8]) -> Int32? {
        guard let close = statLine.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2 else { return nil }
        return Int32(String(decoding: fields[1], as: UTF8.self))
    }
}
