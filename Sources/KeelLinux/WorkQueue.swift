import Dispatch
import Synchronization

/// Items handed from producing threads to worker threads of their own, first in first out: the
/// one model for blocking background work (file writers, `fsync`s, a hashing pipeline, removals).
///
/// Workers wait for an item, take it and `perform` it, until the queue is finished or abandoned
/// and empty. The first failure is kept: items taken after it are `discard`ed instead (so a
/// buffer still goes back to its pool, a descriptor is still closed), and `finish()` throws it.
/// No item is lost: each one submitted is either performed or discarded before the workers stop.
///
/// Each item costs one lock and one semaphore signal to submit and one wait and one lock to take,
/// and no allocation (the queue is a ring that grows only when it is full), so it suits work
/// items of a few microseconds and up; batch smaller ones (as `FileWriterPool` does).
public final class WorkQueue<Item: Sendable, Failure: Error>: Sendable {
    private struct State {
        var items = RingBuffer<Item>()
        var closed = false
        var abandoned = false
        /// Whether `finish()` has waited for the workers.
        var joined = false
        var failure: Failure?
    }

    private let state = Mutex(State())
    /// Signalled once per item submitted, and once more when the queue is closed (each worker
    /// that finds it closed and empty passes the wake-up on).
    private let available = DispatchSemaphore(value: 0)
    /// Signalled by each worker as it stops.
    private let stopped = DispatchSemaphore(value: 0)
    private let threads: Int

    /// Starts `threads` worker threads.
    ///
    /// - Parameters:
    ///   - threads: how many workers take items at once (at least 1); with more than one, items
    ///     are taken in order but may finish out of order.
    ///   - perform: does one item's work; a failure it throws is kept if it is the first.
    ///   - discard: lets go of an item taken after a failure or after `abandon()`, instead of
    ///     `perform`.
    ///   - yieldingOnWakeUp: whether the workers are in the batch scheduling class
    ///     (`ThreadScheduling.yieldOnWakeUp`), for bookkeeping that must not preempt the host's
    ///     other work; where the kernel refuses, they are scheduled as any thread.
    ///   - stackSize: each worker's stack, in bytes (1 MiB unless the work recurses deeply).
    public init(
        threads: Int = 1, yieldingOnWakeUp: Bool = false, stackSize: Int = 1 << 20,
        perform: @escaping @Sendable (Item) throws(Failure) -> Void,
        discard: @escaping @Sendable (Item) -> Void = { _ in }
    ) {
        self.threads = max(1, threads)
        for _ in 0..<self.threads {
            DetachedThread.start(stackSize: stackSize) {
                if yieldingOnWakeUp { try? ThreadScheduling.yieldOnWakeUp() }
                self.serve(perform: perform, discard: discard)
            }
        }
    }

    /// Queues `item` for a worker; never waits.
    ///
    /// - Precondition: neither `finish()` nor `abandon()` was called.
    public func submit(_ item: Item) {
        state.withLock { state in
            precondition(!state.closed, "an item submitted to a finished work queue")
            state.items.append(item)
        }
        available.signal()
    }

    /// The first failure so far, if any.
    public var failure: Failure? { state.withLock { $0.failure } }

    /// Waits until every item submitted has been performed (or discarded) and the workers have
    /// stopped; throws the first failure. The queue takes no more items.
    public func finish() throws(Failure) {
        close(abandoning: false)
        let joined = state.withLock { state in
            defer { state.joined = true }
            return state.joined
        }
        if !joined {
            for _ in 0..<threads { stopped.wait() }
        }
        if let failure { throw failure }
    }

    /// Lets the workers discard what is queued and stop, without waiting for them (the producer
    /// went away). After `finish()`, does nothing.
    public func abandon() {
        close(abandoning: true)
    }

    private func close(abandoning: Bool) {
        let wasOpen = state.withLock { state in
            defer { state.closed = true }
            if abandoning { state.abandoned = true }
            return !state.closed
        }
        if wasOpen { available.signal() }
    }

    /// What a worker does next.
    private enum Next {
        case perform(Item)
        case discard(Item)
        case idle
        case stop
    }

    private func serve(
        perform: @Sendable (Item) throws(Failure) -> Void, discard: @Sendable (Item) -> Void
    ) {
        while true {
            available.wait()
            let next: Next = state.withLock { state in
                guard let item = state.items.popFirst() else { return state.closed ? .stop : .idle }
                return state.failure == nil && !state.abandoned ? .perform(item) : .discard(item)
            }
            switch next {
            case .perform(let item):
                do throws(Failure) { try perform(item) } catch {
                    state.withLock { state in if state.failure == nil { state.failure = error } }
                }
            case .discard(let item):
                discard(item)
            case .idle:
                continue
            case .stop:
                // Pass the wake-up of the close on, so every worker stops.
                available.signal()
                stopped.signal()
                return
            }
        }
    }
}

/// Reusable items (buffers, batches) passed back and forth between a producer and the workers
/// of a `WorkQueue`: `take` waits until one is free, `put` hands one back.
///
/// At most `limit` items exist: those given at the start, and those `take(orMake:)` makes while
/// fewer exist, so memory is bounded and nothing is allocated once every item was made.
public final class RecyclingPool<Item: Sendable>: Sendable {
    private let free: Mutex<[Item]>
    /// Counts the free items and those not made yet.
    private let available = DispatchSemaphore(value: 0)

    /// A pool holding `items`, which may make more up to `limit` in all.
    public init(_ items: [Item] = [], limit: Int) {
        precondition(limit >= max(1, items.count), "a pool's limit must allow its items and at least one")
        var free = items
        free.reserveCapacity(limit)
        self.free = Mutex(free)
        // Raised by signals rather than given as the initial value: Dispatch refuses to free a
        // semaphore below its initial value, and items may be out when the pool goes.
        for _ in 0..<limit { available.signal() }
    }

    /// Takes a free item, making one with `make` if none is free and fewer than `limit` exist,
    /// or else waiting until one is put back.
    public func take(orMake make: () -> Item) -> Item {
        available.wait()
        return free.withLock { $0.popLast() } ?? make()
    }

    /// Takes a free item, waiting until one is put back.
    ///
    /// - Precondition: the pool was given all of its `limit` items.
    public func take() -> Item {
        take(orMake: { preconditionFailure("a pool with nothing to make items from ran short") })
    }

    /// Hands an item back, waking a `take` that waits.
    public func put(_ item: Item) {
        free.withLock { $0.append(item) }
        available.signal()
    }
}

/// A first-in first-out queue in a ring of slots that doubles when full (and never shrinks), so
/// appending and removing allocate nothing in the steady state.
struct RingBuffer<Element> {
    private var slots: ContiguousArray<Element?> = []
    private var head = 0
    private(set) var count = 0

    /// Adds `element` at the back.
    mutating func append(_ element: Element) {
        if count == slots.count { grow() }
        slots[(head + count) & (slots.count - 1)] = element
        count += 1
    }

    /// Removes and returns the front element, if any.
    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = slots[head].take()
        head = (head + 1) & (slots.count - 1)
        count -= 1
        return element
    }

    /// Doubles the slots (at least 16), keeping the elements in order from slot 0.
    private mutating func grow() {
        var larger = ContiguousArray<Element?>(repeating: nil, count: max(16, slots.count * 2))
        for index in 0..<count { larger[index] = slots[(head + index) & (slots.count - 1)].take() }
        slots = larger
        head = 0
    }
}
