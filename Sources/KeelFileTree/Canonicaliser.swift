import KeelLinux
import SystemPackage

/// Puts a tree that Keel created into canonical store form in place (spec/nix-formats.md §8):
/// files 0444, or 0555 when owner-executable; directories 0555; every mtime 1.
public enum Canonicaliser {
    /// Canonicalises `name` inside `directory` and everything below it.
    ///
    /// - Throws: `FileTreeError` naming the object that could not be changed.
    public static func canonicalise(_ name: [UInt8], in directory: FileDescriptor, label: String) throws {
        func fail(_ error: SystemError) -> FileTreeError { FileTreeError(path: label, problem: .system(error)) }
        let info: FileStatus
        do { info = try FileSystem.status(of: name, in: directory) } catch { throw fail(error) }
        switch info.kind {
        case .directory:
            let child: FileDescriptor
            do { child = try FileSystem.openDirectory(name, in: directory) } catch { throw fail(error) }
            defer { FileSystem.close(child) }
            do {
                for entry in try DirectoryListing.read(child) {
                    try canonicalise(entry.name, in: child, label: label + "/" + FileSystem.display(entry.name))
                }
                try FileSystem.setPermissions(child, 0o555)
            } catch let error as SystemError { throw fail(error) }
        case .regular:
            do { try FileSystem.setPermissions(name, in: directory, info.isOwnerExecutable ? 0o555 : 0o444) } catch {
                throw fail(error)
            }
        case .symlink:
            break
        case .special, .unknown:
            throw FileTreeError(path: label, problem: .unsupportedType)
        }
        do { try FileSystem.setTimes(name, in: directory, seconds: TreeCopier.canonicalTime) } catch {
            throw fail(error)
        }
    }
}
