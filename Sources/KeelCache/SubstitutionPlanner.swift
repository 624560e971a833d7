import KeelFormats
import KeelStore
import Synchronization

/// Walks the closures of the wanted paths through narinfo References, asking the caches in
/// priority order for each path not valid yet (several paths at once), and keeps, per path,
/// the first narinfo signed by a trusted key, or why there is none.
struct SubstitutionPlanner: Sendable {
    let caches: [BinaryCache]
    let trustedKeys: [SigningPublicKey]
    let jobs: Int
    let store: LocalStore

    /// The plan for the closures of `wanted` (none of them valid): each path not valid gets a
    /// source or a fault.
    func plan(_ wanted: [StorePath]) throws(CacheError) -> (
        chosen: [StorePath: PlannedPath], faults: [StorePath: PathFault]
    ) {
        var chosen: [StorePath: PlannedPath] = [:]
        var faults: [StorePath: PathFault] = [:]
        var seen = Set(wanted)
        var frontier = wanted
        while !frontier.isEmpty {
            let results = Mutex<[StorePath: Result<PlannedPath, PathFaultError>]>([:])
            ParallelWork.forEach(frontier, threads: jobs) { path in
                let result = Result<PlannedPath, PathFaultError> { () throws(PathFaultError) in try lookUp(path) }
                results.withLock { $0[path] = result }
            }
            var next: [StorePath] = []
            for (path, result) in results.withLock({ $0 }) {
                switch result {
                case .failure(let failure):
                    faults[path] = failure.fault
                case .success(let planned):
                    chosen[path] = planned
                    for reference in planned.info.references where !seen.contains(reference) {
                        seen.insert(reference)
                        if try !isValid(reference) { next.append(reference) }
                    }
                }
            }
            frontier = next
        }
        return (chosen, faults)
    }

    private func isValid(_ path: StorePath) throws(CacheError) -> Bool {
        do { return try store.isValid(path) } catch { throw CacheError(.store, error.description) }
    }

    /// The first cache's narinfo for `path` that passes validation and carries a trusted
    /// signature; another cache is tried after a refusal. The caches in `skipping` are not
    /// asked (their NAR was refused).
    func lookUp(_ path: StorePath, skipping: [BinaryCache] = []) throws(PathFaultError) -> PlannedPath {
        let full = store.fullPath(path)
        var refusals: [(code: CacheError.Code, message: String)] = []
        for cache in caches where !skipping.contains(where: { $0 === cache }) {
            let info: ValidatedNarInfo?
            do { info = try cache.narInfo(for: path) } catch {
                refusals.append((error.code, error.message))
                continue
            }
            guard let info else { continue }
            guard isTrusted(info.narInfo) else {
                refusals.append(
                    (
                        .untrusted,
                        "the narinfo of '\(full)' in cache \(cache.url) carries no signature by a trusted key"
                            + (info.narInfo.signatures.isEmpty
                                ? " (it is unsigned)"
                                : " (signed by \(info.narInfo.signatures.map { $0.prefix { $0 != ":" } }.joined(separator: ", ")))")
                    ))
                continue
            }
            return PlannedPath(cache: cache, info: info)
        }
        if refusals.isEmpty {
            let urls = caches.map(\.url).joined(separator: ", ")
            throw PathFaultError(
                fault: PathFault(code: .notFound, reason: "'\(full)' is in none of the caches (\(urls))"))
        }
        let code =
            refusals.first { $0.code != .unreachable && $0.code != .notFound }?.code
            ?? (refusals.contains { $0.code == .unreachable } ? .unreachable : .notFound)
        var reason = refusals.map(\.message).joined(separator: "; ")
        if !reason.contains("'\(full)'") { reason = "cannot substitute '\(full)': \(reason)" }
        throw PathFaultError(fault: PathFault(code: code, reason: reason))
    }

    private func isTrusted(_ narInfo: NarInfo) -> Bool {
        trustedKeys.contains { key in !((try? narInfo.validSignatures(for: key)) ?? []).isEmpty }
    }
}
