import KeelLinux
import SystemPackage

/// The open descriptors of a ledger's files.
final class LedgerFiles {
    let directory: LedgerDirectory
    let lock: FileDescriptor
    let entries: FileDescriptor
    let nodes: FileDescriptor
    let checkpoints: FileDescriptor

    /// Opens (creating when `create`) the lock, entries, nodes and checkpoints files.
    init(_ directory: LedgerDirectory, create: Bool) throws(LedgerError) {
        self.directory = directory
        if create { try directory.create() }
        func open(_ path: String) throws(LedgerError) -> FileDescriptor {
            do {
                if create { return try FileSystem.openOrCreate(Array(path.utf8), permissions: 0o600) }
                return try FileSystem.openForReading(Array(path.utf8))
            } catch  where error.errno == Errno.noSuchFileOrDirectory.rawValue {
                throw LedgerError(.notFound, "no ledger at \(directory.path) (nothing has been appended yet)")
            } catch {
                throw .fileSystem("cannot open \(path)", error)
            }
        }
        lock = try open(directory.lockPath)
        do {
            entries = try open(directory.entriesPath)
            nodes = try open(directory.nodesPath)
            checkpoints = try open(directory.checkpointsPath)
        } catch {
            FileSystem.close(lock)
            throw error
        }
    }

    deinit {
        for fd in [lock, entries, nodes, checkpoints] { FileSystem.close(fd) }
    }

    /// The current size of a file.
    func size(_ fd: FileDescriptor, _ name: String) throws(LedgerError) -> UInt64 {
        do { return try FileSystem.status(of: fd).size } catch { throw .fileSystem("cannot stat \(name)", error) }
    }
}
