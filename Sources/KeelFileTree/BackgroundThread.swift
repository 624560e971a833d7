import KeelLinux

/// Starts dedicated threads for loops that block (on semaphores, on the kernel): KeelLinux's
/// `DetachedThread` with a 1 MiB stack. Queue-shaped work goes to a `WorkQueue` instead.
enum BackgroundThread {
    /// Runs `body` on a new thread.
    static func start(_ body: @escaping @Sendable () -> Void) {
        DetachedThread.start(stackSize: 1 << 20, body)
    }
}
