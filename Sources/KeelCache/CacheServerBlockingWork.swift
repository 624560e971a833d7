import KeelLinux

/// Short blocking work of a request (a database lookup, a directory scan, opening a file) run on
/// worker threads of its own, so no request ever blocks an event loop or Swift's cooperative
/// pool; the request's task waits without blocking.
final class CacheServerBlockingWork: Sendable {
    /// One job: the closure that runs it and resumes its waiting task.
    private struct Job: Sendable {
        let run: @Sendable () -> Void
    }

    private let queue: WorkQueue<Job, Never>

    /// Starts `threads` workers.
    init(threads: Int = 4) {
        queue = WorkQueue(threads: threads, perform: { job in job.run() }, discard: { job in job.run() })
    }

    deinit { queue.abandon() }

    /// Runs `body` on a worker and returns its result.
    ///
    /// - Throws: what `body` throws.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(CacheError) -> T) async throws(CacheError) -> T {
        let result: Result<T, CacheError> = await withCheckedContinuation { continuation in
            queue.submit(
                Job {
                    continuation.resume(returning: Result { () throws(CacheError) in try body() })
                })
        }
        return try result.get()
    }
}
