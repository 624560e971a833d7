import KeelLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Says that a keel process has the store open: a file in `ROOT/db/active/` that the process
/// holds locked (`flock`) while it lives and removes when it closes the store.
///
/// A marker nobody holds belongs to a process that died without closing the store (SIGKILL, a
/// crash, power loss); only then can the store directory hold leftovers of interrupted work,
/// so only then does opening the store scan it (see `LocalStore.removeLeftovers`).
final class ProcessMarker: Sendable {
    private let path: String
    private let fd: FileDescriptor

    /// Claims a marker under `root`; `interruptedBefore` is true when a dead process's marker
    /// was found, or when the marker directory is new (a store from before markers, or a fresh
    /// one). The dead markers are left in place, named in `deadMarkers`, for the caller to
    /// remove once it has cleaned up after them (`removeDead`): a process killed while it
    /// cleans up must leave them for the next one.
    static func claim(root: String) throws(SystemError) -> (
        marker: ProcessMarker, interruptedBefore: Bool, deadMarkers: [String]
    ) {
        let directory = root + "/db/active"
        var interrupted = false
        do {
            try FileSystem.makeDirectory(Array(directory.utf8), in: FileSystem.currentDirectory, permissions: 0o700)
            interrupted = true
        } catch let error where error.errno == EEXIST {
            // Already there: look for dead markers below.
        }
        var names: [[UInt8]] = []
        var dead: [String] = []
        if let listed = try? FileSystem.openDirectory(Array(directory.utf8)) {
            names = ((try? DirectoryListing.read(listed)) ?? []).map(\.name)
            FileSystem.close(listed)
        }
        for name in names {
            let path = directory + "/" + String(decoding: name, as: UTF8.self)
            guard let fd = try? FileSystem.openOrCreate(Array(path.utf8), permissions: 0o600) else { continue }
            if (try? FileSystem.tryLock(fd)) == true {
                interrupted = true
                dead.append(path)
            }
            FileSystem.close(fd)
        }
        let path = directory + "/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FileSystem.openOrCreate(Array(path.utf8), permissions: 0o600)
        do { try FileSystem.lock(fd) } catch {
            FileSystem.close(fd)
            throw error
        }
        return (ProcessMarker(path: path, fd: fd), interrupted, dead)
    }

    /// Removes the markers of dead processes once their leftovers are cleaned up.
    static func removeDead(_ paths: [String]) {
        for path in paths {
            try? FileSystem.remove(Array(path.utf8), in: FileSystem.currentDirectory, isDirectory: false)
        }
    }

    private init(path: String, fd: FileDescriptor) {
        self.path = path
        self.fd = fd
    }

    deinit {
        try? FileSystem.remove(Array(path.utf8), in: FileSystem.currentDirectory, isDirectory: false)
        FileSystem.close(fd)
    }
}
