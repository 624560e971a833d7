#if canImport(Glibc)
    import Glibc
#endif

/// Starting a program as a child process with `posix_spawn(3)` (no fork of this process's
/// threads and memory), left to run on its own.
public enum ProcessSpawn {
    /// The signals whose action `start` resets to the default in the child (an ignored signal
    /// would otherwise stay ignored across `exec`).
    private static let defaultedSignals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE]

    /// Starts `executable` with `arguments` (`argv[0]` first), this process's environment, and
    /// its stdin, stdout and stderr only (every other descriptor is closed in the child, so it
    /// holds no pipe or socket another process waits on); in the child every signal is
    /// unblocked and SIGTERM, SIGINT, SIGHUP, SIGQUIT and SIGPIPE take their default action.
    ///
    /// The child is not waited for: reap it with `ProcessControl.wait` if it may end while this
    /// process runs.
    ///
    /// - Returns: the child's pid, once it has executed `executable`.
    /// - Throws: `SystemError` naming `posix_spawn` and `executable` (`EAGAIN`: the process or
    ///   pids limit is reached; `ENOENT`, `EACCES`: the program cannot be executed).
    public static func start(_ executable: String, arguments: [String]) throws(SystemError) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in defaultedSignals { sigaddset(&defaulted, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Swift cannot see glibc's addclosefrom_np: close each descriptor open now instead (one
        // that closes before the spawn makes the child's close fail with EBADF, which glibc ignores).
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard result == 0 else { throw SystemError(call: "posix_spawn", path: executable, errno: result) }
        return pid
    }

    /// The descriptors open in this process (`/proc/self/fd`; empty when it cannot be read).
    private static func openDescriptors() -> [Int32] {
        guard let directory = try? FileSystem.openDirectory(Array("/proc/self/fd".utf8)) else { return [] }
        defer { FileSystem.close(directory) }
        let entries = (try? DirectoryListing.read(directory)) ?? []
        return entries.compactMap { Int32(String(decoding: $0.name, as: UTF8.self)) }.filter {
            $0 != directory.rawValue
        }
    }
}
