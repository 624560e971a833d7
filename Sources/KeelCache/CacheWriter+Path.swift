import KeelFormats
import KeelLinux
import KeelStore

extension CacheWriter {
    /// Writes one path: its NAR file, then (once its references' are there) its narinfo, signed
    /// when a key is given; counts it in `tally`. The NAR is dumped into a buffer from `buffers`.
    static func write(
        _ info: PathInfo, from store: LocalStore, to cache: CacheDirectory, options: CachePushOptions,
        publisher: CacheNarInfoPublisher, tally: CachePushTally, buffers: RecyclingPool<CacheNarBuffer>
    ) throws(CacheError) {
        let buffer = buffers.take { CacheNarBuffer() }
        defer { buffers.put(buffer) }
        let file = try CacheNarFile.write(
            info, from: store, to: cache, compression: options.compression, buffer: buffer)
        var narInfo = info.narInfo(
            in: store.layout.storeDirectory, url: file.url, compression: options.compression,
            fileHash: file.fileHash, fileSize: file.fileSize)
        if let key = options.signingKey {
            do { try narInfo.sign(with: key) } catch {
                throw CacheError(.badInput, "cannot sign the narinfo of '\(narInfo.storePath)': \(error)")
            }
        }
        try publisher.add(narInfo, of: info.path, references: info.references)
        tally.record(info, fileBytes: file.isNew ? file.fileSize : 0)
    }
}
