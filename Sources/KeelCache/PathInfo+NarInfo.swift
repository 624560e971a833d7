import KeelFormats
import KeelStore

extension PathInfo {
    /// The narinfo describing this path in a cache whose NAR file is `url` (relative to the
    /// cache root), compressed with `compression` into `fileSize` bytes hashing to `fileHash`:
    /// references and deriver as base names, the path's own signatures and content address kept.
    public func narInfo(
        in storeDirectory: StoreDirectory, url: String, compression: CacheCompression, fileHash: NixHash,
        fileSize: UInt64
    ) -> NarInfo {
        NarInfo(
            storePath: storeDirectory.fullPath(path), url: url, compression: compression.rawValue,
            fileHash: fileHash, fileSize: fileSize, narHash: narHash, narSize: narSize,
            references: references.map(\.baseName).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) },
            deriver: deriver?.baseName, signatures: signatures.sorted(), contentAddress: contentAddress)
    }
}
