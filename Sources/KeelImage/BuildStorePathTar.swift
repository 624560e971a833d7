import KeelArchive
import KeelLinux
import SystemPackage

/// Writes store paths into a layer as tar members, exactly as the store holds them: each path
/// at its own absolute path (made relative: `nix/store/…`), directories 0555, files 0444 or
/// 0555 by their owner-execute bit, symlinks 0777 with their raw target, hard links as
/// regular files, every directory before its entries and entries sorted by name bytes (the
/// order of a NAR, and of the component-wise sort the spec asks for).
///
/// A layer's bytes are therefore a function of the paths' NAR contents and the formatting
/// only: that is what lets the layer cache key a layer by NAR hashes.
struct StorePathTar {
    /// The fixed metadata of every header.
    let formatting: TarFormatting

    /// The store directory's own directories (`nix/`, `nix/store/`), mode 0755, which every
    /// store layer starts with.
    func appendStoreDirectory(_ storeDirectory: String, into stream: inout LayerStream) throws {
        var prefix: [UInt8] = []
        for component in storeDirectory.split(separator: "/") {
            if !prefix.isEmpty { prefix.append(UInt8(ascii: "/")) }
            prefix += Array(component.utf8)
            try stream.append(header: TarMember(path: prefix, kind: .directory, mode: 0o755), formatting: formatting)
        }
    }

    /// The tree of the store path `fullPath`.
    ///
    /// - Throws: `ImageBuildError` naming the file that cannot be read or is neither a
    ///   directory, a regular file nor a symlink.
    func appendPath(_ fullPath: String, into stream: inout LayerStream) throws {
        let name = Array(fullPath.utf8)
        try appendEntry(
            name: name, kind: .unknown, in: FileSystem.currentDirectory, member: Array(name.drop { $0 == 0x2F }),
            into: &stream)
    }

    private func appendEntry(
        name: [UInt8], kind listed: FileKind, in parent: FileDescriptor, member: [UInt8], into stream: inout LayerStream
    ) throws {
        var kind = listed
        if kind == .unknown {
            kind = try reading(member) { () throws(SystemError) in try FileSystem.status(of: name, in: parent).kind }
        }
        switch kind {
        case .directory:
            try stream.append(header: TarMember(path: member, kind: .directory, mode: 0o555), formatting: formatting)
            let directory = try reading(member) { () throws(SystemError) in
                try FileSystem.openDirectory(name, in: parent)
            }
            defer { FileSystem.close(directory) }
            let entries = try reading(member) { () throws(SystemError) in try DirectoryListing.read(directory) }
                .sorted { $0.name.lexicographicallyPrecedes($1.name) }
            for entry in entries {
                try appendEntry(
                    name: entry.name, kind: entry.kind, in: directory, member: member + [0x2F] + entry.name,
                    into: &stream)
            }
        case .regular:
            let file = try reading(member) { () throws(SystemError) in try FileSystem.openForReading(name, in: parent) }
            defer { FileSystem.close(file) }
            let status = try reading(member) { () throws(SystemError) in try FileSystem.status(of: file) }
            guard status.kind == .regular else { throw unsupported(member) }
            let mode: UInt32 = status.isOwnerExecutable ? 0o555 : 0o444
            try stream.append(
                header: TarMember(path: member, kind: .regularFile(size: status.size), mode: mode),
                formatting: formatting)
            try stream.appendContents(of: file, size: status.size, name: "/" + FileSystem.display(member))
        case .symlink:
            let target = try reading(member) { () throws(SystemError) in try FileSystem.readLink(name, in: parent) }
            try stream.append(
                header: TarMember(path: member, kind: .symlink(target: target), mode: 0o777), formatting: formatting)
        case .special, .unknown:
            throw unsupported(member)
        }
    }

    private func reading<T>(_ member: [UInt8], _ body: () throws(SystemError) -> T) throws -> T {
        do { return try body() } catch {
            throw ImageBuildError("cannot read /\(FileSystem.display(member)): \(error)")
        }
    }

    private func unsupported(_ member: [UInt8]) -> ImageBuildError {
        ImageBuildError("/\(FileSystem.display(member)) is not a directory, regular file or symlink")
    }
}
