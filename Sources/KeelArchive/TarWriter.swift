/// Writes a tar archive member by member, in the order given, into a `TarOutput`: byte for
/// byte what Python 3's `tarfile.open(mode="w", format=tarfile.PAX_FORMAT)` writes for the
/// same members (see `TarHeaderEncoder`), ending with two zero blocks and zeros up to a multiple
/// of 10240 bytes.
///
/// Each regular file must get exactly its declared size of content; the writer checks it where
/// it sees the content go by. After an error the archive is unfinished and the writer refuses
/// further members.
///
/// ```swift
/// var writer = TarWriter(output: output)
/// try writer.add(TarMember(path: Array("bin".utf8), kind: .directory, mode: 0o755))
/// try contents.withUnsafeBytes { try writer.addFile(member, contents: $0) }
/// try writer.finish()
/// ```
public struct TarWriter<Output: TarOutput> {
    private enum State {
        case open
        case failed
        case finished
    }

    /// Where the archive goes.
    public private(set) var output: Output
    /// The archive's bytes written so far (headers, contents, padding, and the trailer once
    /// finished).
    public private(set) var bytesWritten: UInt64 = 0
    private let formatting: TarFormatting
    private var state = State.open

    /// A writer of a new archive into `output`, every header with `formatting`'s metadata.
    public init(output: Output, formatting: TarFormatting = TarFormatting()) {
        self.output = output
        self.formatting = formatting
    }

    /// Writes a directory, a symlink, or an empty regular file.
    ///
    /// - Throws: `ArchiveError` for a member `TarHeaderEncoder` refuses or a non-empty regular
    ///   file (use `addFile`), or what the output throws.
    public mutating func add(_ member: TarMember) throws {
        if case .regularFile(let size) = member.kind, size > 0 {
            throw ArchiveError.member(member.path, "a regular file with content is added with addFile")
        }
        try guarded { (writer: inout Self) throws in try writer.writeHeader(member) }
    }

    /// Writes a regular file whose whole content is `contents`.
    ///
    /// - Throws: `ArchiveError` when `member` is not a regular file or `contents` is not its
    ///   declared size (nothing is written then), or what the output throws.
    public mutating func addFile(_ member: TarMember, contents: UnsafeRawBufferPointer) throws {
        let size = try declaredSize(of: member)
        guard UInt64(contents.count) == size else {
            throw ArchiveError.member(
                member.path, "\(contents.count) bytes of content given for a declared size of \(size)")
        }
        try guarded { (writer: inout Self) throws in
            try writer.writeHeader(member)
            try writer.write(contents)
            try writer.pad(afterContentOf: size)
        }
    }

    /// Writes a regular file whose content `writeContents` writes straight into the output.
    ///
    /// The writer cannot see those bytes: `writeContents` must write exactly the member's
    /// declared size (the writer counts them as written and pads after them). Where a check is
    /// wanted, use `addStreamedFile(_:pieces:)`.
    ///
    /// - Throws: `ArchiveError` when `member` is not a regular file, or what the output or
    ///   `writeContents` throws.
    public mutating func addFile(_ member: TarMember, writeContents: (inout Output) throws -> Void) throws {
        let size = try declaredSize(of: member)
        try guarded { (writer: inout Self) throws in
            try writer.writeHeader(member)
            try writeContents(&writer.output)
            writer.bytesWritten += size
            try writer.pad(afterContentOf: size)
        }
    }

    /// Writes a regular file whose content `pieces` hands over, piece by piece, to the function
    /// it is given; the writer counts them.
    ///
    /// - Throws: `ArchiveError` when `member` is not a regular file, or when more (refused
    ///   before it is written) or fewer bytes than its declared size are given; what the output
    ///   or `pieces` throws.
    public mutating func addStreamedFile(
        _ member: TarMember, pieces: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let size = try declaredSize(of: member)
        try guarded { (writer: inout Self) throws in
            try writer.writeHeader(member)
            var given: UInt64 = 0
            try pieces { (piece: UnsafeRawBufferPointer) throws in
                given += UInt64(piece.count)
                guard given <= size else {
                    throw ArchiveError.member(
                        member.path, "more than its declared size of \(size) bytes of content given")
                }
                try writer.write(piece)
            }
            guard given == size else {
                throw ArchiveError.member(member.path, "\(given) bytes of content given for a declared size of \(size)")
            }
            try writer.pad(afterContentOf: size)
        }
    }

    /// Ends the archive: two zero blocks, then zeros up to a multiple of 10240 bytes.
    ///
    /// - Throws: `ArchiveError` when the writer failed or finished before, or what the output
    ///   throws.
    public mutating func finish() throws {
        try guarded { (writer: inout Self) throws in
            try writer.writeZeros(TarHeaderEncoder.trailerLength(afterWriting: writer.bytesWritten))
        }
        state = .finished
    }

    /// Runs `body` on an open writer, marking the writer failed when it throws.
    private mutating func guarded(_ body: (inout Self) throws -> Void) throws {
        switch state {
        case .open: break
        case .failed: throw ArchiveError("tar writer: an earlier member failed; the archive is unfinished")
        case .finished: throw ArchiveError("tar writer: the archive is already finished")
        }
        do {
            try body(&self)
        } catch {
            state = .failed
            throw error
        }
    }

    /// The declared size of a regular file.
    private func declaredSize(of member: TarMember) throws(ArchiveError) -> UInt64 {
        guard case .regularFile(let size) = member.kind else {
            throw ArchiveError.member(member.path, "addFile takes regular files only")
        }
        return size
    }

    private mutating func writeHeader(_ member: TarMember) throws {
        let header = try TarHeaderEncoder.encode(member, formatting: formatting)
        try header.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in try write(bytes) }
    }

    private mutating func pad(afterContentOf size: UInt64) throws {
        try writeZeros(TarHeaderEncoder.paddingLength(forContentSize: size))
    }

    private mutating func writeZeros(_ count: Int) throws {
        guard count > 0 else { return }
        let zeros = [UInt8](repeating: 0, count: min(count, TarHeaderEncoder.recordSize))
        var remaining = count
        while remaining > 0 {
            let piece = min(remaining, zeros.count)
            try zeros.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                try write(UnsafeRawBufferPointer(rebasing: bytes[..<piece]))
            }
            remaining -= piece
        }
    }

    private mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        try output.write(bytes)
        bytesWritten += UInt64(bytes.count)
    }
}
