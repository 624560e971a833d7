import KeelLinux
import NIOCore
import NIOPosix

/// Swift concurrency's global executor on NIO's singleton event loops, for `keel daemon`.
///
/// libdispatch on Linux starts a monitor of its worker pool with the pool's first thread, and
/// the monitor wakes a thread once a second for the life of the process. With its jobs on
/// NIO's loops (and its timers on `EventLoopClock`), an idle daemon never wakes. NIO's own
/// installer finds the hook through `dlsym`, which misses it when the runtime is linked
/// statically, as in Keel's release build; `GlobalExecutorHook` finds it through the linker.
public enum EventLoopGlobalExecutor {
    /// Installs the executor; false when the runtime has no hook or another one is set (the
    /// daemon then runs on libdispatch, as any Swift program does). Call it once, from the
    /// main thread, before any task starts.
    public static func install() -> Bool {
        GlobalExecutorHook.install { job, _ in
            // `any()` is the current loop when called on one of the group's loops (no hop), and
            // a loop's own `enqueue` takes the job without a closure or an executor box.
            MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
        }
    }
}
