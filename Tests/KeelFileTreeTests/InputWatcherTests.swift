import KeelTesting
import Synchronization
import SystemPackage
import Testing

@testable import KeelLinux

/// KeelLinux's `InputWatcher`: one epoll thread calling each descriptor's handler (the
/// supervisor's agents share it for their output and exits).
@Suite("The input watcher", .timeLimit(.minutes(5)), .ownThreads)
struct InputWatcherTests {
    /// What one pipe's handler saw.
    final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let callsAfterEnd = Atomic<Int>(0)
        let ended = Atomic<Bool>(false)
    }

    /// Watches the reading end of `pipe`, collecting what arrives until its end; `done` is
    /// called once at the end.
    static func collect(
        _ pipe: PipeEnds, on watcher: InputWatcher, into received: Received, done: @escaping @Sendable () -> Void
    ) throws {
        let reading = FileDescriptor(rawValue: pipe.reading)
        _ = try watcher.watch(reading) { token, scratch in
            if received.ended.load(ordering: .acquiring) {
                received.callsAfterEnd.add(1, ordering: .relaxed)
                return
            }
            let count = (try? SystemCall.read(reading.rawValue, into: scratch)) ?? 0
            if count > 0 {
                received.bytes.withLock { $0.append(contentsOf: scratch[..<count]) }
                return
            }
            watcher.stopWatching(token, descriptor: reading)
            FileSystem.close(reading)
            received.ended.store(true, ordering: .releasing)
            done()
        }
    }

    @Test("each of 200 pipes gets exactly its own bytes, in order, and no call after its end")
    func manyPipes() async throws {
        let watcher = try InputWatcher(scratchSize: 4096)
        let count = 200
        let pipes = try (0..<count).map { _ in try PipeEnds() }
        let received = (0..<count).map { _ in Received() }
        let (ends, ended) = AsyncStream.makeStream(of: Int.self)
        let guardian = Watchdog.start { ended.finish() }
        for index in 0..<count {
            try Self.collect(pipes[index], on: watcher, into: received[index]) { ended.yield(index) }
        }
        #expect(watcher.watchedCount == count)
        // Each pipe gets a payload larger than the scratch buffer, in several writes.
        let payloads = (0..<count).map { index in
            (0..<(5000 + index)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
        }
        for index in 0..<count {
            let payload = payloads[index]
            for start in stride(from: 0, to: payload.count, by: 1500) {
                let chunk = Array(payload[start..<min(start + 1500, payload.count)])
                try chunk.withUnsafeBytes { raw in try SystemCall.writeAll(pipes[index].writing, raw) }
            }
            FileSystem.close(FileDescriptor(rawValue: pipes[index].writing))
        }
        var finished = Set<Int>()
        for await index in ends {
            finished.insert(index)
            if finished.count == count { break }
        }
        guardian.cancel()
        #expect(finished.count == count)
        for index in 0..<count {
            #expect(received[index].bytes.withLock { $0 } == payloads[index], "pipe \(index)")
            #expect(received[index].callsAfterEnd.load(ordering: .relaxed) == 0)
        }
        #expect(watcher.watchedCount == 0)
    }

    @Test("a registration stopped from outside is not called again, while others still are")
    func stopFromOutside() async throws {
        let watcher = try InputWatcher()
        let silenced = try PipeEnds()
        let live = try PipeEnds()
        let calls = Atomic<Int>(0)
        let token = try watcher.watch(FileDescriptor(rawValue: silenced.reading)) { _, _ in
            calls.add(1, ordering: .relaxed)
        }
        watcher.stopWatching(token, descriptor: FileDescriptor(rawValue: silenced.reading))
        // Input on the stopped pipe, left unread: a level-triggered registration would fire
        // for ever; a stopped one never.
        try ([1, 2, 3] as [UInt8]).withUnsafeBytes { raw in try SystemCall.writeAll(silenced.writing, raw) }
        let received = Received()
        let (ends, ended) = AsyncStream.makeStream(of: Void.self)
        let guardian = Watchdog.start { ended.finish() }
        try Self.collect(live, on: watcher, into: received) { ended.yield() }
        try ([9, 8, 7] as [UInt8]).withUnsafeBytes { raw in try SystemCall.writeAll(live.writing, raw) }
        FileSystem.close(FileDescriptor(rawValue: live.writing))
        for await _ in ends { break }
        guardian.cancel()
        // The live pipe's end was handled after the stopped pipe's input was written: had the
        // stopped registration still been there, it would have been called by then.
        #expect(received.bytes.withLock { $0 } == [9, 8, 7])
        #expect(calls.load(ordering: .relaxed) == 0)
        FileSystem.close(FileDescriptor(rawValue: silenced.reading))
        FileSystem.close(FileDescriptor(rawValue: silenced.writing))
    }

    @Test("the shared watcher's handlers run in the batch scheduling class (its wake-ups never preempt)")
    func sharedWatcherYields() async throws {
        let watcher = InputWatcher.shared
        let pipe = try PipeEnds()
        let reading = FileDescriptor(rawValue: pipe.reading)
        let (seen, report) = AsyncStream.makeStream(of: Bool.self)
        let guardian = Watchdog.start { report.finish() }
        defer { guardian.cancel() }
        _ = try watcher.watch(reading) { token, _ in
            watcher.stopWatching(token, descriptor: reading)
            report.yield(ThreadScheduling.yieldsOnWakeUp)
            report.finish()
        }
        FileSystem.close(FileDescriptor(rawValue: pipe.writing))
        var iterator = seen.makeAsyncIterator()
        #expect(await iterator.next() == true)
        FileSystem.close(reading)
    }
}
