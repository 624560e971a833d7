import Dispatch
import KeelArchive
import NIOCore
import Synchronization

/// The body of one HTTP response, handed from the event loop that receives it to the thread
/// that reads it as a `ByteSource`, through a bounded queue of chunks.
///
/// The event loop never waits: when the queue is full, `offer` returns a future that completes
/// only once the reader has taken a chunk, and AsyncHTTPClient reads no more from the socket
/// until then (backpressure). The reader blocks on a semaphore.
final class ResponseBodyChannel: Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        var current = ByteBuffer()
        var waitingProducer: EventLoopPromise<Void>?
        var finished = false
        var failure: String?
        var cancelled = false
        var cancelTransfer: (@Sendable () -> Void)?
    }

    private enum Step {
        case copied(Int)
        case tookChunk(EventLoopPromise<Void>?)
        case failed(String)
        case ended
        case wait
    }

    private let capacity: Int
    private let state = Mutex(State())
    private let wakeReader = DispatchSemaphore(value: 0)

    /// A channel holding at most `capacity` chunks not yet taken by the reader.
    init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// Sets what stops the transfer when the reader gives up.
    func onCancel(_ cancelTransfer: @escaping @Sendable () -> Void) {
        let cancelled = state.withLock { state in
            state.cancelTransfer = cancelTransfer
            return state.cancelled
        }
        if cancelled { cancelTransfer() }
    }

    /// Queues a chunk; the future completes when there is room for the next one.
    func offer(_ buffer: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let waitFor: EventLoopFuture<Void>? = state.withLock { state in
            if state.cancelled { return eventLoop.makeFailedFuture(ChannelCancelled()) }
            state.chunks.append(buffer)
            guard state.chunks.count >= capacity else { return nil }
            let promise = eventLoop.makePromise(of: Void.self)
            state.waitingProducer = promise
            return promise.futureResult
        }
        wakeReader.signal()
        return waitFor ?? eventLoop.makeSucceededVoidFuture()
    }

    /// Marks the end of the body.
    func finish() {
        state.withLock { $0.finished = true }
        wakeReader.signal()
    }

    /// Ends the body with a failure the reader sees as an `ArchiveError` carrying `message`.
    func fail(_ message: String) {
        state.withLock { state in if state.failure == nil && !state.finished { state.failure = message } }
        wakeReader.signal()
    }

    /// Stops the transfer: the reader went away.
    func cancel() {
        let (promise, cancelTransfer) = state.withLock { state in
            state.cancelled = true
            state.chunks = []
            defer { state.waitingProducer = nil }
            return (state.waitingProducer, state.cancelTransfer)
        }
        promise?.fail(ChannelCancelled())
        cancelTransfer?()
    }

    /// Copies the next bytes of the body into `buffer`, waiting for them; 0 at its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let step: Step = state.withLock { state in
                if state.current.readableBytes > 0 {
                    let count = min(buffer.count, state.current.readableBytes)
                    state.current.withUnsafeReadableBytes { bytes in
                        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<count]))
                    }
                    state.current.moveReaderIndex(forwardBy: count)
                    return .copied(count)
                }
                if !state.chunks.isEmpty {
                    state.current = state.chunks.removeFirst()
                    defer { state.waitingProducer = nil }
                    return .tookChunk(state.waitingProducer)
                }
                if let failure = state.failure { return .failed(failure) }
                if state.finished { return .ended }
                return .wait
            }
            switch step {
            case .copied(let count): return count
            case .tookChunk(let promise): promise?.succeed()
            case .failed(let message): throw ArchiveError(message)
            case .ended: return 0
            case .wait: wakeReader.wait()
            }
        }
    }

    /// Why a chunk was refused: the reader cancelled the transfer.
    struct ChannelCancelled: Error {}
}
