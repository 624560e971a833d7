/// Where `TarWriter` puts an archive's bytes: a file, a compressor, a hash, a buffer.
public protocol TarOutput {
    /// Takes `bytes` (all of them) or throws.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}
