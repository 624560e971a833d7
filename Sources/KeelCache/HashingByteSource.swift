import KeelArchive
import KeelFormats

/// Passes another source's bytes on while hashing and counting them (a NAR file's FileHash and
/// FileSize), or only counting them, telling `onBytes` how many arrived with each read.
final class HashingByteSource: KeelArchive.ByteSource {
    private var base: any KeelArchive.ByteSource
    private var hasher: StreamingHasher?
    private let onBytes: (Int) -> Void
    /// How many bytes have passed.
    private(set) var count: UInt64 = 0

    /// Hashes what `base` yields with `algorithm`, or only counts it when `algorithm` is nil.
    init(_ base: any KeelArchive.ByteSource, algorithm: HashAlgorithm?, onBytes: @escaping (Int) -> Void) {
        self.base = base
        hasher = algorithm.map(StreamingHasher.init)
        self.onBytes = onBytes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let read = try base.read(into: buffer)
        if read > 0 {
            hasher?.update(UnsafeRawBufferPointer(rebasing: buffer[..<read]))
            count += UInt64(read)
            onBytes(read)
        }
        return read
    }

    /// Reads the rest of the source, so the hash covers the whole file.
    func drain() throws(ArchiveError) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        while try read(into: scratch) > 0 {}
    }

    /// The hash of every byte that passed; nil when only counting.
    func finalize() -> NixHash? { hasher?.finalize() }
}
