import KeelFormats
import KeelLinux

/// A `NARSink` that overlaps producing a NAR with consuming it: the writer fills one buffer
/// while a background thread hashes or writes the previous ones.
///
/// Reading files (system calls, page-cache copies) and hashing then run on two cores at once,
/// so hashing a tree costs about what hashing its bytes costs. Memory is bounded by
/// `bufferCount × bufferSize`. A sink dropped before `finish` (a walk that failed or was
/// stopped) lets its thread end without finishing the consumer.
public struct PipelinedSink<Consumer: ChunkConsumer>: NARSink {
    private let pipeline: Pipeline<Consumer>
    private var current: Int?

    /// Starts the consumer thread.
    ///
    /// - Parameters:
    ///   - consumer: what takes the bytes; moved to the background thread until `finish`.
    ///   - bufferCount: how many buffers circulate (at least 2).
    ///   - bufferSize: bytes per buffer.
    public init(consumer: Consumer, bufferCount: Int = 4, bufferSize: Int = 1 << 20) {
        pipeline = Pipeline(consumer: consumer, bufferCount: max(2, bufferCount), bufferSize: bufferSize)
    }

    /// Queues the filled buffer and waits for a free one.
    public mutating func nextBuffer(filled: Int) throws -> UnsafeMutableRawBufferPointer {
        if let current { pipeline.chunks.submit(Chunk(index: current, count: filled)) }
        current = nil
        if let failure = pipeline.chunks.failure { throw failure }
        let index = pipeline.free.take()
        current = index
        return pipeline.stage.buffers[index]
    }

    /// Queues the last bytes, waits until the consumer has taken everything, and finishes it.
    public mutating func finish(filled: Int) throws {
        if let current { pipeline.chunks.submit(Chunk(index: current, count: filled)) }
        current = nil
        try pipeline.chunks.finish()
        // The consumer thread has stopped: the consumer is this thread's now.
        try pipeline.stage.consumer.finish()
    }

    /// The consumer after `finish(filled:)` (for example, to read a hash).
    public var consumer: Consumer { pipeline.stage.consumer }
}

/// A filled buffer: which one, and how many of its bytes.
private struct Chunk: Sendable {
    let index: Int
    let count: Int
}

/// The buffers and the consumer, shared by the producer and the consumer thread: the thread
/// keeps them alive until it has stopped, even when the producer went away first.
private final class Stage<Consumer: ChunkConsumer>: @unchecked Sendable {
    let buffers: [UnsafeMutableRawBufferPointer]
    /// Touched only by the consumer thread until the queue's `finish()` returns.
    var consumer: Consumer

    init(consumer: Consumer, bufferCount: Int, bufferSize: Int) {
        self.consumer = consumer
        buffers = (0..<bufferCount).map { _ in .allocate(byteCount: bufferSize, alignment: 4096) }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }
}

/// The producer's side of a `PipelinedSink`, held by every copy of the sink: the queue of
/// filled buffers, the free ones, and the stage. When the last copy goes without finishing, the
/// consumer thread is let go: what is queued is dropped and the consumer is not finished.
private final class Pipeline<Consumer: ChunkConsumer>: Sendable {
    let stage: Stage<Consumer>
    let free: RecyclingPool<Int>
    let chunks: WorkQueue<Chunk, any Error>

    init(consumer: Consumer, bufferCount: Int, bufferSize: Int) {
        let stage = Stage(consumer: consumer, bufferCount: bufferCount, bufferSize: bufferSize)
        let free = RecyclingPool(Array(0..<bufferCount), limit: bufferCount)
        self.stage = stage
        self.free = free
        chunks = WorkQueue(
            perform: { chunk throws(any Error) in
                defer { free.put(chunk.index) }
                guard chunk.count > 0 else { return }
                try stage.consumer.consume(UnsafeRawBufferPointer(rebasing: stage.buffers[chunk.index][..<chunk.count]))
            },
            discard: { chunk in free.put(chunk.index) })
    }

    deinit { chunks.abandon() }
}
