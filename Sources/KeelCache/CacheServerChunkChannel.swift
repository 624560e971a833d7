import Dispatch
import NIOCore
import Synchronization

/// Chunks of a response body handed from the thread that produces them (a NAR being dumped and
/// compressed, a file being read) to the task writing the response, with backpressure: the
/// producer blocks once `capacity` chunks wait, so a slow client slows the producer instead of
/// filling memory. When the reader goes away (the client hung up), the producer's next `send`
/// throws and it stops.
final class CacheServerChunkChannel: Sendable {
    /// Thrown to the producer once the reader has gone.
    struct ReaderGone: Error {}

    private struct State {
        var chunks: [ByteBuffer] = []
        var end: Result<Void, any Error>?
        var readerGone = false
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
    }

    /// What a reader finds when it looks.
    private enum Found {
        case chunk(ByteBuffer)
        case end(Result<Void, any Error>)
        case nothingYet
    }

    private let state = Mutex(State())
    /// One per chunk that may be in flight; the producer takes one before each send, the reader
    /// gives it back once it has taken the chunk.
    private let slots: DispatchSemaphore

    /// A channel holding at most `capacity` chunks not yet read.
    init(capacity: Int = 8) {
        slots = DispatchSemaphore(value: max(1, capacity))
    }

    /// Hands `chunk` to the reader, blocking while the channel is full (call it from a thread
    /// of its own, never from a task).
    ///
    /// - Throws: `ReaderGone` once the reader has stopped reading.
    func send(_ chunk: ByteBuffer) throws(ReaderGone) {
        slots.wait()
        let waiting: CheckedContinuation<ByteBuffer?, any Error>?? = state.withLock { state in
            if state.readerGone { return .none }
            if let reader = state.reader {
                state.reader = nil
                return .some(reader)
            }
            state.chunks.append(chunk)
            return .some(nil)
        }
        guard let waiting else {
            slots.signal()
            throw ReaderGone()
        }
        waiting?.resume(returning: chunk)
    }

    /// Ends the stream: the reader gets nil after the chunks sent, or `result`'s error.
    func finish(_ result: Result<Void, any Error>) {
        let waiting: CheckedContinuation<ByteBuffer?, any Error>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = result
            defer { state.reader = nil }
            return state.reader
        }
        waiting?.resume(with: result.map { nil })
    }

    /// The next chunk, or nil after the last.
    ///
    /// - Throws: the producer's failure, after the chunks it sent before failing.
    func next() async throws -> ByteBuffer? {
        let chunk: ByteBuffer? = try await withCheckedThrowingContinuation { continuation in
            let found: Found = state.withLock { state in
                if !state.chunks.isEmpty { return .chunk(state.chunks.removeFirst()) }
                if let end = state.end { return .end(end) }
                state.reader = continuation
                return .nothingYet
            }
            switch found {
            case .chunk(let chunk): continuation.resume(returning: chunk)
            case .end(let result): continuation.resume(with: result.map { nil })
            case .nothingYet: break
            }
        }
        if chunk != nil { slots.signal() }
        return chunk
    }

    /// Stops reading: drops what waits and makes the producer's next `send` throw.
    func close() {
        state.withLock { state in
            state.readerGone = true
            state.chunks.removeAll()
        }
        slots.signal()
    }
}
