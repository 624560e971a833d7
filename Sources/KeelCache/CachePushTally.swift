import KeelFormats
import KeelStore
import Synchronization

/// Counts what a push has done and reports it, one report at a time.
final class CachePushTally: Sendable {
    private struct State {
        var pathsDone = 0
        var bytesDone: UInt64 = 0
        var written: [StorePath] = []
        var narBytes: UInt64 = 0
        var fileBytes: UInt64 = 0
    }

    private let pathsTotal: Int
    private let bytesTotal: UInt64
    private let progress: @Sendable (TransferProgress) -> Void
    private let state = Mutex(State())

    init(pathsTotal: Int, bytesTotal: UInt64, progress: @escaping @Sendable (TransferProgress) -> Void) {
        self.pathsTotal = pathsTotal
        self.bytesTotal = bytesTotal
        self.progress = progress
    }

    /// Counts paths the cache already had.
    func record(_ present: [PathInfo]) {
        state.withLock { state in
            state.pathsDone += present.count
            state.bytesDone += present.reduce(0) { $0 + $1.narSize }
            report(state)
        }
    }

    /// Counts a path written, with `fileBytes` of new NAR file.
    func record(_ written: PathInfo, fileBytes: UInt64) {
        state.withLock { state in
            state.pathsDone += 1
            state.bytesDone += written.narSize
            state.written.append(written.path)
            state.narBytes += written.narSize
            state.fileBytes += fileBytes
            report(state)
        }
    }

    /// The result, once every path is done.
    func result(skipped: [StorePath]) -> CachePushResult {
        state.withLock { state in
            CachePushResult(
                written: state.written.sorted(), skipped: skipped.sorted(), narBytes: state.narBytes,
                fileBytes: state.fileBytes)
        }
    }

    private func report(_ state: State) {
        progress(
            TransferProgress(
                pathsDone: state.pathsDone, pathsTotal: pathsTotal, bytesDone: state.bytesDone, bytesTotal: bytesTotal))
    }
}
