import Dispatch
import Foundation
import KeelLinux
import Synchronization

/// A task executor for tests that block: each job runs on an idle thread of the pool, or on a
/// new one when every thread is busy, so a test that blocks a thread for minutes (a child process
/// run to its end) never delays another test's job, and an async test's steps never wait behind
/// blocking ones on Swift's cooperative pool (one thread per core). How many tests run at once
/// is bounded elsewhere (`TestConcurrency`); the threads follow the jobs.
public final class TestThreadPool: TaskExecutor, Sendable {
    /// The pool every test of the process shares.
    public static let shared = TestThreadPool()

    /// The name of the pool's threads (as `/proc/self/task/TID/comm` shows it).
    public static let threadName = "keel-test"

    /// A thread waiting for its next job.
    private final class Worker: Sendable {
        let wakeUp = DispatchSemaphore(value: 0)
        let job = Mutex<UnownedJob?>(nil)
    }

    private let idle = Mutex<[Worker]>([])

    /// Runs `job` on an idle thread, or a new one.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if let worker = idle.withLock({ $0.popLast() }) {
            worker.job.withLock { $0 = job }
            worker.wakeUp.signal()
            return
        }
        let worker = Worker()
        worker.job.withLock { $0 = job }
        // Test bodies nest deeply (expectation macros, parsers): a main thread's stack size.
        DetachedThread.start(stackSize: 8 << 20) { [self] in run(worker) }
    }

    /// A worker's loop: its job, then wait on the idle list for the next one.
    private func run(_ worker: Worker) {
        Thread.current.name = Self.threadName
        while true {
            if let job = worker.job.withLock({ job in
                defer { job = nil }; return job
            }) {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            idle.withLock { $0.append(worker) }
            worker.wakeUp.wait()
        }
    }
}
