import Dispatch
import KeelLinux
import Synchronization
import SystemPackage

/// Reads small regular files on a background thread ahead of the walker that archives them.
///
/// Archiving a tree of many small files costs mostly system calls (open, fstat, read, close);
/// running them on a second thread while the walker writes tokens and another thread hashes
/// keeps both cores busy. The walker submits a directory's files as soon as it lists it, then
/// `take`s each in archive order. The background thread reads from the back of the queue (the
/// files submitted last) while the walker reads the front itself, taking back any file not yet
/// started, so the two meet in the middle and rarely wait for each other. Read files waiting in
/// memory hold at most `windowBytes` bytes, each file at most `maxFileSize`.
///
/// - Important: call `shutdown()` before closing any directory descriptor passed to `submit`
///   whose files were not all taken.
final class FilePrefetcher: @unchecked Sendable {
    /// A file read ahead: its status and bytes (the caller frees `bytes` with `release`).
    struct Prefetched: @unchecked Sendable {
        let status: FileStatus
        let bytes: UnsafeMutableRawBufferPointer
        let count: Int
    }

    /// What `take` hands back.
    enum Outcome: Sendable {
        /// The file's bytes, read ahead.
        case read(Prefetched)
        /// The walker reads the file itself (not started, too large, or the read failed).
        case readYourself
    }

    private enum JobState: Sendable {
        case queued
        case reading
        case done(Prefetched)
        case deferred
    }

    private struct Job: Sendable {
        let directory: FileDescriptor
        let name: [UInt8]
        var state: JobState
    }

    private struct State: Sendable {
        var jobs: [Int: Job] = [:]
        /// Tickets not yet started, oldest first, from `head` on.
        var queue: [Int] = []
        var head = 0
        var running: Int
        var nextTicket = 0
        /// Bytes of read files not yet taken (a file being read counts as `maxFileSize`).
        var held = 0
        var waitingFor: Int?
        var sleeping = 0
        var stopping = false

        var hasQueued: Bool { head < queue.count }

        /// Marks the newest queued file as being read, if the window allows.
        mutating func startNewest(window: Int, reserve: Int) -> (Int, Job)? {
            while held + reserve <= window, head < queue.count {
                let ticket = queue.removeLast()
                // Skip files the walker took back.
                guard var job = jobs[ticket], case .queued = job.state else { continue }
                job.state = .reading
                jobs[ticket] = job
                held += reserve
                return (ticket, job)
            }
            return nil
        }

        mutating func popQueued() -> Int? {
            guard head < queue.count else { return nil }
            let ticket = queue[head]
            head += 1
            if head >= 1024 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return ticket
        }
    }

    private let state: Mutex<State>
    private let wakeWorker = DispatchSemaphore(value: 0)
    private let progress = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let window: Int
    private let maxFileSize: Int

    /// Starts `threads` background threads.
    init(threads: Int = 1, windowBytes: Int = 16 << 20, maxFileSize: Int = 256 * 1024) {
        self.window = windowBytes
        self.maxFileSize = maxFileSize
        state = Mutex(State(running: threads))
        for _ in 0..<threads { DetachedThread.start { self.run() } }
    }

    /// Queues files of one directory for reading; returns their tickets, in order.
    func submit(directory: FileDescriptor, names: [[UInt8]]) -> [Int] {
        guard !names.isEmpty else { return [] }
        let (tickets, wake) = state.withLock { state in
            let first = state.nextTicket
            state.nextTicket += names.count
            for (offset, name) in names.enumerated() {
                state.jobs[first + offset] = Job(directory: directory, name: name, state: .queued)
                state.queue.append(first + offset)
            }
            let wake = state.held + maxFileSize <= window ? min(state.sleeping, names.count) : 0
            state.sleeping -= wake
            return (Array(first..<first + names.count), wake)
        }
        for _ in 0..<wake { wakeWorker.signal() }
        return tickets
    }

    /// Takes a submitted file. While the background thread is still reading it, the walker
    /// reads the next queued files itself instead of sleeping.
    func take(_ ticket: Int) -> Outcome {
        while true {
            enum Step {
                case finished(Outcome)
                case wait
            }
            let step: Step = state.withLock { state in
                guard let job = state.jobs[ticket] else { return .finished(.readYourself) }
                switch job.state {
                case .queued:
                    state.jobs[ticket] = nil
                    return .finished(.readYourself)
                case .reading:
                    state.waitingFor = ticket
                    return .wait
                case .done(let prefetched):
                    state.jobs[ticket] = nil
                    return .finished(.read(prefetched))
                case .deferred:
                    state.jobs[ticket] = nil
                    return .finished(.readYourself)
                }
            }
            switch step {
            case .finished(let outcome): return outcome
            case .wait: progress.wait()
            }
        }
    }

    /// Records a finished read and wakes the walker if it waits for it.
    private func complete(_ ticket: Int, with prefetched: Prefetched?) {
        let wake = state.withLock { state in
            state.jobs[ticket]?.state = prefetched.map { .done($0) } ?? .deferred
            state.held -= maxFileSize - (prefetched?.count ?? 0)
            guard state.waitingFor == ticket else { return false }
            state.waitingFor = nil
            return true
        }
        if wake { progress.signal() }
    }

    /// Frees a file's bytes and lets the background thread read one more.
    func release(_ prefetched: Prefetched) {
        prefetched.bytes.deallocate()
        let wake = state.withLock { state in
            state.held -= prefetched.count
            let wake = state.sleeping > 0 && state.hasQueued
            if wake { state.sleeping -= 1 }
            return wake
        }
        if wake { wakeWorker.signal() }
    }

    /// Stops the background thread, waits for it, and frees whatever was read but not taken.
    func shutdown() {
        let (wake, running) = state.withLock { state in
            state.stopping = true
            let wake = state.sleeping
            state.sleeping = 0
            return (wake, state.running)
        }
        for _ in 0..<wake { wakeWorker.signal() }
        for _ in 0..<running { stopped.wait() }
        state.withLock { state in
            for job in state.jobs.values {
                if case .done(let prefetched) = job.state { prefetched.bytes.deallocate() }
            }
            state.jobs.removeAll()
        }
    }

    private func run() {
        defer { stopped.signal() }
        while true {
            let next: (Int, Job)?? = state.withLock { state in
                if state.stopping { return .some(nil) }
                if let next = state.startNewest(window: window, reserve: maxFileSize) { return .some(next) }
                state.sleeping += 1
                return nil
            }
            guard let next else {
                wakeWorker.wait()
                continue
            }
            guard let (ticket, job) = next else { return }
            complete(ticket, with: read(job))
        }
    }

    /// Reads a whole small regular file, or returns nil to leave it to the walker.
    private func read(_ job: Job) -> Prefetched? {
        guard let fd = try? FileSystem.openForReading(job.name, in: job.directory) else { return nil }
        defer { FileSystem.close(fd) }
        guard let status = try? FileSystem.status(of: fd), status.kind == .regular, status.size <= UInt64(maxFileSize)
        else { return nil }
        let size = Int(status.size)
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        var count = 0
        while count < size {
            let piece = UnsafeMutableRawBufferPointer(rebasing: bytes[count..<size])
            guard let read = try? SystemCall.read(fd.rawValue, into: piece), read > 0 else { break }
            count += read
        }
        guard count == size else {
            bytes.deallocate()
            return nil
        }
        return Prefetched(status: status, bytes: bytes, count: count)
    }
}
