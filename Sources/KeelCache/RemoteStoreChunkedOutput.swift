import Dispatch
import KeelLinux
import Synchronization
import SystemPackage

/// The sending end of one chunked stream: runs a producer that writes a byte stream to a
/// descriptor (an export) on a thread of its own, and sends what it writes as chunks, ended by a
/// zero length, or by `RemoteStoreProtocol.abortChunks` and a message when the producer fails.
///
/// - Important: the process must ignore SIGPIPE: when the peer goes away, the producer's next
///   write to the pipe fails (`EPIPE`) instead of ending the process.
public enum RemoteStoreChunkedOutput {
    /// Sends what `produce` writes through `writer`, calling `progress` with the bytes sent so far.
    ///
    /// - Returns: the number of data bytes sent.
    /// - Throws: `CacheError` when writing to the peer fails (the producer is stopped first), or
    ///   the producer's failure, after the peer has been told the stream was abandoned.
    public static func send(
        through writer: RemoteStoreFrameWriter, progress: (UInt64) -> Void = { _ in },
        produce: @escaping @Sendable (FileDescriptor) throws -> Void
    ) throws(CacheError) -> UInt64 {
        let pipe: PipeEnds
        do { pipe = try PipeEnds() } catch { throw CacheError(.fileSystem, "cannot make a pipe: \(error)") }
        let reading = FileDescriptor(rawValue: pipe.reading)
        let writing = FileDescriptor(rawValue: pipe.writing)
        let producerFailure = Mutex<String?>(nil)
        let producerDone = DispatchSemaphore(value: 0)
        DetachedThread.start {
            do { try produce(writing) } catch { producerFailure.withLock { $0 = "\(error)" } }
            FileSystem.close(writing)
            producerDone.signal()
        }
        var sent: UInt64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RemoteStoreProtocol.maxChunk, alignment: 8)
        defer { buffer.deallocate() }
        do throws(CacheError) {
            while true {
                let count: Int
                do { count = try SystemCall.read(reading.rawValue, into: buffer) } catch {
                    throw CacheError(.fileSystem, "cannot read the export stream: \(error)")
                }
                if count == 0 { break }
                try writer.writeChunk(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                sent += UInt64(count)
                progress(sent)
            }
        } catch {
            FileSystem.close(reading)
            producerDone.wait()
            throw error
        }
        FileSystem.close(reading)
        producerDone.wait()
        if let failure = producerFailure.withLock({ $0 }) {
            try writer.writeAbort(failure)
            try writer.flush()
            throw CacheError(.store, failure)
        }
        try writer.write(RemoteStoreProtocol.endOfChunks)
        try writer.flush()
        return sent
    }
}
