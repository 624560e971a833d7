import Foundation
import KeelCache

/// One line on a terminal's stderr, rewritten as paths are pushed: paths and NAR bytes done of
/// the closure's.
struct CachePushProgressLine: Sendable {
    /// Whether anything is shown (a terminal, and no --json).
    let enabled: Bool

    /// Shows `progress`.
    @Sendable func report(_ progress: CachePushProgress) {
        guard enabled else { return }
        let line =
            "keel: pushed \(progress.pathsDone)/\(progress.pathsTotal) paths, "
            + "\(ByteCount(progress.bytesDone)) of \(ByteCount(progress.bytesTotal))"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Clears the line.
    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
