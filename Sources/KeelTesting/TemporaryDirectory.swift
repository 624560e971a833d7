import Foundation
import KeelLinux

/// A fresh directory under the system's temporary directory, removed (read-only parts included)
/// by `remove()`.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates a new, empty directory whose name starts with `prefix`.
    public init(prefix: String = "keel-test") throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: result)
    }

    /// A path inside the directory.
    public func appending(_ component: String) -> String { "\(path)/\(component)" }

    /// Removes the directory and everything in it, first making read-only directories writable.
    public func remove() {
        Self.removeTree(path)
    }

    /// Removes a tree that may hold read-only directories (store paths are 0555) and names
    /// that are not UTF-8.
    public static func removeTree(_ path: String) {
        try? FileSystem.removeTree(Array(path.utf8))
    }
}
