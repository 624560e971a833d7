import KeelArchive

/// Where a binary cache's files come from: a directory (`FileCacheSource`) or an HTTP server
/// (`HTTPCacheSource`). Paths are relative to the cache root (`nix-cache-info`,
/// `<hash>.narinfo`, `nar/…`). Calls block the calling thread; run them on worker threads.
public protocol BinaryCacheSource: Sendable {
    /// The cache's URL as the user wrote it, for messages.
    var url: String { get }

    /// The whole of a small file (at most `limit` bytes), or nil when the cache has no such file.
    ///
    /// - Throws: `CacheError.Code.unreachable` when the cache cannot be read or does not answer in
    ///   time; `.badInput` for a file over `limit`.
    func readFile(_ relativePath: String, limit: Int) throws(CacheError) -> [UInt8]?

    /// A stream of a file's bytes, read as they arrive. A file found missing at once throws
    /// `CacheError.Code.notFound`; one found missing later (an HTTP 404), a failed transfer or a
    /// timeout shows as an `ArchiveError` from the stream's `read`, naming the file and the cache.
    /// Letting go of the stream stops the transfer.
    func openStream(_ relativePath: String) throws(CacheError) -> any KeelArchive.ByteSource

    /// Lets go of connections; the source is not used afterwards.
    func close()
}
