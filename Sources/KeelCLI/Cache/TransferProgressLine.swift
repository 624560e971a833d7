import Foundation
import KeelCache
import KeelLinux
import Synchronization

/// One line on a terminal's stderr, rewritten at most ten times a second while store paths move:
/// `keel: VERB P/T paths, X of Y, R/s` (without the paths when only bytes are counted).
final class TransferProgressLine: Sendable {
    /// Whether anything is shown (a terminal, and no --json).
    let enabled: Bool
    private let verb: String
    private let started = MonotonicClock.now()
    /// When a line was last shown (monotonic ns), and whether one is on the terminal now.
    private let shown = Mutex<(at: UInt64, visible: Bool)>((0, false))

    /// A line saying `verb` ("pushed", "fetched", "sent"…), shown only when `enabled`.
    init(enabled: Bool, verb: String) {
        self.enabled = enabled
        self.verb = verb
    }

    /// Shows paths and bytes done.
    @Sendable func report(_ progress: TransferProgress) {
        show(
            paths: "\(progress.pathsDone)/\(progress.pathsTotal) paths, ", bytes: progress.bytesDone,
            of: progress.bytesTotal, final: progress.pathsDone == progress.pathsTotal)
    }

    /// Shows bytes done of about `expected`.
    @Sendable func report(bytes: UInt64, of expected: UInt64) {
        show(paths: "", bytes: bytes, of: max(bytes, expected), final: bytes >= expected)
    }

    /// Clears the line, if one was shown.
    func clear() {
        guard enabled, shown.withLock({ $0.visible }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func show(paths: String, bytes: UInt64, of total: UInt64, final: Bool) {
        guard enabled else { return }
        let now = MonotonicClock.now()
        let due = shown.withLock { shown in
            guard final || now - shown.at >= 100_000_000 else { return false }
            shown = (now, true)
            return true
        }
        guard due else { return }
        let rate = UInt64(Double(bytes) / max(Double(now - started) / 1e9, 0.001))
        let line = "keel: \(verb) \(paths)\(ByteCount(bytes)) of \(ByteCount(total)), \(ByteCount(rate))/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }
}
