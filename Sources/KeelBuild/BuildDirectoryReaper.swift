import KeelLinux

/// Removes finished builds' directories on a background thread, so the next build need not
/// wait for the unlinking; `drain` waits until every one handed over is gone.
final class BuildDirectoryReaper: Sendable {
    private let removals = WorkQueue<BuildDirectory, Never> { $0.remove() }

    /// Removes `directory` soon (it stays locked against `removeAbandoned` until then).
    func remove(_ directory: BuildDirectory) {
        removals.submit(directory)
    }

    /// Waits until every directory handed over has been removed; takes no more afterwards.
    func drain() { removals.finish() }
}
