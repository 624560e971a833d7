import KeelLinux
import SystemPackage

/// The last `limit` bytes a pipe delivered, and the last line of them.
struct HealthOutputTail {
    /// The most kept.
    let limit: Int
    /// What is kept, oldest first.
    private(set) var bytes: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 4096)

    /// An empty tail keeping at most `limit` bytes.
    init(limit: Int) { self.limit = limit }

    /// Reads once from `fd` (which must be readable now).
    ///
    /// - Returns: false at the end of the pipe.
    mutating func read(from fd: FileDescriptor) throws(SystemError) -> Bool {
        let read = chunk.withUnsafeMutableBytes { buffer in
            Result { () throws(SystemError) in try SystemCall.read(fd.rawValue, into: buffer) }
        }
        let count = try read.get()
        guard count > 0 else { return false }
        bytes.append(contentsOf: chunk[..<count])
        if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        return true
    }

    /// The last line holding more than blanks, trimmed, at most `maximum` characters (its end).
    func lastLine(maximum: Int) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let trimmed = line.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        return String(String(trimmed).suffix(maximum))
    }
}
