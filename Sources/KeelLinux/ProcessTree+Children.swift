import Glibc

extension ProcessTree {
    /// The pids of this process's children (of all its threads), from
    /// `/proc/self/task/*/children`: the agents it started and whatever was reparented to it as
    /// a subreaper. Nil when the kernel does not provide the files (CONFIG_PROC_CHILDREN).
    public static func childrenOfSelf() -> [Int32]? {
        guard let directory = try? FileSystem.openDirectory(Array("/proc/self/task".utf8)) else { return nil }
        let threads = (try? DirectoryListing.read(directory)) ?? []
        FileSystem.close(directory)
        var children: [Int32] = []
        for thread in threads where thread.kind == .directory && thread.name.first != UInt8(ascii: ".") {
            let path = "/proc/self/task/" + FileSystem.display(thread.name) + "/children"
            guard let bytes = try? FileSystem.readWholeFile(path, limit: 1 << 20) else { return nil }
            children += bytes.split(separator: UInt8(ascii: " ")).compactMap {
                Int32(String(decoding: $0, as: UTF8.self))
            }
        }
        return children
    }

    /// Whether process group `group` has any process left (`kill(-group, 0)`).
    public static func groupHasMembers(_ group: Int32) -> Bool {
        precondition(group > 1, "process group \(group) is not an agent's")
        return kill(-group, 0) == 0 || errno != ESRCH
    }
}
