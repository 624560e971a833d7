import Foundation
import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Follows `DIRECTORY/current` as an agent's log grows, across rotations (`current` renamed
/// `current.N` and a new `current` begun) and truncations, woken by inotify: never polls.
///
/// The directory is watched for writes to any file in it; after each wake-up the open file is
/// read to its end, and if `current` is now another file, the old one is read to its end and
/// the new one from its start.
final class LogFollower {
    private let directory: String
    private let watcher: FileWatcher
    private var file: FileDescriptor?
    private var inode: UInt64 = 0
    private var offset: UInt64 = 0

    /// Starts watching `directory`, positioned at the end of its `current` (where a tail printed
    /// just before ended).
    init(directory: String) throws(SystemError) {
        self.directory = directory
        watcher = try FileWatcher(path: directory)
        if try openCurrent(), let file { offset = try FileSystem.status(of: file).size }
    }

    deinit {
        if let file { FileSystem.close(file) }
    }

    /// Writes what is appended to the log to `output` as it comes, until an error.
    func run(output: (ArraySlice<UInt8>) -> Void) throws(SystemError) {
        while true {
            try drain(output)
            if try currentWasReplaced() {
                try drain(output)
                if let file { FileSystem.close(file) }
                file = nil
                if try openCurrent() {
                    offset = 0
                    try drain(output)
                }
            }
            try watcher.waitForChange()
        }
    }

    /// Opens `current` if it exists; returns whether it does.
    private func openCurrent() throws(SystemError) -> Bool {
        let path = directory + "/current"
        do {
            let opened = try FileSystem.openForReading(Array(path.utf8))
            file = opened
            inode = try FileSystem.status(of: opened).inode
            return true
        } catch  where error.errno == ENOENT {
            return false
        }
    }

    /// Whether `current` now names a file other than the one open.
    private func currentWasReplaced() throws(SystemError) -> Bool {
        do {
            let status = try FileSystem.status(of: Array((directory + "/current").utf8))
            return file == nil || status.inode != inode
        } catch  where error.errno == ENOENT {
            return false
        }
    }

    /// Writes the open file from `offset` to its end (from its start if it was truncated).
    private func drain(_ output: (ArraySlice<UInt8>) -> Void) throws(SystemError) {
        guard let file else { return }
        if try FileSystem.status(of: file).size < offset { offset = 0 }
        let chunk = 1 << 16
        while true {
            let bytes = try FileSystem.read(file, count: chunk, at: offset)
            if !bytes.isEmpty { output(bytes[...]) }
            offset += UInt64(bytes.count)
            if bytes.count < chunk { return }
        }
    }
}
