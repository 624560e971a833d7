import KeelArchive
import KeelLinux
import SystemPackage

/// The archive formats: one tar holding the OCI layout (`oci-layout`, `index.json`,
/// `blobs/sha256/…`) and a docker-archive `manifest.json` whose `Config` and `Layers` name
/// the same blobs, so `skopeo` reads it as `oci-archive:` and as `docker-archive:`, and
/// `docker load` and `podman load` load it. Members in component order, the fixed tar
/// metadata, directories 0755 and files 0644.
enum OutputArchive {
    /// Writes the archive of `staging` to the new file `path`.
    static func write(staging: OutputStaging, documents: ImageDocuments, to path: String) throws {
        let fd: FileDescriptor
        do throws(SystemError) {
            fd = try FileSystem.createFile(Array(path.utf8), in: FileSystem.currentDirectory, permissions: 0o644)
        } catch {
            throw ImageBuildError("cannot create \(path): \(error)")
        }
        defer { FileSystem.close(fd) }
        var writer = TarWriter(output: ArchiveFileOutput(fd: fd, path: path))
        try writer.add(TarMember(path: Array("blobs".utf8), kind: .directory, mode: 0o755))
        try writer.add(TarMember(path: Array("blobs/sha256".utf8), kind: .directory, mode: 0o755))
        let blobs = try blobNames(staging)
        for name in blobs {
            try addBlob(named: name, from: staging.path + "/blobs/sha256/" + name, into: &writer)
        }
        for (name, bytes) in [
            ("index.json", documents.index), ("manifest.json", documents.dockerManifest),
            ("oci-layout", documents.layout),
        ] {
            try bytes.withUnsafeBytes { contents in
                try writer.addFile(
                    TarMember(path: Array(name.utf8), kind: .regularFile(size: UInt64(contents.count)), mode: 0o644),
                    contents: contents)
            }
        }
        try writer.finish()
    }

    /// The blob file names, sorted.
    private static func blobNames(_ staging: OutputStaging) throws -> [String] {
        do throws(SystemError) {
            let directory = try FileSystem.openDirectory(Array((staging.path + "/blobs/sha256").utf8))
            defer { FileSystem.close(directory) }
            return try DirectoryListing.read(directory).map { String(decoding: $0.name, as: UTF8.self) }
                .filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw ImageBuildError("cannot list the blobs in \(staging.path): \(error)")
        }
    }

    private static func addBlob(named name: String, from file: String, into writer: inout TarWriter<ArchiveFileOutput>)
        throws
    {
        let input: FileDescriptor
        let size: UInt64
        do throws(SystemError) {
            input = try FileSystem.openForReading(Array(file.utf8))
            size = try FileSystem.status(of: input).size
        } catch {
            throw ImageBuildError("cannot read \(file): \(error)")
        }
        defer { FileSystem.close(input) }
        let member = TarMember(path: Array(("blobs/sha256/" + name).utf8), kind: .regularFile(size: size), mode: 0o644)
        try writer.addFile(member) { output in
            try output.copy(from: input, size: size, name: file)
        }
    }
}

/// A `TarOutput` writing sequentially to a file.
struct ArchiveFileOutput: TarOutput {
    let fd: FileDescriptor
    let path: String
    private var offset: UInt64 = 0

    init(fd: FileDescriptor, path: String) {
        self.fd = fd
        self.path = path
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        do throws(SystemError) { try FileSystem.write(fd, bytes, at: offset) } catch {
            throw ImageBuildError("cannot write \(path): \(error)")
        }
        offset += UInt64(bytes.count)
    }

    /// Appends `size` bytes of `input` through a buffer.
    mutating func copy(from input: FileDescriptor, size: UInt64, name: String) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var done: UInt64 = 0
        while done < size {
            let wanted = Int(min(UInt64(buffer.count), size - done))
            let count: Int
            do throws(SystemError) {
                count = try FileSystem.read(
                    input, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: done)
            } catch {
                throw ImageBuildError("cannot read \(name): \(error)")
            }
            guard count == wanted else { throw ImageBuildError("\(name) is shorter than when it was listed") }
            try write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            done += UInt64(count)
        }
    }
}
