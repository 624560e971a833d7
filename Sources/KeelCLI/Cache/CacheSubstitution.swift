import Foundation
import KeelBuild
import KeelCache
import KeelFormats
import KeelStore
import Synchronization

/// The builder's `PathSubstitution` over binary caches: fetches what the caches have, says on
/// stderr what it fetched and why a cache's offer was refused, and leaves the rest to be built.
final class CacheSubstitution: PathSubstitution {
    /// The caches.
    let substituter: Substituter
    /// The store paths go into.
    let store: LocalStore
    /// Whether a progress line is shown (stderr is a terminal).
    let showProgress: Bool
    /// The warnings already shown: the builder may ask again for a path a cache refused.
    private let shown = Mutex<Set<String>>([])

    /// Substitution from `substituter` into `store`.
    init(substituter: Substituter, store: LocalStore, showProgress: Bool) {
        self.substituter = substituter
        self.store = store
        self.showProgress = showProgress
    }

    func substitute(_ paths: [StorePath]) {
        let progress = TransferProgressLine(enabled: showProgress, verb: "fetched")
        let outcome: SubstitutionOutcome
        do {
            outcome = try substituter.substitute(paths, into: store, progress: progress.report)
        } catch {
            progress.clear()
            StandardErrorLine.write("keel: warning: binary caches not used: \(error.description)")
            return
        }
        progress.clear()
        let warnings =
            outcome.warnings
            + outcome.failures.filter { $0.code != .notFound }.map { "\($0.reason); making it here instead" }
        for warning in warnings where shown.withLock({ $0.insert(warning).inserted }) {
            StandardErrorLine.write("keel: warning: \(warning)")
        }
        if !outcome.fetched.isEmpty {
            StandardErrorLine.write(
                "keel: fetched \(outcome.fetched.count) paths (\(ByteCount(outcome.downloadedBytes))) from binary caches"
            )
        }
    }
}
