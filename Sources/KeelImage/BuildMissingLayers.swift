import Dispatch
import KeelLinux
import Synchronization

/// Writes the store layers the layer cache did not have, several at a time, each on a worker
/// thread (which hashes on a thread of its own, see `LayerStream`), and reports them on the
/// calling thread: a layer starts when a worker is free to take it, and finishes once its blob
/// is named and cached.
///
/// A rebuild usually misses a few layers of many small files, and one thread spends most of such
/// a layer in system calls (an open, a stat, a read and a close per file): two at once take about
/// half as long on two cores. Each layer's bytes do not depend on how many are written at once.
struct MissingLayerBuild {
    /// A store layer to write: its place in the image, its paths (in layer order), its cache key.
    struct Job: Sendable {
        let index: Int
        let paths: [String]
        let key: String
    }

    /// What the layers are of, and how they are written.
    let request: ImageBuildRequest
    /// Where the blobs go.
    let writer: LayerBlobWriter
    /// Where each written layer is recorded, if anywhere.
    let cache: LayerCache?
    /// How many layers are written at once (at least 1).
    let concurrency: Int

    /// Writes `jobs` (taken in their order); returns each one's layer by index.
    ///
    /// - Parameter progress: called on this thread as each layer starts and ends.
    /// - Throws: the first layer's failure; no layer is started after it.
    func run(_ jobs: [Job], layerCount: Int, progress: (ImageBuildEvent) -> Void) throws -> [Int: BuiltLayer] {
        guard !jobs.isEmpty else { return [:] }
        let workers = min(max(1, concurrency), jobs.count)
        let done = FinishedLayers()
        // One signal per idle worker; raised by signals, since Dispatch refuses to free a
        // semaphore below its initial value.
        let idle = DispatchSemaphore(value: 0)
        for _ in 0..<workers { idle.signal() }
        let request = request
        let writer = writer
        let cache = cache
        // Workers walk store trees recursively, a stack frame per directory level: they get the
        // main thread's usual 8 MiB.
        let queue = WorkQueue<Job, any Error>(
            threads: workers, stackSize: 8 << 20,
            perform: { job in
                // The failure is recorded before the worker counts as idle, so the calling
                // thread, woken by that, starts no further layer.
                defer { idle.signal() }
                do { done.add(job.index, try Self.write(job, request: request, writer: writer, cache: cache)) } catch {
                    done.recordFailure()
                    throw error
                }
            },
            discard: { _ in idle.signal() })
        var layers: [Int: BuiltLayer] = [:]
        func reportFinished() {
            for (index, layer) in done.take() {
                layers[index] = layer
                progress(.layerFinished(index: index, count: layerCount, layer: layer))
            }
        }
        for job in jobs {
            idle.wait()
            reportFinished()
            if done.failed { break }
            progress(.layerStarted(index: job.index, count: layerCount, paths: job.paths))
            queue.submit(job)
        }
        try queue.finish()
        reportFinished()
        return layers
    }

    /// Streams `job`'s paths from the store into a new blob and records it in the cache.
    private static func write(_ job: Job, request: ImageBuildRequest, writer: LayerBlobWriter, cache: LayerCache?)
        throws -> BuiltLayer
    {
        let written = try writer.write(compression: request.compression) { stream in
            let tar = StorePathTar(formatting: request.formatting)
            try tar.appendStoreDirectory(request.storeDirectory, into: &stream)
            for path in job.paths { try tar.appendPath(path, into: &stream) }
        }
        cache?.store(job.key, digests: written.digests, blob: written.path)
        return BuiltLayer(
            paths: job.paths, digests: written.digests, mediaType: request.compression.mediaType, fromCache: false)
    }
}

/// Layers the workers finished and the calling thread has not reported yet, and whether one
/// failed.
private final class FinishedLayers: Sendable {
    private struct State {
        var layers: [(index: Int, layer: BuiltLayer)] = []
        var failed = false
    }

    private let state = Mutex(State())

    func add(_ index: Int, _ layer: BuiltLayer) { state.withLock { $0.layers.append((index, layer)) } }

    /// Notes that a layer failed.
    func recordFailure() { state.withLock { $0.failed = true } }

    /// Whether a layer failed.
    var failed: Bool { state.withLock { $0.failed } }

    /// Those added since the last call, in the order they finished.
    func take() -> [(index: Int, layer: BuiltLayer)] {
        state.withLock { state in
            defer { state.layers = [] }
            return state.layers
        }
    }
}
