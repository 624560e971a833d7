/// Unpacks the members a `TarReader` yields through a `TreeWriter`.
enum TarExtraction {
    /// Writes every member of `reader` with `writer`, streaming content through `buffer`,
    /// except those `skipping` says to leave out (and hard links to them).
    ///
    /// - Throws: `ArchiveError` naming the member that is unsafe, unsupported or unreadable.
    static func extract<Source: ByteSource>(
        _ reader: TarReader<Source>, into writer: TreeWriter, buffer: UnsafeMutableRawBufferPointer,
        skipping: (([[UInt8]]) -> Bool)? = nil
    ) throws(ArchiveError) {
        var skipped = Set<[[UInt8]]>()
        while let entry = try reader.next() {
            let path = try ArchivePath(validating: entry.path)
            if let skipping, skipping(path.components) {
                skipped.insert(path.components)
                continue
            }
            if entry.kind == .hardLink, !skipped.isEmpty,
                let target = try? ArchivePath(validating: entry.linkTarget), skipped.contains(target.components)
            {
                continue
            }
            switch entry.kind {
            case .directory:
                try writer.makeDirectory(path)
            case .regularFile:
                try writer.makeFile(path, executable: entry.isExecutable, buffer: buffer) {
                    chunk throws(ArchiveError) in
                    try reader.readContent(into: chunk)
                }
            case .symbolicLink:
                try writer.makeSymlink(path, target: entry.linkTarget)
            case .hardLink:
                let target: ArchivePath
                do { target = try ArchivePath(validating: entry.linkTarget) } catch {
                    throw ArchiveError.member(entry.path, "unsafe hard link target: \(error)")
                }
                try writer.makeHardLink(path, to: target)
            case .characterDevice, .blockDevice, .fifo:
                throw ArchiveError.member(entry.path, "device and fifo members are not supported")
            }
        }
    }
}
