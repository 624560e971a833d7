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
        /// Whether the producer waits for room (on `room`).
        var producerWaits = false
    }

    /// What a producer's `send` found.
    private enum Sent {
        case queued
        case handedTo(CheckedContinuation<ByteBuffer?, any Error>)
        case full
        case readerGone
    }

    /// What a reader finds when it looks.
    private enum Found {
        case chunk(ByteBuffer, wakeProducer: Bool)
        case end(Result<Void, any Error>)
        case nothingYet
    }

    private let state = Mutex(State())
    private let capacity: Int
    /// Signalled once when a waiting producer may go on (a chunk was taken, or the reader went).
    private let room = DispatchSemaphore(value: 0)

    /// A channel holding at most `capacity` chunks not yet read.
    init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// Hands `chunk` to the reader, blocking while the channel is full (call it from a thread
    /// of its own, never from a task).
    ///
    /// - Throws: `ReaderGone` once the reader has stopped reading.
    func send(_ chunk: ByteBuffer) throws(ReaderGone) {
        while true {
            let sent: Sent = state.withLock { state in
                if state.readerGone { return .readerGone }
                if let reader = state.reader {
                    state.reader = nil
                    return .handedTo(reader)
                }
                guard state.chunks.count < capacity else {
                    state.producerWaits = true
                    return .full
                }
                state.chunks.append(chunk)
                return .queued
            }
            switch sent {
            case .queued: return
            case .handedTo(let reader): return reader.resume(returning: chunk)
            case .readerGone: throw ReaderGone()
            case .full: room.wait()
            }
        }
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
        try await withCheckedThrowingContinuation { continuation in
            let found: Found = state.withLock { state in
                if !state.chunks.isEmpty {
                    let wake = state.producerWaits
                    state.producerWaits = false
                    return .chunk(state.chunks.removeFirst(), wakeProducer: wake)
                }
                if let end = state.end { return .end(end) }
                state.reader = continuation
                return .nothingYet
            }
            switch found {
            case .chunk(let chunk, let wake):
                if wake { room.signal() }
                continuation.resume(returning: chunk)
            case .end(let result): continuation.resume(with: result.map { nil })
            case .nothingYet: break
            }
        }
    }

    /// Stops reading: drops what waits and makes the producer's next `send` throw.
    func close() {
        let wake = state.withLock { state in
            state.readerGone = true
            state.chunks.removeAll()
            defer { state.producerWaits = false }
            return state.producerWaits
        }
        if wake { room.signal() }
    }
}
