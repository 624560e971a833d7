import KeelFileTree
import KeelFormats
import KeelStore

/// One path's NAR file in a cache, as written (or found already there) by `write`.
struct CacheNarFile: Sendable {
    /// The URL relative to the cache root, `nar/<filehash>.nar[.xz|.zst]`.
    let url: String
    /// The sha256 of the file.
    let fileHash: NixHash
    /// The file's size in bytes.
    let fileSize: UInt64
    /// Whether this push wrote the file (false: a file of that name was already there, and
    /// was kept).
    let isNew: Bool

    /// Streams the NAR of `info`'s path from `store` through `compression` into a temporary
    /// file in `cache`'s `nar/` (dumping into `buffer`), then renames it to the name its hash gives, keeping a file
    /// already there under that name.
    ///
    /// - Throws: `CacheError.Code.store` when the path does not dump to its recorded NarHash
    ///   and NarSize (the store is damaged) or cannot be read; `.fileSystem` when writing fails.
    ///   Nothing is left in the cache.
    static func write(
        _ info: PathInfo, from store: LocalStore, to cache: CacheDirectory, compression: CacheCompression,
        buffer: CacheNarBuffer
    ) throws(CacheError) -> CacheNarFile {
        let fullPath = store.fullPath(info.path)
        let narPath = "\(cache.path)/\(CacheLayout.narDirectory)"
        let temporary = try CacheTemporaryFile(in: cache.narDirectory, at: narPath)
        let consumer: CacheNarConsumer
        do {
            let sink = CacheNarSink(
                consumer: try CacheNarConsumer(writingTo: temporary, compression: compression), buffer: buffer)
            var writer = try NARWriter(sink: sink)
            try TreeDumper.dump(path: fullPath, into: &writer)
            try writer.finish()
            consumer = writer.sink.consumer
        } catch let error as CacheError {
            temporary.discard()
            throw error
        } catch {
            temporary.discard()
            throw CacheError(.store, "cannot read '\(fullPath)' from the store: \(error)")
        }
        guard let narHash = consumer.narHash, let file = consumer.file else {
            temporary.discard()
            throw CacheError(.store, "cannot read '\(fullPath)' from the store: the NAR did not end")
        }
        guard narHash == info.narHash, consumer.narSize == info.narSize else {
            temporary.discard()
            throw CacheError(
                .store,
                "'\(fullPath)' is damaged in the store: its contents hash to \(narHash.prefixed(.nixBase32)) "
                    + "(\(consumer.narSize) bytes), not the recorded \(info.narHash.prefixed(.nixBase32)) "
                    + "(\(info.narSize) bytes); not pushed")
        }
        let url = CacheLayout.narURL(fileHash: file.hash, compression: compression)
        let isNew = try temporary.publish(as: String(url.dropFirst(CacheLayout.narDirectory.count + 1)))
        return CacheNarFile(url: url, fileHash: file.hash, fileSize: file.size, isNew: isNew)
    }
}
