import Dispatch
import Foundation
import KeelFileTree
import KeelFormats
import KeelTesting
import Synchronization
import Testing

@Suite("Hashing a tree beside its copy", .ownThreads)
struct TreeHashProbeTests {
    /// A tree of `count` files of `size` bytes each (contents differ per file).
    func makeTree(_ path: String, files count: Int, size: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for index in 0..<count {
            try TestFiles.write("\(path)/f\(index)", [UInt8](repeating: UInt8(index % 251), count: size))
        }
    }

    @Test("a tree of small files is hashed before the caller hears of it, with TreeDumper's hash")
    func smallFilesFinishFirst() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("small")
        try makeTree(tree, files: 200, size: 3000)
        let probe = TreeHashProbe(path: tree, bigFiles: .init(bytes: 100_000, averagePerFile: 64 << 10))
        let expected = try TreeDumper.hash(path: tree)
        guard case .finished(let outcome) = probe.waitForHashOrBigFiles() else {
            Issue.record("600 kB of 3 kB files counted as big files")
            return
        }
        #expect(try outcome.get() == .init(hash: expected.hash, size: expected.size))
        #expect(try probe.result() == .init(hash: expected.hash, size: expected.size))
    }

    @Test("a tree of big files is reported early; the hash, and the whenFinished body, follow")
    func bigFilesReportedEarly() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("big")
        try makeTree(tree, files: 8, size: 4 << 20)
        let probe = TreeHashProbe(path: tree, bigFiles: .init(bytes: 1 << 20, averagePerFile: 1 << 20))
        let early = probe.waitForHashOrBigFiles()
        let seen = Recorded<TreeHashProbe.Hashed?>(nil)
        probe.whenFinished { outcome in seen.set(try? outcome.get()) }
        let hashed = try probe.result()
        let expected = try TreeDumper.hash(path: tree)
        #expect(hashed == .init(hash: expected.hash, size: expected.size))
        #expect(seen.value == hashed)
        // 32 MiB hashed after the first 1 MiB was reported: the report comes first unless the
        // caller was descheduled for the whole hash, in which case `finished` is the truth.
        switch early {
        case .bigFiles: break
        case .finished(let outcome): #expect(try outcome.get() == hashed)
        }
    }

    @Test("a failure is reported as the outcome, naming the file")
    func failureIsTheOutcome() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        try makeTree(tree, files: 3, size: 10)
        #expect(mkfifo(tree + "/pipe", 0o644) == 0)
        let probe = TreeHashProbe(path: tree)
        guard case .finished(let outcome) = probe.waitForHashOrBigFiles() else {
            Issue.record("a 30-byte tree counted as big files")
            return
        }
        #expect(throws: FileTreeError.self) { try outcome.get() }
        let error = #expect(throws: FileTreeError.self) { try probe.result() }
        #expect(error?.description == "file '\(tree)/pipe' has an unsupported type")
    }

    @Test("a raised StopSignal ends a copy at the next node; the restorer abandons what it made")
    func stopSignalEndsCopy() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let tree = temporary.appending("tree")
        try makeTree(tree, files: 20, size: 200_000)
        let signal = StopSignal()
        let destination = temporary.appending("copy")
        var visitor = StoppableVisitor(
            RaiseAfterFiles(base: try TreeRestorer(destination: destination), signal: signal, files: 3),
            stoppedBy: signal)
        #expect(throws: TreeWalkStopped.self) { try TreeDumper.copy(path: tree, into: &visitor) }
        #expect(visitor.base.filesBegun == 3)
        visitor.base.base.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == ["tree"])
    }

    @Test("a sink dropped mid-stream lets its thread go without finishing the consumer")
    func abandonedPipelineEnds() throws {
        let released = DispatchSemaphore(value: 0)
        let finished = Recorded(false)
        do {
            var writer = try NARWriter(
                sink: PipelinedSink(
                    consumer: TrackingConsumer(token: ReleaseToken(released), finished: finished), bufferCount: 2,
                    bufferSize: 4096))
            try writer.beginFile(executable: false, size: 100_000)
            try [UInt8](repeating: 7, count: 50_000).withUnsafeBytes { try writer.writeContents($0) }
        }
        #expect(released.wait(timeout: .now() + 30) == .success, "the pipeline's thread still holds its consumer")
        #expect(finished.value == false)
    }
}

/// Raises `signal` once `files` files have begun.
private struct RaiseAfterFiles<Base: NARVisitor>: NARVisitor {
    var base: Base
    let signal: StopSignal
    let files: Int
    var filesBegun = 0

    mutating func beginDirectory(name: [UInt8]?) throws { try base.beginDirectory(name: name) }
    mutating func endDirectory() throws { try base.endDirectory() }
    mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws {
        filesBegun += 1
        if filesBegun == files { signal.raise() }
        try base.beginFile(name: name, executable: executable, size: size)
    }
    mutating func contents(_ chunk: UnsafeRawBufferPointer) throws { try base.contents(chunk) }
    mutating func endFile() throws { try base.endFile() }
    mutating func symlink(name: [UInt8]?, target: [UInt8]) throws { try base.symlink(name: name, target: target) }
}

/// A value set on one thread and read on another.
private final class Recorded<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>
    init(_ value: Value) { stored = Mutex(value) }
    func set(_ value: Value) { stored.withLock { $0 = value } }
    var value: Value { stored.withLock { $0 } }
}

/// Signals when the last reference to it goes.
private final class ReleaseToken: Sendable {
    let released: DispatchSemaphore
    init(_ released: DispatchSemaphore) { self.released = released }
    deinit { released.signal() }
}

/// Ignores the bytes; records whether `finish` was called.
private struct TrackingConsumer: ChunkConsumer {
    let token: ReleaseToken
    let finished: Recorded<Bool>
    mutating func consume(_ chunk: UnsafeRawBufferPointer) throws {}
    mutating func finish() throws { finished.set(true) }
}
