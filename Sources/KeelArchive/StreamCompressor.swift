/// A streaming compressor with pinned settings: the same input gives the same bytes on every
/// run, however it is split into `compress` calls.
public protocol StreamCompressor {
    /// Compresses `input`, handing any compressed bytes ready so far to `sink`.
    mutating func compress(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws

    /// Ends the stream, handing the remaining compressed bytes to `sink`; the compressor takes
    /// no input afterwards.
    mutating func finish(into sink: (UnsafeRawBufferPointer) throws -> Void) throws
}
