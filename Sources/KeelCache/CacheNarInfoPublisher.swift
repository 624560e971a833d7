import KeelFormats
import Synchronization

/// Writes narinfos as their NARs are written, each only once the narinfos of all its references
/// are in the cache: a reader of the cache never finds a path whose references are missing, even
/// while a push is under way or after one was interrupted.
final class CacheNarInfoPublisher: Sendable {
    private struct State {
        /// Paths whose narinfo is in the cache.
        var published: Set<StorePath>
        /// Narinfos waiting for their references, with those references.
        var waiting: [StorePath: (narInfo: NarInfo, references: [StorePath])] = [:]
    }

    private let cache: CacheDirectory
    private let state: Mutex<State>

    /// A publisher into `cache`, which already has the narinfos of `present`.
    init(cache: CacheDirectory, present: Set<StorePath>) {
        self.cache = cache
        state = Mutex(State(published: present))
    }

    /// Queues `narInfo` (of `path`, referring to `references`) and writes every narinfo whose
    /// references are now all in the cache.
    ///
    /// - Throws: `CacheError.Code.fileSystem` when a narinfo cannot be written.
    func add(_ narInfo: NarInfo, of path: StorePath, references: [StorePath]) throws(CacheError) {
        try state.withLock { state throws(CacheError) in
            state.waiting[path] = (narInfo, references.filter { $0 != path })
            var progressed = true
            while progressed {
                progressed = false
                for (waitingPath, entry) in state.waiting
                where entry.references.allSatisfy(state.published.contains) {
                    try cache.writeNew(entry.narInfo.text, as: CacheLayout.narinfoName(of: waitingPath))
                    state.waiting[waitingPath] = nil
                    state.published.insert(waitingPath)
                    progressed = true
                }
            }
        }
    }

    /// The paths still waiting for a reference (none once the whole closure was added).
    var unpublished: [StorePath] { state.withLock { Array($0.waiting.keys) } }
}
