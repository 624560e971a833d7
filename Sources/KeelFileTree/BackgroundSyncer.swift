import Dispatch
import KeelLinux
import Synchronization
import SystemPackage

/// Makes finished files durable on a thread of its own (`fsync`, then `close`), so writing a
/// big file to disk overlaps with reading, hashing and writing the next one; a later `fsync` of
/// the same file then returns at once.
///
/// The first failure is kept and thrown by `finish()`: a failed `fsync` may not be reported
/// again to a later one, so it must not be lost.
final class BackgroundSyncer: @unchecked Sendable {
    private struct State {
        var queue: [(fd: FileDescriptor, label: String, wholeFileSystem: Bool)] = []
        var closed = false
        var error: FileTreeError?
    }

    private let state = Mutex(State())
    private let workAvailable = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    /// Starts the thread.
    init() { BackgroundThread.start { self.run() } }

    /// Takes `fd` (the syncer closes it) to make durable; `label` names it in an error.
    func add(_ fd: FileDescriptor, label: String) {
        state.withLock { $0.queue.append((fd, label, false)) }
        workAvailable.signal()
    }

    /// Takes `fd` (the syncer closes it) and flushes the whole file system holding it
    /// (`syncfs`), so the writes made so far reach the disk while more are being made.
    func flushFileSystem(_ fd: FileDescriptor, label: String) {
        state.withLock { $0.queue.append((fd, label, true)) }
        workAvailable.signal()
    }

    /// Waits until every file handed over is durable and closed; throws the first failure.
    func finish() throws(FileTreeError) {
        state.withLock { $0.closed = true }
        workAvailable.signal()
        stopped.wait()
        if let error = state.withLock({ $0.error }) { throw error }
    }

    private func run() {
        while true {
            workAvailable.wait()
            let next: (fd: FileDescriptor, label: String, wholeFileSystem: Bool)?? = state.withLock { state in
                if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                return state.closed ? .none : .some(nil)
            }
            guard let next else {
                stopped.signal()
                return
            }
            guard let (fd, label, wholeFileSystem) = next else { continue }
            do {
                if wholeFileSystem { try FileSystem.syncFileSystem(fd) } else { try FileSystem.sync(fd) }
            } catch {
                state.withLock { state in
                    if state.error == nil { state.error = FileTreeError(path: label, problem: .system(error)) }
                }
            }
            FileSystem.close(fd)
        }
    }
}
