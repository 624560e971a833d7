import KeelFormats
import KeelLinux
import SystemPackage

/// Where build logs are kept: `ROOT/logs/DRV-BASENAME`, one per derivation, replaced by each build.
public enum BuildLogs {
    /// The log file of `derivation`.
    public static func path(stateRoot: String, derivation: StorePath) -> String {
        stateRoot + "/logs/" + derivation.baseName
    }
}

/// Takes a builder's output as it comes: appends it to the log file, keeps the last lines for an
/// error message and hands complete lines to `onLine` (for `--print-build-logs`).
final class BuildLogRecorder {
    private let fd: FileDescriptor
    private var offset: UInt64 = 0
    private var partial: [UInt8] = []
    private var lines: [String] = []
    private let keep: Int
    private let onLine: ((String) -> Void)?

    /// Starts a fresh log at `path`.
    init(path: String, keep: Int, onLine: ((String) -> Void)?) throws {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        try? FileSystem.makeDirectory(Array(directory.utf8), in: FileSystem.currentDirectory, permissions: 0o755)
        try? FileSystem.remove(Array(path.utf8), in: FileSystem.currentDirectory, isDirectory: false)
        fd = try FileSystem.createFile(Array(path.utf8), in: FileSystem.currentDirectory, permissions: 0o644)
        self.keep = keep
        self.onLine = onLine
    }

    /// Records the next bytes of output.
    func append(_ bytes: UnsafeRawBufferPointer) {
        if (try? FileSystem.write(fd, bytes, at: offset)) != nil { offset += UInt64(bytes.count) }
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                finishLine()
            } else if partial.count < 64 * 1024 {
                partial.append(byte)
            }
        }
    }

    /// The last lines, the unfinished one included.
    func lastLines() -> [String] {
        partial.isEmpty ? lines : Array((lines + [String(decoding: partial, as: UTF8.self)]).suffix(keep))
    }

    /// Flushes an unfinished last line and closes the file.
    func close() {
        if !partial.isEmpty { finishLine() }
        FileSystem.close(fd)
    }

    private func finishLine() {
        let line = String(decoding: partial, as: UTF8.self)
        partial.removeAll(keepingCapacity: true)
        lines.append(line)
        if lines.count > keep { lines.removeFirst(lines.count - keep) }
        onLine?(line)
    }
}
