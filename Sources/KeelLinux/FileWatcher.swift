#if canImport(Glibc)
    import Glibc
#endif

/// Waits for a file to be written to, with inotify(7), instead of polling it.
public final class FileWatcher {
    private let fd: Int32

    /// Watches `path` for writes.
    public init(path: String) throws(SystemError) {
        fd = try SystemCall.retrying("inotify_init1") { inotify_init1(Int32(IN_CLOEXEC)) }
        do throws(SystemError) {
            _ = try SystemCall.retrying("inotify_add_watch", path: path) {
                inotify_add_watch(fd, path, UInt32(IN_MODIFY))
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Blocks until the file has been written to since the last call.
    public func waitForChange() throws(SystemError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        _ = try SystemCall.read(fd, into: buffer)
    }

    deinit { Glibc.close(fd) }
}
