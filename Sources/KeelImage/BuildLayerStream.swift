import KeelArchive
import KeelFileTree
import KeelFormats
import KeelLinux
import SystemPackage

/// The bytes of one layer tar on their way into a blob file, hashed in the same pass.
///
/// Tar headers and file contents go straight into 1 MiB buffers (file contents are read from
/// the kernel into the buffer, never copied twice); a full buffer is written to the blob file
/// on this thread (compressed first when the layer is) and then handed to a second thread that
/// hashes the uncompressed tar for the diff_id. Reading and writing on one core, hashing on the
/// other: a layer costs about what one SHA-256 pass over its bytes costs.
struct LayerStream {
    private var sink: PipelinedSink<HashingConsumer>
    private var buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private let file: FileDescriptor
    private var blobSize: UInt64 = 0
    private var compressor: (any StreamCompressor)?
    private var blobHasher: StreamingHasher?
    /// The bytes of tar appended so far.
    private(set) var tarSize: UInt64 = 0

    /// Streams into `file` (open for writing, at its start), compressed with `compression`.
    init(file: FileDescriptor, compression: LayerCompression) throws {
        self.file = file
        sink = PipelinedSink(consumer: HashingConsumer(algorithm: .sha256), bufferCount: 4, bufferSize: 1 << 20)
        buffer = try sink.nextBuffer(filled: 0)
        switch compression {
        case .none:
            compressor = nil
        case .gzip:
            compressor = try GzipCompressor()
            blobHasher = StreamingHasher(.sha256)
        case .zstd:
            compressor = try ZstdCompressor()
            blobHasher = StreamingHasher(.sha256)
        }
    }

    /// Appends a member's header blocks.
    mutating func append(header member: TarMember, formatting: TarFormatting) throws {
        let bytes = try TarHeaderEncoder.encode(member, formatting: formatting)
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Appends `bytes`.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            if filled == buffer.count { try flush() }
            let count = min(bytes.count - offset, buffer.count - filled)
            (buffer.baseAddress! + filled).copyMemory(from: base + offset, byteCount: count)
            filled += count
            offset += count
        }
    }

    /// Appends `count` zero bytes (padding and the archive's end).
    mutating func appendZeros(_ count: Int) throws {
        var remaining = count
        while remaining > 0 {
            if filled == buffer.count { try flush() }
            let chunk = min(remaining, buffer.count - filled)
            (buffer.baseAddress! + filled).initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
            filled += chunk
            remaining -= chunk
        }
    }

    /// Appends exactly `size` bytes of the file open at `fd`, read into the buffers directly,
    /// then its padding to the next 512-byte block.
    ///
    /// - Throws: `ImageBuildError` naming `name` when the file holds fewer bytes than `size`.
    mutating func appendContents(of fd: FileDescriptor, size: UInt64, name: String) throws {
        var offset: UInt64 = 0
        while offset < size {
            if filled == buffer.count { try flush() }
            let wanted = Int(min(UInt64(buffer.count - filled), size - offset))
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + wanted])
            let count = try FileSystem.read(fd, into: target, at: offset)
            guard count == wanted else {
                throw ImageBuildError(
                    "\(name) is shorter than when it was listed (it changed while the image was built)")
            }
            filled += count
            offset += UInt64(count)
        }
        try appendZeros(TarHeaderEncoder.paddingLength(forContentSize: size))
    }

    /// Ends the archive (two zero blocks, then zeros to a whole record), writes and hashes what
    /// is left, and returns the layer's digests and sizes.
    mutating func finish() throws -> LayerDigests {
        try appendZeros(TarHeaderEncoder.trailerLength(afterWriting: tarSize + UInt64(filled)))
        let last = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
        try writeOut(last)
        tarSize += UInt64(filled)
        try sink.finish(filled: filled)
        filled = 0
        var blobDigest: ImageDigest
        if var compressor {
            try compressor.finish { try writeBlob($0) }
            self.compressor = compressor
            blobDigest = try Self.digest(blobHasher?.finalize())
        } else {
            blobDigest = try Self.digest(sink.consumer.hash)
        }
        let diffID = try Self.digest(sink.consumer.hash)
        if compressor == nil { blobDigest = diffID }
        return LayerDigests(diffID: diffID, digest: blobDigest, size: blobSize, tarSize: tarSize)
    }

    private mutating func flush() throws {
        try writeOut(UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
        tarSize += UInt64(filled)
        buffer = try sink.nextBuffer(filled: filled)
        filled = 0
    }

    /// Writes tar bytes to the blob, through the compressor when there is one.
    private mutating func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if var compressor {
            try compressor.compress(bytes) { try writeBlob($0) }
            self.compressor = compressor
        } else {
            try writeBlob(bytes)
        }
    }

    private mutating func writeBlob(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        blobHasher?.update(bytes)
        try FileSystem.write(file, bytes, at: blobSize)
        blobSize += UInt64(bytes.count)
    }

    private static func digest(_ hash: NixHash?) throws -> ImageDigest {
        guard let hash else { throw ImageBuildError("a layer's hash was not computed") }
        return try ImageDigest(hex: hash.base16)
    }
}

/// What hashing a layer gives: its diff_id (of the tar), its digest and size (of the blob as
/// stored, compressed or not), and the tar's size.
struct LayerDigests: Sendable, Equatable {
    let diffID: ImageDigest
    let digest: ImageDigest
    let size: UInt64
    let tarSize: UInt64
}
