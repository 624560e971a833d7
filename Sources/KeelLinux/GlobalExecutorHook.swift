import CKeelLinux

/// The Swift concurrency runtime's global-executor hook (`swift_task_enqueueGlobal_hook`): a
/// function that takes every job meant for the global executor instead of libdispatch.
public enum GlobalExecutorHook {
    /// The runtime's own enqueue of a job, handed to the hook.
    public typealias Original = @convention(thin) (UnownedJob) -> Void
    /// A hook: called with each job and the runtime's own enqueue.
    public typealias Hook = @convention(thin) (UnownedJob, Original) -> Void

    /// Installs `hook`; false when the runtime has no hook or something installed one already.
    /// A plain store, not an atomic one: call it once, from the main thread, before any task
    /// starts.
    public static func install(_ hook: Hook) -> Bool {
        guard let slot = ckeel_swift_enqueue_global_hook(), slot.pointee == nil else { return false }
        slot.pointee = unsafeBitCast(hook, to: UnsafeMutableRawPointer.self)
        return true
    }
}
