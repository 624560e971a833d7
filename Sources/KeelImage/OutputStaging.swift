import Foundation
import KeelLinux
import SystemPackage

/// The directory an image is assembled in before it is moved into place: an OCI layout
/// (`blobs/sha256/`, `oci-layout`, `index.json`) next to the output, removed when the build
/// fails.
///
/// While it is built it holds `.keel-image-owner`, locked (`flock`) by the building process:
/// a staging directory whose owner file nobody holds was left by a build that was killed, and
/// the next build of the same output removes it (`OutputTarget.removeAbandonedStaging`).
final class OutputStaging {
    /// Its path.
    let path: String
    private var blobs: String { path + "/blobs/sha256" }
    private var owner: FileDescriptor?

    /// The name of the owner file.
    static let ownerFile = ".keel-image-owner"

    /// Creates it (with its `blobs/sha256` and its locked owner file) in `parent`.
    init(parent: String, name: String) throws {
        do throws(SystemError) {
            var made: (path: String, owner: FileDescriptor)?
            // Another build of this output removes an empty staging directory it finds (one
            // killed before its owner file was made), and one whose owner file nobody locks:
            // if that happens to this one in the instants before its owner file exists and is
            // locked, make another.
            for attempt in 1...3 where made == nil {
                let directory = try FileSystem.makeTemporaryDirectory(in: parent, prefix: Self.prefix(for: name))
                let ownerPath = Array((directory + "/" + Self.ownerFile).utf8)
                do {
                    let owner = try FileSystem.openOrCreate(ownerPath)
                    if try FileSystem.tryLock(owner), try Self.isNamed(owner, ownerPath) {
                        made = (directory, owner)
                    } else {
                        FileSystem.close(owner)
                        try? FileSystem.removeTree(Array(directory.utf8))
                    }
                } catch  where error.errno == ENOENT && attempt < 3 {}
            }
            guard let made else { throw SystemError(call: "flock", path: parent, errno: EAGAIN) }
            path = made.path
            owner = made.owner
            try FileSystem.makeDirectories(path + "/blobs/sha256", permissions: 0o755)
            try FileSystem.changePermissions(of: path, to: 0o755)
        } catch {
            throw ImageBuildError("cannot create a directory next to the output in \(parent): \(error)")
        }
    }

    deinit { if let owner { FileSystem.close(owner) } }

    /// Whether `fd` is the file named `path` (same device and inode).
    private static func isNamed(_ fd: FileDescriptor, _ path: [UInt8]) throws(SystemError) -> Bool {
        let held = try FileSystem.status(of: fd)
        guard let named = try? FileSystem.status(of: path) else { return false }
        return named.device == held.device && named.inode == held.inode
    }

    /// The start of the staging directories' names for output `name`.
    static func prefix(for name: String) -> String { ".keel-image-" + name }

    /// Removes the owner file and lets go of its lock: the directory became the output (then
    /// `directory` is where it is now) or is about to be removed.
    ///
    /// The output is moved into place with the owner file still in it, and the file removed
    /// after: a build killed in between leaves an empty hidden file in the output rather than a
    /// finished staging directory nothing proves Keel's.
    func release(movedTo directory: String? = nil) {
        guard let owner else { return }
        try? FileSystem.remove(
            Array(((directory ?? path) + "/" + Self.ownerFile).utf8), in: FileSystem.currentDirectory,
            isDirectory: false)
        FileSystem.close(owner)
        self.owner = nil
    }

    /// Links the owner file, still locked, into `directory` (the output an exchange is about
    /// to replace), over a stray one a killed build may have left there. Returns whether it is
    /// linked.
    func linkOwnerFile(into directory: String) -> Bool {
        guard owner != nil else { return false }
        let target = Array((directory + "/" + Self.ownerFile).utf8)
        try? FileSystem.remove(target, in: FileSystem.currentDirectory, isDirectory: false)
        do throws(SystemError) {
            try FileSystem.link(
                Array((path + "/" + Self.ownerFile).utf8), in: FileSystem.currentDirectory, as: target,
                in: FileSystem.currentDirectory)
            return true
        } catch {
            return false
        }
    }

    /// Moves the owner file, still locked, from `directory` (where the layout went in an
    /// exchange) back to this path, which now holds the replaced output: removed under the lock,
    /// it is left, if the build is killed meanwhile, for the next build to remove. Returns
    /// whether it moved.
    func moveOwnerFile(from directory: String) -> Bool {
        guard owner != nil else { return false }
        do throws(SystemError) {
            try FileSystem.rename(
                Array((directory + "/" + Self.ownerFile).utf8), in: FileSystem.currentDirectory,
                to: Array((path + "/" + Self.ownerFile).utf8), in: FileSystem.currentDirectory)
            return true
        } catch {
            return false
        }
    }

    /// Streams one layer into a new blob (`fill` appends its members), named by its digest.
    func writeBlob(compression: LayerCompression, _ fill: (inout LayerStream) throws -> Void) throws
        -> (path: String, digests: LayerDigests)
    {
        try layerWriter.write(compression: compression, fill)
    }

    /// Writes layer blobs into it, from any thread.
    var layerWriter: LayerBlobWriter { LayerBlobWriter(directory: blobs) }

    /// Puts the cached blob at `source` in as `digest`: a hard link, or a copy when the cache
    /// is on another file system.
    func adoptBlob(from source: String, digest: ImageDigest) throws {
        let final = blobs + "/" + digest.hex
        do throws(SystemError) {
            try FileSystem.link(
                Array(source.utf8), in: FileSystem.currentDirectory, as: Array(final.utf8),
                in: FileSystem.currentDirectory)
        } catch  where error.errno == EEXIST {
            return
        } catch  where error.errno == EXDEV || error.errno == EPERM || error.errno == EMLINK {
            try copy(source, to: final)
        } catch {
            throw ImageBuildError("cannot link the cached layer \(source) into \(path): \(error)")
        }
    }

    /// Writes the config and manifest blobs, `index.json` and `oci-layout`.
    func write(_ documents: ImageDocuments) throws {
        try writeFile(blobs + "/" + documents.configDescriptor.digest.hex, documents.config)
        try writeFile(blobs + "/" + documents.manifestDescriptor.digest.hex, documents.manifest)
        try writeFile(path + "/index.json", documents.index)
        try writeFile(path + "/oci-layout", documents.layout)
    }

    /// The blob file of `digest`.
    func blobFile(_ digest: ImageDigest) -> String { blobs + "/" + digest.hex }

    /// Removes it and everything in it: while it holds its owner file, everything else first,
    /// then the owner file (letting go of the lock), then the directory. A build killed at any
    /// point leaves a directory with an owner file nobody locks, or an empty one, and the next
    /// build of the output removes either.
    func remove() {
        guard let owner else {
            try? FileSystem.removeTree(Array(path.utf8))
            return
        }
        var removedAll = false
        if let directory = try? FileSystem.openDirectory(Array(path.utf8)) {
            let entries = try? DirectoryListing.read(directory)
            FileSystem.close(directory)
            let ownerName = Array(Self.ownerFile.utf8)
            removedAll = entries != nil
            for entry in entries ?? [] where entry.name != ownerName {
                do throws(SystemError) { try FileSystem.removeTree(Array((path + "/").utf8) + entry.name) } catch {
                    removedAll = false
                }
            }
        }
        guard removedAll else {
            // Something could not be removed: the owner file stays, unlocked once closed, so the
            // next build of the output tries again.
            FileSystem.close(owner)
            self.owner = nil
            return
        }
        release()
        try? FileSystem.removeTree(Array(path.utf8))
    }

    private func writeFile(_ file: String, _ bytes: [UInt8]) throws {
        do throws(SystemError) {
            let fd = try FileSystem.createFile(Array(file.utf8), in: FileSystem.currentDirectory, permissions: 0o644)
            defer { FileSystem.close(fd) }
            try FileSystem.write(fd, bytes, at: 0)
        } catch  where error.errno == EEXIST {
            // A blob already there has these bytes: it is named by their digest.
        } catch {
            throw ImageBuildError("cannot write \(file): \(error)")
        }
    }

    private func copy(_ source: String, to destination: String) throws {
        do throws(SystemError) {
            let input = try FileSystem.openForReading(Array(source.utf8))
            defer { FileSystem.close(input) }
            let size = try FileSystem.status(of: input).size
            let output = try FileSystem.createFile(
                Array(destination.utf8), in: FileSystem.currentDirectory, permissions: 0o644)
            defer { FileSystem.close(output) }
            try FileSystem.copyContents(from: input, to: output, size: size)
        } catch {
            throw ImageBuildError("cannot copy the cached layer \(source): \(error)")
        }
    }
}
