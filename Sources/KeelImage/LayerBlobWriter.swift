import Foundation
import KeelLinux
import SystemPackage

/// Streams layers into new blobs of an OCI layout's `blobs/sha256` directory, each under a
/// temporary name until it is complete and then under its digest. Holds only the directory's
/// path, so layers can be written from several threads at once.
struct LayerBlobWriter: Sendable {
    /// The `blobs/sha256` directory.
    let directory: String

    /// Streams one layer into a new blob (`fill` appends its members), named by its digest.
    func write(compression: LayerCompression, _ fill: (inout LayerStream) throws -> Void) throws
        -> (path: String, digests: LayerDigests)
    {
        let temporary = directory + "/.layer-" + UUID().uuidString
        let fd: FileDescriptor
        do throws(SystemError) {
            fd = try FileSystem.createFile(Array(temporary.utf8), in: FileSystem.currentDirectory, permissions: 0o644)
        } catch {
            throw ImageBuildError("cannot create \(temporary): \(error)")
        }
        var closed = false
        defer { if !closed { FileSystem.close(fd) } }
        var stream = try LayerStream(file: fd, compression: compression)
        try fill(&stream)
        let digests = try stream.finish()
        FileSystem.close(fd)
        closed = true
        let final = directory + "/" + digests.digest.hex
        do throws(SystemError) {
            try FileSystem.rename(
                Array(temporary.utf8), in: FileSystem.currentDirectory, to: Array(final.utf8),
                in: FileSystem.currentDirectory)
        } catch {
            throw ImageBuildError("cannot name the layer \(final): \(error)")
        }
        return (final, digests)
    }
}
