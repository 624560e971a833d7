#if canImport(Glibc)
    import Glibc
#endif

/// How much memory a process uses, from `/proc`.
public enum ProcessMemory {
    /// The resident set size of `pid` in bytes (`/proc/PID/statm`'s second field times the page
    /// size), or `nil` when the process is gone or unreadable.
    public static func residentBytes(of pid: Int32) -> UInt64? {
        guard let bytes = try? FileSystem.readWholeFile("/proc/\(pid)/statm", limit: 4096) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
