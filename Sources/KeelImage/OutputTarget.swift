import Foundation
import KeelLinux
import SystemPackage

/// Where a build's result goes, checked before any work starts: the parent directory must
/// exist; an existing output is replaced only when asked, and only when it is what this
/// format writes (an OCI layout directory, or a regular file for the archives) — anything
/// else there is refused, never deleted.
struct OutputTarget {
    /// The output's absolute path.
    let path: String
    let format: ImageFormat
    private let parent: String
    private let name: String
    private let exists: Bool

    /// - Throws: `ImageBuildError` when the output exists and may not or cannot be replaced.
    init(path given: String, format: ImageFormat, replace: Bool) throws {
        var path = given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
        self.format = format
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        parent = slash == path.startIndex ? "/" : String(path[..<slash])
        name = String(path[path.index(after: slash)...])
        guard !name.isEmpty, name != ".", name != ".." else {
            throw ImageBuildError("output '\(given)' does not name a file or directory")
        }
        guard let parentStatus = try? FileSystem.status(of: Array(parent.utf8)), parentStatus.kind == .directory else {
            throw ImageBuildError("output '\(given)': its directory \(parent) does not exist")
        }
        let status = try? FileSystem.status(of: Array(path.utf8))
        exists = status != nil
        guard let status else { return }
        guard replace else { throw ImageBuildError("output \(path) exists (--force replaces it)") }
        switch format {
        case .ociDirectory:
            let layout = try? FileSystem.status(of: Array((path + "/oci-layout").utf8))
            guard status.kind == .directory, layout?.kind == .regular else {
                throw ImageBuildError(
                    "output \(path) exists and is not an OCI image layout (no oci-layout file): refusing to replace it")
            }
        case .ociArchive, .dockerArchive:
            guard status.kind == .regular else {
                throw ImageBuildError("output \(path) exists and is not a regular file: refusing to replace it")
            }
        }
    }

    /// A new staging directory next to the output, after removing those that killed builds of
    /// the same output left.
    func makeStaging() throws -> OutputStaging {
        removeAbandonedStaging()
        return try OutputStaging(parent: parent, name: name)
    }

    /// Removes the staging directories of this output whose owner file exists and is locked by
    /// nobody (their build was killed), with the archive each may have been writing, and those
    /// that are empty. A directory with contents but no owner file is not provably Keel's and
    /// is left alone.
    func removeAbandonedStaging() {
        let prefix = OutputStaging.prefix(for: name)
        guard let directory = try? FileSystem.openDirectory(Array(parent.utf8)) else { return }
        let entries = (try? DirectoryListing.read(directory)) ?? []
        FileSystem.close(directory)
        for entry in entries {
            let entryName = String(decoding: entry.name, as: UTF8.self)
            // The random part mkdtemp gives: six characters, nothing after them.
            guard entryName.hasPrefix(prefix + "-"), entryName.count == prefix.count + 7 else { continue }
            let path = parent + "/" + entryName
            guard let owner = try? FileSystem.openForReading(Array((path + "/" + OutputStaging.ownerFile).utf8)) else {
                // A build killed between making the directory and its owner file left it empty:
                // removing an empty directory loses nothing (and fails on any other).
                try? FileSystem.remove(Array(path.utf8), in: FileSystem.currentDirectory, isDirectory: true)
                continue
            }
            defer { FileSystem.close(owner) }
            guard (try? FileSystem.tryLock(owner)) == true else { continue }
            try? FileSystem.remove(Array((path + ".tar").utf8), in: FileSystem.currentDirectory, isDirectory: false)
            try? FileSystem.removeTree(Array(path.utf8))
        }
    }

    /// Moves the finished image into place: the staging layout itself for `oci-dir`, an
    /// archive of it for the other formats (written next to the output, then renamed over it).
    func commit(_ staging: OutputStaging, documents: ImageDocuments) throws {
        switch format {
        case .ociDirectory:
            if exists {
                // The owner file, still locked, is linked into the image being replaced first:
                // after the exchange that image, now at the staging path, holds it, and is
                // removed under its lock. A build killed at any point leaves nothing the next
                // build does not remove (before the exchange, an empty hidden file in the old
                // image at OUT, which a --force build replaces anyway).
                let linked = staging.linkOwnerFile(into: path)
                // One step: the new image at OUT, the old one where the staging directory was.
                do throws(SystemError) {
                    try FileSystem.exchange(
                        Array(staging.path.utf8), in: FileSystem.currentDirectory, with: Array(path.utf8),
                        in: FileSystem.currentDirectory)
                } catch {
                    throw ImageBuildError("cannot move the image to \(path): \(error)")
                }
                if linked || staging.moveOwnerFile(from: path) {
                    try? FileSystem.remove(
                        Array((path + "/" + OutputStaging.ownerFile).utf8), in: FileSystem.currentDirectory,
                        isDirectory: false)
                    staging.remove()
                } else {
                    staging.release(movedTo: path)
                    try? FileSystem.removeTree(Array(staging.path.utf8))
                }
            } else {
                try rename(staging.path, path)
                staging.release(movedTo: path)
            }
        case .ociArchive, .dockerArchive:
            let archive = staging.path + ".tar"
            do {
                try OutputArchive.write(staging: staging, documents: documents, to: archive)
                try rename(archive, path)
            } catch {
                // The archive first: only the staging directory's removal also finds it.
                try? FileSystem.remove(Array(archive.utf8), in: FileSystem.currentDirectory, isDirectory: false)
                staging.remove()
                throw error
            }
            staging.remove()
        }
    }

    private func rename(_ from: String, _ to: String) throws {
        do throws(SystemError) {
            try FileSystem.rename(
                Array(from.utf8), in: FileSystem.currentDirectory, to: Array(to.utf8), in: FileSystem.currentDirectory)
        } catch {
            throw ImageBuildError("cannot move the image to \(to): \(error)")
        }
    }
}
