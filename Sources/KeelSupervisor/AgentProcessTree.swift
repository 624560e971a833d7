import KeelLinux

/// Which processes belong to one agent's tree, decided from `/proc` and nothing a stranger
/// could share by accident.
///
/// A process is the agent's when any of these holds:
/// - its session is the agent's (the agent was started with `setsid`, so its pid is its
///   session's id; the kernel keeps that id from being reused while any process is in the
///   session);
/// - its parent is the agent, while the agent is not reaped (its pid cannot be reused before);
/// - it was reparented to this process (the child subreaper) and carries the agent's instance
///   marker in its environment, or holds the write end of the agent's output pipe (which nobody
///   else was given; a child this process is spawning holds copies of the read ends until its
///   exec, so the read end tells nothing);
/// - it is a process found by an earlier look (same pid and start time: a zombie that has
///   lost its environment and descriptors is still recognised);
/// - its parent is one of the above.
///
/// A process that left the session, dropped the marker from its environment and closed the
/// output pipe before its parent died cannot be told from any other orphan: it is left alone.
struct AgentProcessTree: Sendable {
    /// The agent's pid (its session and process group).
    let agentPID: Int32
    /// `NAME=value` of the marker in the agent's environment.
    let marker: String
    /// The inode of the agent's output pipe.
    let pipeInode: UInt64

    /// The agent's processes in `snapshot`, the agent itself excepted.
    ///
    /// - Parameters:
    ///   - agentUnreaped: whether the agent has not been reaped yet (its pid still names it).
    ///   - ownPID: this process's pid (the subreaper).
    ///   - known: start times by pid of the processes found by earlier looks.
    func members(
        of snapshot: [ProcessEntry], agentUnreaped: Bool, ownPID: Int32, known: [Int32: UInt64]
    ) -> [ProcessEntry] {
        var children: [Int32: [ProcessEntry]] = [:]
        var found: [ProcessEntry] = []
        var seen = Set<Int32>()
        for entry in snapshot where entry.pid != agentPID && entry.pid != ownPID {
            children[entry.parent, default: []].append(entry)
            let isRoot =
                known[entry.pid] == entry.startTime || entry.session == agentPID
                || (agentUnreaped && entry.parent == agentPID)
                || (entry.parent == ownPID && carriesMark(entry.pid))
            if isRoot && seen.insert(entry.pid).inserted { found.append(entry) }
        }
        var next = 0
        while next < found.count {
            for child in children[found[next].pid] ?? [] where seen.insert(child.pid).inserted {
                found.append(child)
            }
            next += 1
        }
        return found
    }

    /// Whether process `pid` has the marker in its environment or holds the output pipe's write
    /// end.
    private func carriesMark(_ pid: Int32) -> Bool {
        if ProcessTree.environment(of: pid)?.contains(marker) == true { return true }
        return ProcessTree.holdsPipeWriteEnd(pid, inode: pipeInode)
    }
}
