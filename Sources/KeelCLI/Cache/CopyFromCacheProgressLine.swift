import Foundation
import KeelCache
import KeelLinux
import Synchronization

/// One line on a terminal's stderr, rewritten (at most ten times a second) as NARs arrive:
/// paths done of all, bytes received of all, and the rate.
final class CopyFromCacheProgressLine: Sendable {
    /// Whether anything is shown (a terminal, and no --json).
    let enabled: Bool
    private let started = MonotonicClock.now()
    private let lastShown = Mutex<UInt64>(0)

    /// A progress line shown only when `enabled`.
    init(enabled: Bool) { self.enabled = enabled }

    /// Shows `progress`, unless a line was shown less than 100 ms ago.
    @Sendable func report(_ progress: SubstitutionProgress) {
        guard enabled else { return }
        let now = MonotonicClock.now()
        let due = lastShown.withLock { last in
            guard now - last >= 100_000_000 || progress.pathsDone == progress.pathsTotal else { return false }
            last = now
            return true
        }
        guard due else { return }
        let seconds = max(Double(now - started) / 1e9, 0.001)
        let rate = UInt64(Double(progress.bytesDone) / seconds)
        let line =
            "keel: copied \(progress.pathsDone)/\(progress.pathsTotal) paths, "
            + "\(ByteCount(progress.bytesDone)) of \(ByteCount(progress.bytesTotal)), \(ByteCount(rate))/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Clears the line.
    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
