import Dispatch

/// Removes finished builds' directories on a background thread, so the next build need not
/// wait for the unlinking; `drain` waits until every one handed over is gone.
final class BuildDirectoryReaper: Sendable {
    private let queue = DispatchQueue(label: "keel.build-directory-reaper")
    private let group = DispatchGroup()

    /// Removes `directory` soon (it stays locked against `removeAbandoned` until then).
    func remove(_ directory: BuildDirectory) {
        queue.async(group: group) { directory.remove() }
    }

    /// Waits until every directory handed over has been removed.
    func drain() { group.wait() }
}
