import Dispatch
import KeelLinux
import Synchronization
import SystemPackage

/// Reads small regular files on a background thread ahead of the walker that archives them.
///
/// Archiving a tree of many small files costs mostly system calls (open, fstat, read, close);
/// running them on a second thread while the walker writes tokens and another thread hashes
/// keeps both cores busy. The walker submits a directory's files as soon as it lists it, then
/// `take`s each in archive order: a file already read comes back as bytes; a file not yet
/// started is taken back and read by the walker itself, so nothing ever waits on the queue's
/// order. At most `window` read files wait in memory, each at most `maxFileSize` bytes.
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

    private struct State {
        var jobs: [Int: Job] = [:]
        var queue: [Int] = []
        var head = 0
        var nextTicket = 0
        var waitingFor: Int?
        var stopping = false
    }

    private let state = Mutex(State())
    private let jobsAvailable = DispatchSemaphore(value: 0)
    private let window: DispatchSemaphore
    private let progress = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let maxFileSize: Int

    /// Starts the background thread.
    init(window: Int = 64, maxFileSize: Int = 256 * 1024) {
        self.window = DispatchSemaphore(value: window)
        self.maxFileSize = maxFileSize
        DispatchQueue.global(qos: .userInitiated).async { self.run() }
    }

    /// Queues a file for reading; returns the ticket to `take` it with.
    func submit(directory: FileDescriptor, name: [UInt8]) -> Int {
        let ticket = state.withLock { state in
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.jobs[ticket] = Job(directory: directory, name: name, state: .queued)
            state.queue.append(ticket)
            return ticket
        }
        jobsAvailable.signal()
        return ticket
    }

    /// Takes a submitted file, waiting only if the background thread is reading it right now.
    func take(_ ticket: Int) -> Outcome {
        while true {
            let outcome: Outcome? = state.withLock { state in
                guard let job = state.jobs[ticket] else { return .readYourself }
                switch job.state {
                case .queued:
                    state.jobs[ticket] = nil
                    return .readYourself
                case .reading:
                    state.waitingFor = ticket
                    return nil
                case .done(let prefetched):
                    state.jobs[ticket] = nil
                    return .read(prefetched)
                case .deferred:
                    state.jobs[ticket] = nil
                    return .readYourself
                }
            }
            if let outcome { return outcome }
            progress.wait()
        }
    }

    /// Frees a file's bytes and lets the background thread read one more.
    func release(_ prefetched: Prefetched) {
        prefetched.bytes.deallocate()
        window.signal()
    }

    /// Stops the background thread, waits for it, and frees whatever was read but not taken.
    func shutdown() {
        state.withLock { $0.stopping = true }
        jobsAvailable.signal()
        window.signal()
        stopped.wait()
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
            jobsAvailable.wait()
            if state.withLock({ $0.stopping }) { return }
            window.wait()
            let next: (Int, Job)? = state.withLock { state in
                if state.stopping { return nil }
                while state.head < state.queue.count {
                    let ticket = state.queue[state.head]
                    state.head += 1
                    if state.head > 4096 {
                        state.queue.removeFirst(state.head)
                        state.head = 0
                    }
                    if var job = state.jobs[ticket], case .queued = job.state {
                        job.state = .reading
                        state.jobs[ticket] = job
                        return (ticket, job)
                    }
                }
                return nil
            }
            guard let (ticket, job) = next else {
                if state.withLock({ $0.stopping }) { return }
                window.signal()
                continue
            }
            let prefetched = read(job)
            if prefetched == nil { window.signal() }
            let wake = state.withLock { state in
                state.jobs[ticket]?.state = prefetched.map { .done($0) } ?? .deferred
                guard state.waitingFor == ticket else { return false }
                state.waitingFor = nil
                return true
            }
            if wake { progress.signal() }
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
