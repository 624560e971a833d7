import Foundation

/// Starts dedicated threads for loops that block (on semaphores, on the kernel).
///
/// Dispatch's global queues keep about one thread per core busy and are slow to add more when
/// those block, so several blocking loops on them (a prefetcher, a hashing pipeline, file
/// writers) can wait for one another for hundreds of milliseconds. A thread of its own never
/// waits for a queue.
enum BackgroundThread {
    /// Runs `body` on a new thread.
    static func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }
}
