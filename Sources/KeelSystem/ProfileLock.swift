import KeelLinux
import SystemPackage

/// The exclusive lock of one profile, held while its generations or its link change: `flock(2)`
/// on `PROFILE.lock` beside the profile, the file `nix-env` locks for the same profile, so Keel
/// and `nix-env` never change a profile at the same time.
///
/// Follows Nix's lock-file protocol: a lock file that holds data is stale (its last holder
/// wrote `d` into it and unlinked it), so the locker retries with a fresh file; releasing writes
/// `d`, unlinks the file and closes it, as `nix-env` does. Released when the value is dropped.
public final class ProfileLock: Sendable {
    private let path: String
    private let fd: FileDescriptor

    /// Waits for the lock file at `path`; when another process (or thread) holds it, first
    /// calls `waiting` with `line`.
    init(path: String, waitingLine line: String, waiting: (String) -> Void) throws(KeelLinux.SystemError) {
        let name = Array(path.utf8)
        var announced = false
        while true {
            let fd = try FileSystem.openOrCreate(name, permissions: 0o600)
            do {
                if try !FileSystem.tryLock(fd) {
                    if !announced { waiting(line) }
                    announced = true
                    try FileSystem.lock(fd)
                }
                if try FileSystem.status(of: fd).size == 0 {
                    self.path = path
                    self.fd = fd
                    return
                }
            } catch {
                FileSystem.close(fd)
                throw error
            }
            FileSystem.close(fd)
        }
    }

    deinit {
        let name = Array(path.utf8)
        // While this lock is held nobody else unlinks the file, but make sure the name is still
        // this file before removing it.
        if let held = try? FileSystem.status(of: fd), let named = try? FileSystem.status(of: name),
            held.inode == named.inode, held.device == named.device
        {
            let stale: [UInt8] = [UInt8(ascii: "d")]
            stale.withUnsafeBytes { _ = try? SystemCall.writeAll(fd.rawValue, $0) }
            try? FileSystem.remove(name, in: FileSystem.currentDirectory, isDirectory: false)
        }
        FileSystem.close(fd)
    }
}
