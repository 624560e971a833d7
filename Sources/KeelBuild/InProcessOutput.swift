import KeelFileTree
import KeelFormats
import KeelLinux
import KeelStore

/// Describes a tree Keel made itself, in-process (a `builtin:` derivation such as a runtime's
/// unpacked .deb), for `LocalStore.registerBuilt`: put in canonical form, hashed and scanned for
/// references in one pass, as a builder's outputs are.
public enum InProcessOutput {
    /// - Parameters:
    ///   - location: the tree, on the store's file system (it is changed in place).
    ///   - path: the store path it becomes.
    ///   - candidates: the store paths it may refer to (itself is always a candidate).
    ///   - deriver: the derivation it is the output of.
    ///   - contentAddress: its content address, for a fixed output.
    /// - Throws: `BuildError` naming the tree when it holds a special file or cannot be read.
    public static func describe(
        location: String, path: StorePath, candidates: Set<StorePath>, deriver: StorePath?,
        contentAddress: ContentAddress?
    ) throws(BuildError) -> BuiltPath {
        let slash = location.lastIndex(of: "/") ?? location.startIndex
        let parentPath = slash == location.startIndex ? "/" : String(location[..<slash])
        let name = String(location[location.index(after: slash)...])
        let consumer: ScanningConsumer
        do {
            let parent = try FileSystem.openDirectory(Array(parentPath.utf8))
            defer { FileSystem.close(parent) }
            try Canonicaliser.canonicalise(Array(name.utf8), in: parent, label: location)
            consumer = try TreeDumper.consume(
                path: location, with: ScanningConsumer(algorithm: .sha256, candidates: candidates.union([path])))
        } catch {
            throw BuildError(.failed, "cannot put '\(location)' into the store: \(error)", cause: error)
        }
        guard let narHash = consumer.hashing.hash else {
            throw BuildError(.failed, "cannot hash '\(location)'")
        }
        return BuiltPath(
            location: location, path: path, narHash: narHash, narSize: consumer.hashing.size,
            references: consumer.scanner.found.sorted(), deriver: deriver, contentAddress: contentAddress)
    }
}
