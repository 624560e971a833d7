import Dispatch
import KeelTesting
import Synchronization
import Testing

@testable import KeelLinux

/// KeelLinux's `WorkQueue`, `RecyclingPool` and ring buffer (KeelLinux has no test target of its
/// own; these are the queues under the file writers, the syncer and the hashing pipeline).
@Suite("The blocking work queue", .timeLimit(.minutes(5)), .ownThreads)
struct WorkQueueTests {
    struct Failed: Error, Equatable {
        let item: Int
    }

    @Test("one worker performs the items in the order they were submitted")
    func order() throws {
        let performed = Mutex<[Int]>([])
        let queue = WorkQueue<Int, Never> { item in performed.withLock { $0.append(item) } }
        for item in 0..<10_000 { queue.submit(item) }
        queue.finish()
        #expect(performed.withLock { $0 } == Array(0..<10_000))
    }

    @Test("workers yielding on wake-up run in the batch class; others as the thread that made them")
    func yieldingWorkers() {
        let batch = Mutex<[Bool]>([])
        let yielding = WorkQueue<Int, Never>(threads: 2, yieldingOnWakeUp: true) { _ in
            batch.withLock { $0.append(ThreadScheduling.yieldsOnWakeUp) }
        }
        let plain = WorkQueue<Int, Never> { _ in batch.withLock { $0.append(ThreadScheduling.yieldsOnWakeUp) } }
        for item in 0..<4 { yielding.submit(item) }
        yielding.finish()
        plain.submit(0)
        plain.finish()
        #expect(batch.withLock { $0 } == [true, true, true, true, false])
        #expect(!ThreadScheduling.yieldsOnWakeUp)
    }

    @Test("finishing wakes idle workers: a queue that never got an item finishes", arguments: [1, 4])
    func closeWakesIdleWorkers(threads: Int) {
        let performed = Atomic<Int>(0)
        let queue = WorkQueue<Int, Never>(threads: threads) { _ in performed.add(1, ordering: .relaxed) }
        queue.finish()
        queue.finish()
        #expect(performed.load(ordering: .relaxed) == 0)
    }

    @Test("finish waits for the item in progress and for those still queued")
    func finishWaits() {
        let gate = DispatchSemaphore(value: 0)
        let performed = Mutex<[Int]>([])
        let queue = WorkQueue<Int, Never> { item in
            if item == 0 { gate.wait() }
            performed.withLock { $0.append(item) }
        }
        for item in 0..<5 { queue.submit(item) }
        let finished = DispatchSemaphore(value: 0)
        let performedAtFinish = Mutex<[Int]>([])
        DetachedThread.start {
            queue.finish()
            performedAtFinish.withLock { $0 = performed.withLock { $0 } }
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + .milliseconds(50)) == .timedOut, "finish returned before the work")
        gate.signal()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(performedAtFinish.withLock { $0 } == [0, 1, 2, 3, 4])
    }

    @Test("the first failure is kept and thrown; later items are discarded, not performed")
    func firstFailureKept() {
        let performed = Mutex<[Int]>([])
        let discarded = Mutex<[Int]>([])
        let queue = WorkQueue<Int, Failed>(
            perform: { item throws(Failed) in
                performed.withLock { $0.append(item) }
                if item == 3 || item == 7 { throw Failed(item: item) }
            },
            discard: { item in discarded.withLock { $0.append(item) } })
        for item in 0..<10 { queue.submit(item) }
        #expect(throws: Failed(item: 3)) { try queue.finish() }
        #expect(queue.failure == Failed(item: 3))
        #expect(performed.withLock { $0 } == [0, 1, 2, 3])
        #expect(discarded.withLock { $0 } == [4, 5, 6, 7, 8, 9])
    }

    @Test(
        "no item is lost: with several producers and workers, each item is performed or discarded exactly once",
        arguments: [nil, 5_000])
    func noItemLost(failingAt failing: Int?) throws {
        let producers = 8
        let perProducer = 5_000
        let seen = Mutex<[Int: Int]>([:])
        let performedCount = Atomic<Int>(0)
        let queue = WorkQueue<Int, Failed>(
            threads: 4,
            perform: { item throws(Failed) in
                seen.withLock { $0[item, default: 0] += 1 }
                performedCount.add(1, ordering: .relaxed)
                if item == failing { throw Failed(item: item) }
            },
            discard: { item in seen.withLock { $0[item, default: 0] += 1 } })
        let submitted = DispatchSemaphore(value: 0)
        for producer in 0..<producers {
            DetachedThread.start {
                for index in 0..<perProducer { queue.submit(producer * perProducer + index) }
                submitted.signal()
            }
        }
        for _ in 0..<producers { submitted.wait() }
        if let failing {
            #expect(throws: Failed(item: failing)) { try queue.finish() }
        } else {
            try queue.finish()
            #expect(performedCount.load(ordering: .relaxed) == producers * perProducer)
        }
        let counts = seen.withLock { $0 }
        #expect(counts.count == producers * perProducer)
        #expect(counts.values.allSatisfy { $0 == 1 })
    }

    @Test("an abandoned queue discards what is queued, stops its workers and lets go of its closures")
    func abandon() {
        let started = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let allDiscarded = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        let discarded = Atomic<Int>(0)
        do {
            let token = ReleaseToken(released)
            let queue = WorkQueue<Int, Never>(
                perform: { item in
                    withExtendedLifetime(token) {}
                    if item == 0 {
                        started.signal()
                        gate.wait()
                    }
                },
                discard: { _ in
                    if discarded.add(1, ordering: .relaxed).newValue == 99 { allDiscarded.signal() }
                })
            for item in 0..<100 { queue.submit(item) }
            started.wait()
            queue.abandon()
            queue.abandon()
        }
        gate.signal()
        #expect(allDiscarded.wait(timeout: .now() + 30) == .success)
        #expect(released.wait(timeout: .now() + 30) == .success, "a stopped worker still holds the closures")
        #expect(discarded.load(ordering: .relaxed) == 99)
    }

    @Test("a pool makes items only up to its limit, then take waits until one is put back")
    func recyclingPool() {
        let pool = RecyclingPool<Int>(limit: 2)
        let made = Atomic<Int>(0)
        let make = { made.add(1, ordering: .relaxed).newValue * 10 }
        let first = pool.take(orMake: make)
        let second = pool.take(orMake: make)
        #expect(Set([first, second]) == [10, 20])
        let third = Mutex<Int?>(nil)
        let taken = DispatchSemaphore(value: 0)
        DetachedThread.start {
            let item = pool.take(orMake: { made.add(1, ordering: .relaxed).newValue * 10 })
            third.withLock { $0 = item }
            taken.signal()
        }
        #expect(taken.wait(timeout: .now() + .milliseconds(50)) == .timedOut, "took a third item past the limit")
        pool.put(first)
        #expect(taken.wait(timeout: .now() + 30) == .success)
        #expect(third.withLock { $0 } == first)
        #expect(made.load(ordering: .relaxed) == 2)

        let given = RecyclingPool([1, 2, 3], limit: 3)
        #expect(Set([given.take(), given.take(), given.take()]) == [1, 2, 3])
    }

    @Test("the ring keeps first-in first-out order across wrap-arounds and growth")
    func ringBuffer() {
        var ring = RingBuffer<Int>()
        var model: [Int] = []
        var generator = SystemRandomNumberGenerator()
        var next = 0
        var popped: [Int?] = []
        var expected: [Int?] = []
        for _ in 0..<20_000 {
            if Int.random(in: 0..<5, using: &generator) < 3 {
                ring.append(next)
                model.append(next)
                next += 1
            } else {
                popped.append(ring.popFirst())
                expected.append(model.isEmpty ? nil : model.removeFirst())
            }
            if ring.count != model.count { break }
        }
        #expect(ring.count == model.count)
        while let item = ring.popFirst() { popped.append(item) }
        #expect(popped == expected + model.map { $0 })
    }
}

/// Signals a semaphore when the last reference to it goes.
private final class ReleaseToken: Sendable {
    let semaphore: DispatchSemaphore
    init(_ semaphore: DispatchSemaphore) { self.semaphore = semaphore }
    deinit { semaphore.signal() }
}
