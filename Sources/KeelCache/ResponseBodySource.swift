import KeelArchive

/// The reading end of a `ResponseBodyChannel`: a `ByteSource` that stops the transfer when it
/// is let go of.
final class ResponseBodySource: KeelArchive.ByteSource {
    private let channel: ResponseBodyChannel

    init(channel: ResponseBodyChannel) { self.channel = channel }

    deinit { channel.cancel() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        try channel.read(into: buffer)
    }
}
