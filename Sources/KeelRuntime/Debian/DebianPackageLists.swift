import KeelArchive
import KeelLinux
import SystemPackage

/// The Packages lists of an apt lists directory (/var/lib/apt/lists): finding them and reading
/// them whole, decompressed.
enum DebianPackageLists {
    /// The compressed forms apt may keep a list in, by file name suffix.
    private static let suffixes = ["_Packages", "_Packages.lz4", "_Packages.gz", "_Packages.xz"]

    /// The paths of the Packages lists directly in `directory`, sorted by name.
    ///
    /// - Throws: `RuntimeError` when the directory cannot be read or holds no Packages list.
    static func files(in directory: String) throws(RuntimeError) -> [String] {
        let entries: [DirectoryEntry]
        do {
            let descriptor = try FileSystem.openDirectory(Array(directory.utf8))
            defer { FileSystem.close(descriptor) }
            entries = try DirectoryListing.read(descriptor)
        } catch {
            throw RuntimeError("cannot read the apt lists directory \(directory): \(error)")
        }
        let names = entries.map { FileSystem.display($0.name) }
            .filter { name in suffixes.contains { name.hasSuffix($0) } }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !names.isEmpty else {
            throw RuntimeError("no package lists in \(directory) (no *_Packages file): run `apt-get update` first")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.map { base + $0 }
    }

    /// The decompressed text of the list at `path`.
    ///
    /// - Throws: `RuntimeError` naming the list when it cannot be read or decompressed.
    static func read(_ path: String) throws(RuntimeError) -> [UInt8] {
        do {
            let file = try FileByteSource(path: path)
            if path.hasSuffix(".lz4") { return try drain(try Lz4FrameDecompressor(source: file)) }
            if path.hasSuffix(".gz") { return try drain(try GzipDecompressor(source: file)) }
            if path.hasSuffix(".xz") { return try drain(try XzDecompressor(source: file)) }
            return try drain(file)
        } catch {
            throw RuntimeError("cannot read the package list \(path): \(error)")
        }
    }

    /// Everything `source` yields (less than 4 GiB, the most a deb822 text may hold).
    private static func drain(_ source: some ByteSource) throws(ArchiveError) -> [UInt8] {
        var source = source
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var bytes: [UInt8] = []
        while case let count = try source.read(into: chunk), count > 0 {
            guard bytes.count + count < Int(UInt32.max) else { throw ArchiveError("larger than 4 GiB") }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
        }
        return bytes
    }
}
