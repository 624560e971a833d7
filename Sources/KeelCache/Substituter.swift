import KeelFormats
import KeelStore
import Synchronization

/// Fetches store paths and their closures from binary caches into a local store, checking
/// everything before it is registered.
///
/// Caches are asked in priority order; a narinfo must carry a signature by a trusted key
/// (otherwise the next cache is tried), and a NAR must hash to its narinfo's FileHash,
/// NarHash and NarSize. NARs are downloaded several at a time and streamed through
/// decompression, NAR parsing and hashing straight into the store directory. Each wanted path
/// is registered with its whole closure or not at all, and everything registered by one call is
/// registered in one transaction; nothing unverified is ever registered.
public final class Substituter: Sendable {
    /// The caches, most preferred first.
    public let caches: [BinaryCache]
    /// The keys whose signatures are trusted.
    public let trustedKeys: [SigningPublicKey]
    /// How many lookups and downloads run at once.
    public let jobs: Int

    /// A substituter over `caches` (most preferred first).
    public init(caches: [BinaryCache], trustedKeys: [SigningPublicKey], jobs: Int = 8) {
        self.caches = caches
        self.trustedKeys = trustedKeys
        self.jobs = max(1, jobs)
    }

    /// A substituter over the caches at `urls` (`file://DIR`, `http(s)://…`; most preferred
    /// first) for a store in `storeDirectory`; an HTTP cache that sends nothing for `timeout`
    /// is skipped for the rest of the run.
    ///
    /// - Throws: `CacheError.Code.badInput` for a URL Keel cannot read.
    public convenience init(
        urls: [String], storeDirectory: StoreDirectory, trustedKeys: [SigningPublicKey], jobs: Int = 8,
        timeout: Duration = .seconds(30)
    ) throws(CacheError) {
        var caches: [BinaryCache] = []
        for url in urls {
            let source: any BinaryCacheSource
            do { source = try CacheURL.source(url, connections: jobs, timeout: timeout) } catch {
                for cache in caches { cache.close() }
                throw error
            }
            caches.append(BinaryCache(source: source, storeDirectory: storeDirectory))
        }
        self.init(caches: caches, trustedKeys: trustedKeys, jobs: jobs)
    }

    /// Closes the caches' connections; the substituter is not used afterwards.
    public func close() {
        for cache in caches { cache.close() }
    }

    /// Makes `wanted` valid in `store` with their closures, as far as the caches allow.
    ///
    /// It blocks the calling thread until done (lookups and downloads run on threads of their
    /// own): call it from a thread that may block, never from an event loop.
    ///
    /// - Parameter progress: called (from worker threads) as NAR bytes arrive and paths finish.
    /// - Returns: what was fetched and, for each wanted path still not valid, why.
    /// - Throws: `CacheError` with code `.store` or `.fileSystem` only when the local store
    ///   fails, or `.badInput` when a cache is for another store directory than `store`'s;
    ///   whatever the caches do is reported in the outcome.
    public func substitute(
        _ wanted: [StorePath], into store: LocalStore,
        progress: @escaping @Sendable (TransferProgress) -> Void = { _ in }
    ) throws(CacheError) -> SubstitutionOutcome {
        for cache in caches where cache.storeDirectory != store.layout.storeDirectory {
            throw CacheError(
                .badInput,
                "cache \(cache.url) was opened for store directory '\(cache.storeDirectory.path)', not '\(store.layout.storeDirectory.path)'"
            )
        }
        var missing: [StorePath] = []
        for path in wanted where !missing.contains(path) {
            if try !Self.isValid(path, in: store) { missing.append(path) }
        }
        guard !missing.isEmpty else { return SubstitutionOutcome() }
        let planner = SubstitutionPlanner(caches: caches, trustedKeys: trustedKeys, jobs: jobs, store: store)
        var (chosen, faults) = try planner.plan(missing)
        let staging: SubstitutionStaging
        do { staging = try store.beginSubstitution() } catch { throw CacheError(.store, error.description) }
        defer { staging.abandon() }
        let toFetch = Self.closures(of: missing, chosen: chosen, faults: faults).compactMap { chosen[$0] }
        let download = download(
            toFetch, planner: planner, into: staging, storeDirectory: store.layout.storeDirectory, progress: progress)
        faults.merge(download.faults) { first, _ in first }
        for path in download.faults.keys { chosen[path] = nil }
        chosen.merge(download.replacements) { _, replacement in replacement }
        let registered = Self.closures(of: missing, chosen: chosen, faults: faults).compactMap { chosen[$0] }
        let entries = registered.map { planned in
            SubstitutedPath(
                path: planned.info.path, narHash: planned.info.narInfo.narHash, narSize: planned.info.narInfo.narSize,
                references: planned.info.references, deriver: planned.info.deriver,
                contentAddress: planned.info.narInfo.contentAddress, signatures: planned.info.narInfo.signatures)
        }
        var fetched: [StorePath] = []
        if !entries.isEmpty {
            do { fetched = try staging.commit(entries) } catch { throw CacheError(.store, error.description) }
        }
        let registeredPaths = Set(entries.map(\.path))
        let fetchedSet = Set(fetched)
        return SubstitutionOutcome(
            fetched: fetched,
            failures: missing.compactMap { root in
                guard !registeredPaths.contains(root) else { return nil }
                return Self.failure(of: root, chosen: chosen, faults: faults, store: store)
            },
            warnings: caches.compactMap { cache in
                cache.unusableReason.map { "skipped cache \(cache.url): \($0.message)" }
            },
            downloadedBytes: download.bytes,
            narBytes: registered.filter { fetchedSet.contains($0.info.path) }.reduce(0) { $0 + $1.info.narInfo.narSize }
        )
    }

    private struct Download: Sendable {
        var faults: [StorePath: PathFault] = [:]
        /// Paths fetched from another cache than planned, after the planned one's NAR was refused.
        var replacements: [StorePath: PlannedPath] = [:]
        var bytes: UInt64 = 0
        var pathsDone = 0
    }

    /// Fetches and stages `planned`, `jobs` at a time. When a cache's NAR is refused, the next
    /// cache with a trusted narinfo for the path (and the same references) is tried.
    private func download(
        _ planned: [PlannedPath], planner: SubstitutionPlanner, into staging: SubstitutionStaging,
        storeDirectory: StoreDirectory,
        progress: @escaping @Sendable (TransferProgress) -> Void
    ) -> Download {
        let state = Mutex(Download())
        let bytesTotal = planned.reduce(UInt64(0)) { $0 + ($1.info.narInfo.fileSize ?? $1.info.narInfo.narSize) }
        let total = planned.count
        let fetcher = NARFetcher(staging: staging, storeDirectory: storeDirectory)
        @Sendable func report(_ update: (inout Download) -> Void) {
            let snapshot = state.withLock { download in
                update(&download)
                return TransferProgress(
                    pathsDone: download.pathsDone, pathsTotal: total, bytesDone: download.bytes, bytesTotal: bytesTotal)
            }
            progress(snapshot)
        }
        report { _ in }
        ParallelWork.forEach(planned, threads: jobs) { item in
            var current = item
            var tried: [BinaryCache] = []
            var reasons: [String] = []
            var fetched = false
            while !fetched {
                do throws(PathFaultError) {
                    _ = try fetcher.fetch(current) { count in report { $0.bytes += UInt64(count) } }
                    fetched = true
                } catch {
                    reasons.append(error.fault.reason)
                    tried.append(current.cache)
                    guard let next = try? planner.lookUp(item.info.path, skipping: tried),
                        Set(next.info.references) == Set(item.info.references)
                    else { break }
                    current = next
                }
            }
            let used = current
            report { download in
                download.pathsDone += 1
                if !fetched {
                    download.faults[item.info.path] = PathFault(
                        code: .badInput, reason: reasons.joined(separator: "; "))
                } else if used.cache !== item.cache {
                    download.replacements[item.info.path] = used
                }
            }
        }
        return state.withLock { $0 }
    }

    /// The paths of the closures of the `roots` that have no fault in them, through `chosen`
    /// (a path in neither map is valid already).
    private static func closures(
        of roots: [StorePath], chosen: [StorePath: PlannedPath], faults: [StorePath: PathFault]
    ) -> Set<StorePath> {
        var result = Set<StorePath>()
        for root in roots {
            let closure = closure(of: root, chosen: chosen)
            if closure.allSatisfy({ faults[$0] == nil }) { result.formUnion(closure) }
        }
        return result
    }

    /// The paths reachable from `root` through `chosen` that are not valid: those in `chosen`,
    /// and the faulty or unplanned ones where the walk stops.
    private static func closure(of root: StorePath, chosen: [StorePath: PlannedPath]) -> Set<StorePath> {
        var seen: Set<StorePath> = [root]
        var stack = [root]
        while let path = stack.popLast() {
            for reference in chosen[path]?.info.references ?? [] where !seen.contains(reference) {
                seen.insert(reference)
                stack.append(reference)
            }
        }
        return seen
    }

    private static func failure(
        of root: StorePath, chosen: [StorePath: PlannedPath], faults: [StorePath: PathFault], store: LocalStore
    ) -> SubstitutionFailure {
        let closure = closure(of: root, chosen: chosen)
        let faulty = ([root] + closure.sorted { $0.baseName < $1.baseName }).first { faults[$0] != nil }
        guard let faulty, let fault = faults[faulty] else {
            return SubstitutionFailure(
                path: root, code: .notFound, reason: "'\(store.fullPath(root))' could not be substituted")
        }
        let reason =
            faulty == root
            ? fault.reason : "'\(store.fullPath(root))' needs '\(store.fullPath(faulty))': \(fault.reason)"
        return SubstitutionFailure(path: root, code: fault.code, reason: reason)
    }

    private static func isValid(_ path: StorePath, in store: LocalStore) throws(CacheError) -> Bool {
        do { return try store.isValid(path) } catch { throw CacheError(.store, error.description) }
    }
}
