import KeelFormats

/// A narinfo fetched for one path and checked at the boundary: it parses, describes the path
/// asked for in the local store directory, names its NAR by a sane relative URL, and uses a
/// compression Keel reads. Its signatures are checked by the `Substituter`.
public struct ValidatedNarInfo: Sendable {
    /// The narinfo as parsed.
    public let narInfo: NarInfo
    /// The path it describes.
    public let path: StorePath
    /// Its NAR's compression.
    public let compression: CacheCompression
    /// Its references, in the local store directory.
    public let references: [StorePath]
    /// Its deriver, if given.
    public let deriver: StorePath?

    /// Checks `text`, the narinfo that `cacheURL` gave for `path` in `storeDirectory`.
    ///
    /// - Throws: `CacheError.Code.badInput` naming the path and the cache.
    public init(text: [UInt8], for path: StorePath, in storeDirectory: StoreDirectory, cacheURL: String)
        throws(CacheError)
    {
        let full = storeDirectory.fullPath(path)
        func refuse(_ reason: String) -> CacheError {
            CacheError(.badInput, "the narinfo of '\(full)' in cache \(cacheURL) is unusable: \(reason)")
        }
        guard let decoded = String(validating: text, as: UTF8.self) else { throw refuse("it is not UTF-8 text") }
        let narInfo: NarInfo
        do { narInfo = try NarInfo(parsing: decoded) } catch { throw refuse(error.description) }
        guard narInfo.storePath == full else { throw refuse("it describes '\(narInfo.storePath.prefix(200))'") }
        guard Self.isSaneRelativeURL(narInfo.url) else {
            throw refuse("its URL '\(narInfo.url.prefix(200))' is not a plain relative path")
        }
        do { compression = try CacheCompression(narinfoValue: narInfo.compression) } catch {
            throw refuse(error.message)
        }
        do {
            references = try narInfo.references.map { reference throws(StorePathError) in
                try storeDirectory.parse(storeDirectory.path + "/" + reference)
            }
            deriver = try narInfo.deriver.map { deriver throws(StorePathError) in
                try storeDirectory.parse(storeDirectory.path + "/" + deriver)
            }
        } catch {
            throw refuse(error.description)
        }
        self.narInfo = narInfo
        self.path = path
    }

    /// Whether `url` is a relative path of plain components (no scheme, no `..`, no query).
    static func isSaneRelativeURL(_ url: String) -> Bool {
        guard !url.isEmpty, url.utf8.count <= 1024, !url.hasPrefix("/") else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-/".utf8)
        guard url.utf8.allSatisfy(allowed.contains) else { return false }
        return url.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }
}
