#if canImport(Glibc)
    import Glibc
#endif

/// Starts threads of their own for loops that block (on the kernel, on a queue).
///
/// Dispatch's global queues and Swift's cooperative pool keep about one thread per core busy and
/// are slow to add more when those block, so several blocking loops on them (a read-ahead, a
/// hashing pipeline, file writers) can wait for one another for hundreds of milliseconds. A thread
/// of its own never waits for a pool.
public enum DetachedThread {
    /// Runs `body` on a new detached thread (`pthread_create(3)`) with a stack of `stackSize`
    /// bytes.
    ///
    /// - Important: a thread that cannot be started (`EAGAIN`: the process or user thread limit)
    ///   stops the process: the loops run here are not optional, and a caller left waiting for
    ///   one would hang.
    public static func start(stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            fatalError("cannot start a thread: \(SystemError(call: "pthread_create", errno: result))")
        }
    }

    /// The closure a thread runs, boxed to pass through `pthread_create`'s `void *`.
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
