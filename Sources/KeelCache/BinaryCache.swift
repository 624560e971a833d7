import KeelArchive
import KeelFormats
import Synchronization

/// One binary cache as a substituter uses it: its `nix-cache-info` checked once, narinfos
/// fetched by hash part and validated (`ValidatedNarInfo`), absent ones remembered for the
/// run, NARs opened as streams. Once the cache fails to answer it is unusable for the run, so
/// later paths skip it at once.
public final class BinaryCache: Sendable {
    private struct State {
        var checked = false
        var unusable: CacheError?
        var absent: Set<String> = []
    }

    /// Where the files come from.
    public let source: any BinaryCacheSource
    /// The local store directory, which the cache's must equal.
    public let storeDirectory: StoreDirectory
    private let state = Mutex(State())

    /// The cache read from `source`, for a store in `storeDirectory`.
    public init(source: any BinaryCacheSource, storeDirectory: StoreDirectory) {
        self.source = source
        self.storeDirectory = storeDirectory
    }

    /// The cache's URL, for messages.
    public var url: String { source.url }

    /// Checks, once, that the cache can be read and serves this store directory; afterwards
    /// throws the same error at once if it could not.
    ///
    /// - Throws: `CacheError`: `.unreachable` when the cache cannot be read or did not answer,
    ///   `.badInput` when its `nix-cache-info` is missing or names another store directory.
    public func checkUsable() throws(CacheError) {
        let known: (checked: Bool, unusable: CacheError?) = state.withLock { ($0.checked, $0.unusable) }
        if let unusable = known.unusable { throw unusable }
        if known.checked { return }
        do {
            try checkCacheInfo()
            state.withLock { $0.checked = true }
        } catch {
            markUnusable(error)
            throw error
        }
    }

    private func checkCacheInfo() throws(CacheError) {
        guard let bytes = try source.readFile(CacheLayout.cacheInfoName, limit: 64 * 1024) else {
            throw CacheError(.badInput, "cache \(url) has no \(CacheLayout.cacheInfoName): it is not a binary cache")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let storeDir = text.split(separator: "\n").first { $0.hasPrefix("StoreDir:") }.map {
            $0.dropFirst("StoreDir:".count).trimmingPrefix(" ")
        }
        guard let storeDir else {
            throw CacheError(.badInput, "cache \(url): its \(CacheLayout.cacheInfoName) names no StoreDir")
        }
        guard storeDir == storeDirectory.path else {
            throw CacheError(
                .badInput,
                "cache \(url) holds paths of store directory '\(storeDir.prefix(200))', not of the local '\(storeDirectory.path)'; it cannot be used"
            )
        }
    }

    /// Whether the cache has become unusable, and why.
    public var unusableReason: CacheError? { state.withLock { $0.unusable } }

    /// The validated narinfo of `path`, or nil when the cache does not have it (remembered for
    /// the run).
    ///
    /// - Throws: `CacheError`: `.unreachable` (the cache is then unusable for the run) or
    ///   `.badInput` for a narinfo that fails validation.
    public func narInfo(for path: StorePath) throws(CacheError) -> ValidatedNarInfo? {
        try checkUsable()
        if state.withLock({ $0.absent.contains(path.hashPart) }) { return nil }
        let bytes: [UInt8]?
        do { bytes = try source.readFile(CacheLayout.narinfoName(of: path), limit: 1 << 20) } catch {
            if error.code == .unreachable { markUnusable(error) }
            throw error
        }
        guard let bytes else {
            state.withLock { _ = $0.absent.insert(path.hashPart) }
            return nil
        }
        return try ValidatedNarInfo(text: bytes, for: path, in: storeDirectory, cacheURL: url)
    }

    /// Opens the NAR file `narInfo` names, as a stream of its (compressed) bytes.
    public func openNAR(_ narInfo: ValidatedNarInfo) throws(CacheError) -> any KeelArchive.ByteSource {
        try source.openStream(narInfo.narInfo.url)
    }

    /// Lets go of the source's connections.
    public func close() { source.close() }

    private func markUnusable(_ error: CacheError) {
        state.withLock { state in if state.unusable == nil { state.unusable = error } }
    }
}
