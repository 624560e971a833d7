import KeelLinux

/// A problem with a file-system tree being archived or restored, naming the file.
public struct FileTreeError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Problem: Sendable {
        /// A fifo, socket or device: NARs hold only files, directories and symlinks.
        case unsupportedType
        /// The file changed size while it was read.
        case changedWhileReading
        /// The destination of a restore already exists.
        case destinationExists
        /// A system call failed.
        case system(SystemError)
    }

    /// The file the problem is about.
    public let path: String
    /// The problem.
    public let problem: Problem

    /// Records a problem with `path`.
    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// One line naming the file.
    public var description: String {
        switch problem {
        case .unsupportedType: "file '\(path)' has an unsupported type"
        case .changedWhileReading: "file '\(path)' changed while it was being read"
        case .destinationExists: "'\(path)' already exists"
        case .system(let error): "\(path): \(error.reason) (\(error.call))"
        }
    }
}
