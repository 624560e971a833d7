import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the last lines of an agent's log directory (`current`, then the rotated `current.N`
/// files, newest first, when `current` holds fewer lines), reading at most a bounded number of
/// bytes from the end of each file.
public enum AgentLogTail {
    /// How many bytes are read at most, over all files, unless a caller asks otherwise.
    public static let defaultByteLimit = 4 << 20

    /// The last `count` lines of the log in `directory`, oldest first, each ending in a newline
    /// (a partial last line, or a piece a rotation cut, gets one).
    ///
    /// - Parameters:
    ///   - directory: the agent's log directory (`ROOT/logs/NAME`).
    ///   - count: how many lines, at least 1.
    ///   - byteLimit: at most this many bytes are read; fewer lines come back when they are longer.
    /// - Throws: `SystemError` naming the directory or file that could not be read (`ENOENT`
    ///   naming the directory when it does not exist).
    public static func lastLines(in directory: String, count: Int, byteLimit: Int = defaultByteLimit)
        throws(SystemError) -> [UInt8]
    {
        let handle = try FileSystem.openDirectory(Array(directory.utf8))
        defer { FileSystem.close(handle) }
        let rotated = try DirectoryListing.read(handle).compactMap { entry -> Int? in
            entry.kind == .regular ? rotatedSequence(entry.name) : nil
        }
        let names = ["current"] + rotated.sorted(by: >).map { "current.\($0)" }
        var pieces: [[UInt8]] = []
        var needed = count
        var budget = byteLimit
        for name in names where needed > 0 && budget > 0 {
            let fd: FileDescriptor
            do { fd = try FileSystem.openForReading(Array(name.utf8), in: handle) } catch  where error.errno == ENOENT {
                continue
            }
            defer { FileSystem.close(fd) }
            let size = Int(try FileSystem.status(of: fd).size)
            let length = min(size, budget)
            let bytes = try FileSystem.read(fd, count: length, at: UInt64(size - length))
            budget -= length
            let (suffix, lines) = lastLines(of: bytes, count: needed, isWholeFile: length == size)
            if !suffix.isEmpty { pieces.append(suffix) }
            needed -= lines
        }
        return pieces.reversed().flatMap { $0 }
    }

    /// The suffix of `bytes` holding its last `count` lines (with a newline added to a partial
    /// last line), and how many lines that is. When `bytes` is not the whole file, its first,
    /// probably cut, line is left out.
    static func lastLines(of bytes: [UInt8], count: Int, isWholeFile: Bool) -> ([UInt8], Int) {
        guard !bytes.isEmpty else { return ([], 0) }
        let newline = UInt8(ascii: "\n")
        var end = bytes.count
        if bytes[end - 1] == newline { end -= 1 }
        var lines = 0
        var index = end
        while index > 0 {
            index -= 1
            if bytes[index] == newline {
                lines += 1
                if lines == count { return (terminated(bytes[(index + 1)...]), lines) }
            }
        }
        if isWholeFile { return (terminated(bytes[...]), lines + 1) }
        guard let firstNewline = bytes.firstIndex(of: newline), firstNewline + 1 < bytes.count else { return ([], 0) }
        return (terminated(bytes[(firstNewline + 1)...]), lines)
    }

    private static func terminated(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result = Array(bytes)
        if result.last != UInt8(ascii: "\n") { result.append(UInt8(ascii: "\n")) }
        return result
    }

    /// N for a name `current.N` (N decimal, no leading zero), else nil.
    static func rotatedSequence(_ name: [UInt8]) -> Int? {
        let prefix = Array("current.".utf8)
        guard name.count > prefix.count, name.starts(with: prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard digits.first != UInt8(ascii: "0"), digits.count <= 18,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
