import Foundation

/// One line on a terminal's stderr, rewritten as an SSH copy streams: bytes sent or received of
/// about the closure's NAR bytes, at most once per MiB.
final class SSHCopyProgressLine {
    /// Whether anything is shown (a terminal, and no --json).
    let enabled: Bool
    private let verb: String
    private var shown: UInt64 = 0

    /// A line saying `verb` ("sent", "received") when `enabled`.
    init(enabled: Bool, verb: String) {
        self.enabled = enabled
        self.verb = verb
    }

    /// Shows `bytes` of `expected`.
    func report(_ bytes: UInt64, _ expected: UInt64) {
        guard enabled, bytes >= shown + (1 << 20) || (bytes >= expected && shown < expected) else { return }
        shown = bytes
        let line = "keel: \(verb) \(ByteCount(bytes)) of \(ByteCount(max(bytes, expected)))"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Clears the line.
    func clear() {
        guard enabled, shown > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
