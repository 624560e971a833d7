import KeelLinux
import SystemPackage

/// The store directory opened once and shared by several `PathLock`s, closed when the last of
/// them lets go of it.
final class StoreDirectoryHandle {
    /// The open directory.
    let fd: FileDescriptor

    /// Takes over `fd`, which it closes when it goes away.
    init(_ fd: FileDescriptor) { self.fd = fd }

    deinit { FileSystem.close(fd) }
}
