import KeelLinux

/// Writes one line to stderr.
enum StandardErrorLine {
    static func write(_ line: String) {
        StandardStreams.flushAll()
        StandardStreams.writeError(line + "\n")
    }
}
