/// Unpacks the members of a `ZipReader` through a `TreeWriter`.
enum ZipExtraction {
    /// The longest symlink target accepted (Linux's PATH_MAX).
    private static var symlinkTargetLimit: Int { 4096 }

    /// Writes every member of `reader` with `writer`, streaming content through `buffer`.
    ///
    /// - Throws: `ArchiveError` naming the member that is unsafe, unsupported or corrupt.
    static func extract(_ reader: ZipReader, into writer: TreeWriter, buffer: UnsafeMutableRawBufferPointer)
        throws(ArchiveError)
    {
        for entry in reader.entries {
            let path = try ArchivePath(validating: entry.path)
            switch entry.kind {
            case .directory:
                try writer.makeDirectory(path)
            case .regularFile:
                let content = try reader.contents(of: entry)
                try writer.makeFile(path, executable: entry.isExecutable, buffer: buffer) {
                    chunk throws(ArchiveError) in
                    try content.read(into: chunk)
                }
            case .symbolicLink:
                try writer.makeSymlink(path, target: try target(of: entry, in: reader, buffer: buffer))
            case .special:
                throw ArchiveError.member(entry.path, "device, fifo and socket members are not supported")
            }
        }
    }

    /// A symlink member's content: its target.
    private static func target(of entry: ZipEntry, in reader: ZipReader, buffer: UnsafeMutableRawBufferPointer)
        throws(ArchiveError) -> [UInt8]
    {
        let content = try reader.contents(of: entry)
        var target: [UInt8] = []
        while case let count = try content.read(into: buffer), count > 0 {
            target.append(contentsOf: buffer[..<count])
            guard target.count <= symlinkTargetLimit else {
                throw ArchiveError.member(entry.path, "symlink target longer than \(symlinkTargetLimit) bytes")
            }
        }
        return target
    }
}
