import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One process as `/proc/PID/stat` shows it.
public struct ProcessEntry: Sendable, Equatable {
    /// Its pid.
    public let pid: Int32
    /// Its parent's pid (after any reparenting).
    public let parent: Int32
    /// Its process group.
    public let processGroup: Int32
    /// Its session.
    public let session: Int32
    /// Whether it has ended and waits to be reaped.
    public let isZombie: Bool
    /// When it started, in clock ticks after boot: with `pid`, names it for good.
    public let startTime: UInt64
}

/// Reading the system's processes from `/proc`, and opening pidfds for them.
public enum ProcessTree {
    /// This process's pid.
    public static var ownPID: Int32 { getpid() }

    /// Every process now in `/proc` (a process that ends while it is read is left out).
    ///
    /// - Throws: `SystemError` when `/proc` cannot be listed.
    public static func snapshot() throws(SystemError) -> [ProcessEntry] {
        let proc = try FileSystem.openDirectory(Array("/proc".utf8))
        defer { FileSystem.close(proc) }
        return try DirectoryListing.read(proc).compactMap { entry in
            guard let pid = Int32(String(decoding: entry.name, as: UTF8.self)), pid > 0 else { return nil }
            return self.entry(of: pid)
        }
    }

    /// Process `pid` as `/proc/PID/stat` shows it now, or `nil` when there is none (or it
    /// cannot be read).
    public static func entry(of pid: Int32) -> ProcessEntry? {
        guard let stat = try? FileSystem.readWholeFile("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return parseStat(stat)
    }

    /// Parses `/proc/PID/stat`: `pid (comm) state ppid pgrp session ...`, where comm may itself
    /// hold spaces and parentheses (so the fields start after the last `)`).
    static func parseStat(_ stat: [UInt8]) -> ProcessEntry? {
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")),
            let pid = Int32(String(decoding: stat.prefix(while: { $0 != UInt8(ascii: " ") }), as: UTF8.self))
        else { return nil }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " ")).map {
            String(decoding: $0, as: UTF8.self)
        }
        // fields[0] is the state (field 3 of stat); starttime is field 22.
        guard fields.count > 19, let parent = Int32(fields[1]), let group = Int32(fields[2]),
            let session = Int32(fields[3]), let start = UInt64(fields[19])
        else { return nil }
        return ProcessEntry(
            pid: pid, parent: parent, processGroup: group, session: session,
            isZombie: fields[0] == "Z" || fields[0] == "X", startTime: start)
    }

    /// The environment process `pid` was started with (`/proc/PID/environ`: `NAME=value`
    /// strings), or `nil` when it cannot be read (gone, a zombie, not ours).
    public static func environment(of pid: Int32) -> [String]? {
        guard let bytes = try? FileSystem.readWholeFile("/proc/\(pid)/environ", limit: 1 << 20), !bytes.isEmpty
        else { return nil }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `pidfd_open(2)` for any process: signals through it never reach a process that later
    /// reuses the pid, and it is readable once the process has ended.
    ///
    /// - Returns: `nil` when there is no process `pid` (`ESRCH`).
    public static func openPidfd(_ pid: Int32) throws(SystemError) -> FileDescriptor? {
        let fd = ckeel_pidfd_open(pid)
        if fd >= 0 { return FileDescriptor(rawValue: fd) }
        let code = errno
        if code == ESRCH { return nil }
        throw SystemError(call: "pidfd_open", errno: code)
    }

    /// Whether process `pid` holds the write end of the pipe whose inode is `inode` (a
    /// `/proc/PID/fd` link reading `pipe:[INODE]` whose `/proc/PID/fdinfo` flags allow writing);
    /// `false` when they cannot be read.
    ///
    /// Only the write end tells an agent's descendant: a child this process is spawning holds a
    /// copy of every descriptor it has, the read ends of its agents' pipes included, until it
    /// calls exec.
    public static func holdsPipeWriteEnd(_ pid: Int32, inode: UInt64) -> Bool {
        let target = Array("pipe:[\(inode)]".utf8)
        guard let directory = try? FileSystem.openDirectory(Array("/proc/\(pid)/fd".utf8)) else { return false }
        defer { FileSystem.close(directory) }
        guard let entries = try? DirectoryListing.read(directory) else { return false }
        return entries.contains { entry in
            guard (try? FileSystem.readLink(entry.name, in: directory)) == target else { return false }
            let name = String(decoding: entry.name, as: UTF8.self)
            guard let info = try? FileSystem.readWholeFile("/proc/\(pid)/fdinfo/\(name)", limit: 1 << 16) else {
                return false
            }
            return isOpenForWriting(fdinfo: info)
        }
    }

    /// Whether an `/proc/PID/fdinfo/FD` text's `flags:` (octal open flags) allow writing.
    static func isOpenForWriting(fdinfo: [UInt8]) -> Bool {
        for line in fdinfo.split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("flags:") else { continue }
            let digits = text.dropFirst("flags:".count).filter { $0 != " " && $0 != "\t" }
            guard let flags = Int(digits, radix: 8) else { return false }
            return flags & Int(O_ACCMODE) != Int(O_RDONLY)
        }
        return false
    }

    /// `kill(2)` of process group `group` (`-group`); a group with no process left is not an
    /// error.
    ///
    /// - Important: a group id stays reserved while any process is in the group; signal a group
    ///   only while one of its members is known to exist (its leader not reaped).
    public static func signalGroup(_ group: Int32, _ signal: Int32) throws(SystemError) {
        precondition(group > 1, "signalling process group \(group) would reach more than a group")
        if kill(-group, signal) == 0 || errno == ESRCH { return }
        throw SystemError(call: "kill", errno: errno)
    }
}
