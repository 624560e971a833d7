import Dispatch
import KeelFormats
import Synchronization

/// A `NARSink` that overlaps producing a NAR with consuming it: the writer fills one buffer
/// while a background thread hashes or writes the previous ones.
///
/// Reading files (system calls, page-cache copies) and hashing then run on two cores at once,
/// so hashing a tree costs about what hashing its bytes costs. Memory is bounded by
/// `bufferCount × bufferSize`. A sink dropped before `finish` (a walk that failed or was
/// stopped) lets its thread end without finishing the consumer.
public struct PipelinedSink<Consumer: ChunkConsumer>: NARSink {
    private let owner: Owner
    private var pipeline: Pipeline<Consumer> { owner.pipeline }
    private var current: Int?

    /// Starts the consumer thread.
    ///
    /// - Parameters:
    ///   - consumer: what takes the bytes; moved to the background thread until `finish`.
    ///   - bufferCount: how many buffers circulate (at least 2).
    ///   - bufferSize: bytes per buffer.
    public init(consumer: Consumer, bufferCount: Int = 4, bufferSize: Int = 1 << 20) {
        owner = Owner(Pipeline(consumer: consumer, bufferCount: max(2, bufferCount), bufferSize: bufferSize))
        owner.pipeline.start()
    }

    /// Queues the filled buffer and waits for a free one.
    public mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer {
        if let current { pipeline.submit(current, count: filled) }
        try pipeline.throwIfFailed()
        let index = pipeline.takeFreeBuffer()
        current = index
        return pipeline.buffers[index]
    }

    /// Queues the last bytes and waits until the consumer has taken everything.
    public mutating func finish(filled: Int) throws {
        if let current { pipeline.submit(current, count: filled) }
        current = nil
        try pipeline.close()
    }

    /// The consumer after `finish(filled:)` (for example, to read a hash).
    public var consumer: Consumer { pipeline.finishedConsumer }

    /// Held by every copy of the sink; when the last goes, the pipeline's thread is let go.
    private final class Owner {
        let pipeline: Pipeline<Consumer>
        init(_ pipeline: Pipeline<Consumer>) { self.pipeline = pipeline }
        deinit { pipeline.abandon() }
    }
}

/// Set as the pipeline's error when its producer went away without closing it.
private struct PipelineAbandoned: Error {}

/// The shared state of a `PipelinedSink`: buffers, the queue between the threads, the consumer.
private final class Pipeline<Consumer: ChunkConsumer>: @unchecked Sendable {
    private struct Queue {
        var filled: [(index: Int, count: Int)] = []
        var free: [Int]
        var closed = false
        var error: (any Error)?
    }

    let buffers: [UnsafeMutableRawBufferPointer]
    /// Touched only by the consumer thread until `done` is signalled.
    private var consumer: Consumer
    private let queue: Mutex<Queue>
    private let filledSignal = DispatchSemaphore(value: 0)
    private let freeSignal: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)

    init(consumer: Consumer, bufferCount: Int, bufferSize: Int) {
        self.consumer = consumer
        buffers = (0..<bufferCount).map { _ in .allocate(byteCount: bufferSize, alignment: 4096) }
        queue = Mutex(Queue(free: Array(0..<bufferCount)))
        freeSignal = DispatchSemaphore(value: bufferCount)
    }

    deinit {
        // A semaphore must not die below its initial value: give back what an abandoning
        // producer still held.
        for _ in queue.withLock({ $0.free.count })..<buffers.count { freeSignal.signal() }
        for buffer in buffers { buffer.deallocate() }
    }

    func start() {
        BackgroundThread.start { self.run() }
    }

    func takeFreeBuffer() -> Int {
        freeSignal.wait()
        return queue.withLock { $0.free.removeLast() }
    }

    func submit(_ index: Int, count: Int) {
        queue.withLock { $0.filled.append((index, count)) }
        filledSignal.signal()
    }

    func throwIfFailed() throws {
        if let error = queue.withLock({ $0.error }) { throw error }
    }

    func close() throws {
        queue.withLock { $0.closed = true }
        filledSignal.signal()
        done.wait()
        try throwIfFailed()
    }

    /// Ends the thread if the producer went away without closing: what is queued is dropped
    /// and the consumer is not finished.
    func abandon() {
        let open = queue.withLock { state in
            defer { state.closed = true }
            if !state.closed, state.error == nil { state.error = PipelineAbandoned() }
            return !state.closed
        }
        if open { filledSignal.signal() }
    }

    var finishedConsumer: Consumer { consumer }

    private func run() {
        while true {
            filledSignal.wait()
            let next: (index: Int, count: Int)? = queue.withLock { state in
                state.filled.isEmpty ? nil : state.filled.removeFirst()
            }
            guard let next else {
                // Woken with nothing queued: the producer closed the pipeline.
                if queue.withLock({ $0.error }) == nil {
                    do { try consumer.finish() } catch { queue.withLock { $0.error = error } }
                }
                done.signal()
                return
            }
            if queue.withLock({ $0.error }) == nil, next.count > 0 {
                do {
                    try consumer.consume(UnsafeRawBufferPointer(rebasing: buffers[next.index][..<next.count]))
                } catch {
                    queue.withLock { $0.error = error }
                }
            }
            queue.withLock { $0.free.append(next.index) }
            freeSignal.signal()
        }
    }
}
