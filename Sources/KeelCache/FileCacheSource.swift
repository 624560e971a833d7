import KeelArchive
import KeelLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A binary cache in a local directory (`file://DIR`), read with plain file reads.
public struct FileCacheSource: BinaryCacheSource {
    /// The cache's URL as the user wrote it.
    public let url: String
    /// The absolute directory holding the cache.
    public let directory: String

    /// A cache in `directory`, named `url` in messages.
    public init(directory: String, url: String) {
        self.directory = directory
        self.url = url
    }

    /// Reads `relativePath` under the directory; nil when it does not exist.
    public func readFile(_ relativePath: String, limit: Int) throws(CacheError) -> [UInt8]? {
        let path = directory + "/" + relativePath
        do { return try FileSystem.readWholeFile(path, limit: limit) } catch {
            if error.errno == ENOENT { return nil }
            if error.errno == EFBIG { throw CacheError(.badInput, "'\(path)' in cache \(url) is over \(limit) bytes") }
            throw CacheError(.unreachable, "cannot read '\(path)' in cache \(url): \(error)")
        }
    }

    /// Opens `relativePath` under the directory for reading from its start.
    public func openStream(_ relativePath: String) throws(CacheError) -> any KeelArchive.ByteSource {
        let path = directory + "/" + relativePath
        do { return try FileByteSource(path: path) } catch {
            throw CacheError(.notFound, "cannot open '\(path)' in cache \(url): \(error)")
        }
    }

    /// Nothing to let go of.
    public func close() {}
}
