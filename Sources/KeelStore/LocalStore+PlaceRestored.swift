import KeelFormats
import KeelLinux
import SystemPackage

extension LocalStore {
    /// Moves trees restored under temporary names in the store directory (`directory`) to their
    /// paths' names, durably and recognisably: one `syncfs` (every tree's contents and inodes),
    /// then the pending rows that mark the trees as Keel's should a crash come before they are
    /// registered, the renames, and a sync of the directory. The caller holds the paths' locks
    /// and registers the paths afterwards.
    ///
    /// - Throws: `StoreError`, naming `what` ("imported paths"), after forgetting the pending
    ///   rows of trees that did not reach their names (they would name whatever comes there
    ///   later); the trees themselves are the caller's to remove.
    func placeRestored(
        _ trees: [(path: StorePath, temporary: [UInt8])], in directory: FileDescriptor, what: String
    ) throws(StoreError) {
        var unplaced = Set(trees.map { fullPath($0.path) })
        do {
            try FileSystem.syncFileSystem(directory)
            try recordPending(
                try trees.map { tree throws(StoreError) in (tree.path, try identity(of: tree.temporary, in: directory))
                })
            for tree in trees {
                try FileSystem.renameNoReplace(
                    tree.temporary, in: directory, to: Array(tree.path.baseName.utf8), in: directory)
                unplaced.remove(fullPath(tree.path))
            }
            try FileSystem.sync(directory)
        } catch {
            try? forgetPending(Array(unplaced))
            if let error = error as? StoreError { throw error }
            throw StoreError(.fileSystem, "cannot move \(what) into place", cause: UnderlyingError(error))
        }
    }
}
