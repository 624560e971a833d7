import CKeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Waits, in the kernel, for a cgroup event: a cgroup v1 memory group's OOM (an eventfd
/// registered through `cgroup.event_control` with `memory.oom_control`) or a change of a cgroup
/// v2 file such as `memory.events` (inotify). `stop()` ends a wait from another thread.
///
/// Meant for one thread of its own (`DetachedThread`) looping on `wait()`.
public final class CgroupEventWatch: Sendable {
    private let source: Int32
    private let stopPipe: PipeEnds

    private init(source: Int32) throws(SystemError) {
        do throws(SystemError) {
            stopPipe = try PipeEnds()
        } catch {
            Glibc.close(source)
            throw error
        }
        self.source = source
    }

    /// Registers for OOM notifications of the cgroup v1 memory group `group`. The kernel also
    /// signals once when the group is removed.
    public static func memoryOOM(v1Group group: String) throws(SystemError) -> CgroupEventWatch {
        let event = try SystemCall.retrying("eventfd") { ckeel_eventfd() }
        let controlPath = group + "/memory.oom_control"
        do throws(SystemError) {
            let control = try SystemCall.retrying("open", path: controlPath) { open(controlPath, O_RDONLY | O_CLOEXEC) }
            defer { Glibc.close(control) }
            try CgroupFiles.write("\(event) \(control)", to: group + "/cgroup.event_control")
        } catch {
            Glibc.close(event)
            throw error
        }
        return try CgroupEventWatch(source: event)
    }

    /// Watches the file at `path` (a cgroup v2 `memory.events`, `cgroup.events`) for changes;
    /// the watch also ends (a wake) when the file's group is removed.
    public static func fileChanges(_ path: String) throws(SystemError) -> CgroupEventWatch {
        let inotify = try SystemCall.retrying("inotify_init1") { inotify_init1(Int32(IN_CLOEXEC)) }
        do throws(SystemError) {
            _ = try SystemCall.retrying("inotify_add_watch", path: path) {
                inotify_add_watch(inotify, path, UInt32(IN_MODIFY))
            }
        } catch {
            Glibc.close(inotify)
            throw error
        }
        return try CgroupEventWatch(source: inotify)
    }

    /// Blocks until the event happens (or happened since the last call) or `stop()` is called.
    ///
    /// - Returns: `false` once stopped.
    /// - Throws: `SystemError` when polling or reading fails.
    public func wait() throws(SystemError) -> Bool {
        let ready = try Polling.waitForInput([
            FileDescriptor(rawValue: source), FileDescriptor(rawValue: stopPipe.reading),
        ])
        if ready[1] { return false }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        _ = try SystemCall.read(source, into: buffer)
        return true
    }

    /// Ends the current and every later `wait()`.
    public func stop() {
        var byte: UInt8 = 1
        _ = Glibc.write(stopPipe.writing, &byte, 1)
    }

    deinit {
        Glibc.close(source)
        Glibc.close(stopPipe.reading)
        Glibc.close(stopPipe.writing)
    }
}
