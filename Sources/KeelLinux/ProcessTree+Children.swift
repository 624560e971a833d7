import Glibc

extension ProcessTree {
    /// The pids of the children of this process's main thread, from
    /// `/proc/self/task/PID/children`: whatever was reparented to this process as a subreaper
    /// (the kernel hands orphans to the first live thread of the reaper, the main thread while
    /// it lives), and the processes the main thread started. Processes other threads started
    /// are not listed. Nil when the kernel does not provide the file (CONFIG_PROC_CHILDREN).
    public static func childrenOfMainThread() -> [Int32]? {
        let path = "/proc/self/task/\(ownPID)/children"
        guard let bytes = try? FileSystem.readWholeFile(path, limit: 1 << 20) else { return nil }
        return bytes.split(separator: UInt8(ascii: " ")).compactMap { Int32(String(decoding: $0, as: UTF8.self)) }
    }

    /// Whether process group `group` has any process left (`kill(-group, 0)`).
    public static func groupHasMembers(_ group: Int32) -> Bool {
        precondition(group > 1, "process group \(group) is not an agent's")
        return kill(-group, 0) == 0 || errno != ESRCH
    }
}
