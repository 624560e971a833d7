import KeelFormats
import KeelLinux
import KeelStore

/// Writes closures from a local store to a binary cache directory in Nix's layout
/// (spec/nix-formats.md §5): `nix-cache-info`, `nar/<filehash>.nar[.xz|.zst]` and
/// `<hash>.narinfo`, as `nix copy --to file://DIR` does.
///
/// Paths whose narinfo the cache already has are skipped. Every file is written under a
/// temporary name and renamed into place, a path's NAR before its narinfo and a narinfo only
/// after those of its references, so a reader never sees half a file or a path without its
/// closure; nothing in the cache is replaced or removed (a NAR file already there under the same
/// name is kept). Files are not synced to disk, as Nix does not sync them either. Paths are
/// written in parallel on `options.jobs` threads, largest first; each NAR is streamed from the
/// store through the compressor into its file, and its hash checked against the store's.
public struct CacheWriter: Sendable {
    /// The store the paths come from.
    public let store: LocalStore
    /// The cache directory (created when missing).
    public let directory: String
    /// Compression, signing key and parallelism.
    public let options: CachePushOptions

    /// A writer of `store`'s paths into the cache at `directory`.
    public init(store: LocalStore, directory: String, options: CachePushOptions = CachePushOptions()) {
        self.store = store
        self.directory = directory
        self.options = options
    }

    /// Writes the closures of `roots` to the cache, reporting progress after each path (from
    /// worker threads, one report at a time).
    ///
    /// - Throws: `CacheError`: `.store` when a path is not valid, cannot be read or does not
    ///   match its recorded NarHash; `.badInput` when the cache is for another store directory;
    ///   `.fileSystem` when the cache cannot be written. Paths finished before a failure stay in
    ///   the cache, complete.
    public func push(
        _ roots: [StorePath], progress: @escaping @Sendable (TransferProgress) -> Void = { _ in }
    ) throws(CacheError) -> CachePushResult {
        let infos = try closureInfos(of: roots)
        let cache = try CacheDirectory.open(directory, for: store.layout.storeDirectory)
        var present: [PathInfo] = []
        var missing: [PathInfo] = []
        for info in infos {
            if try cache.hasNarInfo(for: info.path) { present.append(info) } else { missing.append(info) }
        }
        let tally = CachePushTally(
            pathsTotal: infos.count, bytesTotal: infos.reduce(0) { $0 + $1.narSize }, progress: progress)
        tally.record(present)
        let publisher = CacheNarInfoPublisher(cache: cache, present: Set(present.map(\.path)))
        if !missing.isEmpty {
            let options = options
            let store = store
            let threads = min(options.jobs, missing.count)
            let buffers = RecyclingPool<CacheNarBuffer>(limit: threads)
            let queue = WorkQueue<PathInfo, CacheError>(threads: threads) { info throws(CacheError) in
                try Self.write(
                    info, from: store, to: cache, options: options, publisher: publisher, tally: tally,
                    buffers: buffers)
            }
            for info in missing.sorted(by: { $0.narSize > $1.narSize }) { queue.submit(info) }
            try queue.finish()
        }
        let unpublished = publisher.unpublished
        guard unpublished.isEmpty else {
            let names = unpublished.map { store.fullPath($0) }.sorted().joined(separator: ", ")
            throw CacheError(.store, "the store's closure is incomplete: references of \(names) are missing")
        }
        return tally.result(skipped: present.map(\.path))
    }

    /// The path infos of the closure of `roots`.
    private func closureInfos(of roots: [StorePath]) throws(CacheError) -> [PathInfo] {
        do {
            return try store.closureInfos(of: roots)
        } catch {
            throw CacheError(.store, "cannot read the closure from the store: \(error)")
        }
    }
}
