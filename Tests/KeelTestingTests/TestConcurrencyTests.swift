import Dispatch
import Foundation
import KeelTesting
import Testing

@Suite("Tests on threads of their own", .ownThreads)
struct TestConcurrencyTests {
    /// The calling thread's name, as the kernel has it.
    static func threadName() -> String {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return name.trimmingCharacters(in: .newlines)
    }

    @Test("a synchronous test body runs on the test pool, not on the cooperative pool")
    func synchronousBody() {
        #expect(TestConcurrency.turnsHeld == 1)
        #expect(Self.threadName() == TestThreadPool.threadName)
    }

    @Test("an async test body and its child tasks run on the test pool")
    func asyncBody() async {
        #expect(Self.threadName() == TestThreadPool.threadName)
        async let child = Self.threadName()
        #expect(await child == TestThreadPool.threadName)
    }

    @Test("child tasks that block, more of them than cores, do not keep the task that unblocks them from running")
    func blockingChildren() async {
        let count = 4 * max(2, ProcessInfo.processInfo.activeProcessorCount)
        let release = DispatchSemaphore(value: 0)
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask { release.wait(timeout: .now() + 10) == .timedOut }
            }
            // Added last: on a pool of one thread per core it would wait behind the blocked ones.
            group.addTask {
                await Task.yield()
                for _ in 0..<count { release.signal() }
                return false
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(timedOut == 0)
    }
}

@Suite("Tests on threads of their own: nested suites", .ownThreads)
struct TestConcurrencyNestingTests {
    @Suite("inner", .ownThreads)
    struct Inner {
        @Test("a test within two suites with the trait takes one turn, and runs on the test pool")
        func nested() {
            #expect(TestConcurrency.turnsHeld == 1)
            #expect(TestConcurrencyTests.threadName() == TestThreadPool.threadName)
        }
    }
}
