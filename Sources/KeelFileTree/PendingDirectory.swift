import KeelLinux
import Synchronization
import SystemPackage

/// A directory being filled, possibly by several threads: it stays open while anything still
/// writes into it, and is finished (made read-only and given the canonical time, when asked)
/// and closed by whoever lets go of it last.
///
/// Holds: one for the walker until it leaves the directory, one per file queued into it, one
/// per child directory until that child is finished. Finishing a child never changes the
/// parent's modification time, so a parent finished after its children keeps its canonical
/// time.
final class PendingDirectory: Sendable {
    /// The open directory.
    let fd: FileDescriptor
    /// Where the directory is, for error messages.
    let label: String
    private let parent: PendingDirectory?
    private let canonical: Bool
    private let holds = Mutex(1)

    /// Wraps the open directory `fd`, holding it once for the caller and its parent once for
    /// itself.
    init(fd: FileDescriptor, label: String, parent: PendingDirectory?, canonical: Bool) {
        self.fd = fd
        self.label = label
        self.parent = parent
        self.canonical = canonical
        parent?.hold()
    }

    /// Takes one more hold.
    func hold() { holds.withLock { $0 += 1 } }

    /// Lets go of one hold; the last one finishes and closes the directory, then lets go of the
    /// parent. The directory is closed even when finishing fails.
    ///
    /// - Throws: `FileTreeError` when making the directory (or a parent) canonical fails.
    func release() throws(FileTreeError) {
        let remaining = holds.withLock { holds in
            holds -= 1
            return holds
        }
        guard remaining == 0 else { return }
        var failure: FileTreeError?
        if canonical {
            do {
                try FileSystem.setPermissions(fd, 0o555)
                try FileSystem.setTimes(fd, seconds: TreeCopier.canonicalTime)
            } catch {
                failure = FileTreeError(path: label, problem: .system(error))
            }
        }
        FileSystem.close(fd)
        do { try parent?.release() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }
}
