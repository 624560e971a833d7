import Dispatch
import KeelFormats
import KeelLinux
import Synchronization

/// Hashes the NAR of a tree on a thread of its own and tells a waiting caller early when the
/// tree turns out to be made of big files, so the caller can start copying it before the hash
/// is known.
///
/// Copying big files is bound by the disk, and hashing them first leaves the disk idle for as
/// long as the hash takes; for them the copy can run beside the hash and be dropped if the hash
/// shows the content is already there. For many small files a copy costs mostly file creations,
/// which are dear to undo, so their caller waits for the hash.
public final class TreeHashProbe: Sendable {
    /// What the caller learns first.
    public enum Early: Sendable {
        /// The hash (or the failure) came first.
        case finished(Result<Hashed, any Error>)
        /// The tree is made of big files and still being hashed.
        case bigFiles
    }

    /// A finished hash.
    public struct Hashed: Sendable, Equatable {
        /// The NAR's hash.
        public let hash: NixHash
        /// The NAR's size in bytes.
        public let size: UInt64

        /// A hash and size.
        public init(hash: NixHash, size: UInt64) {
            self.hash = hash
            self.size = size
        }
    }

    /// When a tree counts as made of big files: once the walk has read at least `bytes` of
    /// file contents, averaging at least `averagePerFile` per file.
    public struct BigFiles: Sendable {
        /// The content bytes read before the tree can count as big.
        public var bytes: UInt64
        /// The least average bytes per file.
        public var averagePerFile: UInt64

        /// 32 MiB read, at least 256 KiB per file: files that size are copied at the disk's
        /// pace rather than at the pace of creating files.
        public static let standard = BigFiles(bytes: 32 << 20, averagePerFile: 256 << 10)

        /// A threshold.
        public init(bytes: UInt64, averagePerFile: UInt64) {
            self.bytes = bytes
            self.averagePerFile = averagePerFile
        }
    }

    private struct State {
        var outcome: Result<Hashed, any Error>?
        var bigFiles = false
        var onFinish: (@Sendable (Result<Hashed, any Error>) -> Void)?
    }

    private let state = Mutex(State())
    /// Signalled when the tree proves big and when the hash ends.
    private let progressed = DispatchSemaphore(value: 0)
    /// Signalled when the hash ends (and re-signalled by each waiter).
    private let finished = DispatchSemaphore(value: 0)
    private let stopSignal = StopSignal()

    /// Starts hashing the tree at `path`.
    public init(path: String, algorithm: HashAlgorithm = .sha256, bigFiles: BigFiles = .standard) {
        DetachedThread.start { self.run(path: path, algorithm: algorithm, bigFiles: bigFiles) }
    }

    /// Waits until the hash ends or the tree proves to be made of big files, whichever comes
    /// first.
    public func waitForHashOrBigFiles() -> Early {
        while true {
            if let early = state.withLock({ state -> Early? in
                if let outcome = state.outcome { return .finished(outcome) }
                return state.bigFiles ? .bigFiles : nil
            }) {
                return early
            }
            progressed.wait()
        }
    }

    /// Runs `body` with the outcome once the hash ends, on the hashing thread (or at once, on
    /// the caller's, if it already has). Replaces any earlier `body`.
    public func whenFinished(_ body: @escaping @Sendable (Result<Hashed, any Error>) -> Void) {
        let ready: Result<Hashed, any Error>? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.onFinish = body
            return nil
        }
        if let ready { body(ready) }
    }

    /// Waits for the hash (and for the `whenFinished` body) and returns it.
    ///
    /// - Throws: what hashing the tree threw (`FileTreeError`, say), or `TreeWalkStopped`.
    public func result() throws -> Hashed {
        finished.wait()
        finished.signal()
        return try state.withLock { $0.outcome! }.get()
    }

    /// Stops hashing at the next file or chunk, and waits for the thread to end.
    public func stop() {
        stopSignal.raise()
        _ = try? result()
    }

    private func run(path: String, algorithm: HashAlgorithm, bigFiles: BigFiles) {
        var visitor = StoppableVisitor(ProgressVisitor(probe: self, bigFiles: bigFiles), stoppedBy: stopSignal)
        let outcome = Result<Hashed, any Error> {
            let (hash, size) = try TreeDumper.copy(path: path, into: &visitor, algorithm: algorithm)
            return Hashed(hash: hash, size: size)
        }
        let body = state.withLock { state in
            state.outcome = outcome
            defer { state.onFinish = nil }
            return state.onFinish
        }
        body?(outcome)
        progressed.signal()
        finished.signal()
    }

    fileprivate func reportBigFiles() {
        state.withLock { $0.bigFiles = true }
        progressed.signal()
    }
}

/// Counts the files and content bytes the walk has passed and reports to the probe once they
/// show a tree of big files.
private struct ProgressVisitor: NARVisitor {
    let probe: TreeHashProbe
    let bigFiles: TreeHashProbe.BigFiles
    var files: UInt64 = 0
    var bytes: UInt64 = 0
    var reported = false

    mutating func beginFile(name: [UInt8]?, executable: Bool, size: UInt64) throws { files += 1 }

    mutating func contents(_ chunk: UnsafeRawBufferPointer) throws {
        bytes += UInt64(chunk.count)
        guard !reported, bytes >= bigFiles.bytes, bytes >= files * bigFiles.averagePerFile else { return }
        reported = true
        probe.reportBigFiles()
    }
}
