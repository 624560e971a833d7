import KeelLinux

/// What one run of pip left: how it ended and what it wrote to its log.
struct PipRun: Sendable {
    /// How the process ended.
    let termination: Termination
    /// The lines of pip's `--log` file, each without its timestamp; `nil` when pip wrote no log
    /// (it never started: the interpreter has no pip module, say).
    let log: [String]?

    /// Whether pip exited with status 0.
    var succeeded: Bool { termination == .exited(0) }

    /// Reads pip's log at `path` into lines, dropping the `2026-12-06T14:47:08,568 ` timestamp
    /// pip puts before each; `nil` when there is no such file.
    static func readLog(at path: String) -> [String]? {
        guard let bytes = try? FileSystem.readWholeFile(path, limit: 64 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
            withoutTimestamp(String($0))
        }
    }

    /// `line` without a leading `YYYY-MM-DDTHH:MM:SS,mmm ` timestamp, if it has one.
    static func withoutTimestamp(_ line: String) -> String {
        let bytes = Array(line.utf8.prefix(24))
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[23] == UInt8(ascii: " ")
        else { return line }
        return String(line.dropFirst(24))
    }
}
