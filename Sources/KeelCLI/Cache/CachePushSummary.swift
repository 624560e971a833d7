import KeelCache
import KeelStore

/// `keel cache push --json`: the store paths written and skipped, and the bytes.
struct CachePushSummary: Encodable {
    /// Full store paths written, sorted.
    let written: [String]
    /// Full store paths the cache already had, sorted.
    let skipped: [String]
    /// NAR bytes (uncompressed) of the paths written.
    let narBytes: UInt64
    /// Bytes of the NAR files written (compressed).
    let fileBytes: UInt64

    /// The summary of `result`, with paths in `store`'s directory.
    init(_ result: CachePushResult, in store: LocalStore) {
        written = result.written.map(store.fullPath)
        skipped = result.skipped.map(store.fullPath)
        narBytes = result.narBytes
        fileBytes = result.fileBytes
    }
}
