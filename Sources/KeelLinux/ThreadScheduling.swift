import CKeelLinux
import Glibc

/// How the calling thread is scheduled against the host's other threads.
public enum ThreadScheduling {
    /// Moves the calling thread to Linux's batch class (`SCHED_BATCH`): it keeps its fair share
    /// of the CPU, but waking it never preempts the thread running on its CPU. For bookkeeping
    /// that may run a little later (the daemon's ledger writer), so it does not push a program
    /// that has just started off its CPU.
    ///
    /// - Throws: `SystemError` when the kernel refuses.
    public static func yieldOnWakeUp() throws(SystemError) {
        guard ckeel_thread_schedule_batch() == 0 else {
            throw SystemError(call: "sched_setscheduler(SCHED_BATCH)", errno: errno)
        }
    }

    /// Whether the calling thread is in the batch class (`yieldOnWakeUp()`).
    public static var yieldsOnWakeUp: Bool { ckeel_thread_is_batch() == 1 }
}
