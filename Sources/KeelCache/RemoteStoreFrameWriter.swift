import KeelFormats
import KeelLinux
import SystemPackage

/// Writes the protocol's fields to a descriptor through a buffer: u64s, padded strings, path
/// lists, chunk headers. Nothing reaches the descriptor before `flush()` (or a full buffer).
public final class RemoteStoreFrameWriter {
    private let fd: FileDescriptor
    private let peer: String
    private var buffer: [UInt8] = []

    /// Writes to `fd` (which stays the caller's); `peer` names the other side in messages.
    public init(fd: FileDescriptor, peer: String) {
        self.fd = fd
        self.peer = peer
        buffer.reserveCapacity(1 << 16)
    }

    /// Writes a little-endian u64.
    public func write(_ value: UInt64) throws(CacheError) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes a string: its length, its bytes, zero padding to 8 bytes.
    public func write(_ text: String) throws(CacheError) {
        let bytes = Array(text.utf8)
        try write(UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
        buffer.append(contentsOf: repeatElement(0, count: (8 - bytes.count % 8) % 8))
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes a count and then each path in full.
    public func write(paths: [StorePath], in directory: StoreDirectory) throws(CacheError) {
        try write(UInt64(paths.count))
        for path in paths { try write(directory.fullPath(path)) }
    }

    /// Writes a failure reply: the status and a one-line message (cut to the protocol's limit).
    public func writeFailure(_ message: String) throws(CacheError) {
        try write(RemoteStoreProtocol.Status.failed.rawValue)
        try write(Self.shortened(message))
    }

    /// Abandons a chunked stream: the abort marker and a one-line message (cut to the limit).
    public func writeAbort(_ message: String) throws(CacheError) {
        try write(RemoteStoreProtocol.abortChunks)
        try write(Self.shortened(message))
    }

    /// `message`, cut to fit the protocol's message limit.
    private static func shortened(_ message: String) -> String {
        guard message.utf8.count > RemoteStoreProtocol.maxMessageLength else { return message }
        return String(decoding: message.utf8.prefix(RemoteStoreProtocol.maxMessageLength - 4), as: UTF8.self)
    }

    /// Writes one chunk of a chunked stream: its length, then its bytes (at most
    /// `RemoteStoreProtocol.maxChunk`, at least one).
    public func writeChunk(_ bytes: UnsafeRawBufferPointer) throws(CacheError) {
        precondition(!bytes.isEmpty && bytes.count <= RemoteStoreProtocol.maxChunk, "a chunk holds 1 byte to 1 MiB")
        try write(UInt64(bytes.count))
        if buffer.count + bytes.count <= 1 << 16 {
            buffer.append(contentsOf: bytes)
        } else {
            try flush()
            try put(bytes)
        }
    }

    /// Sends what is buffered.
    public func flush() throws(CacheError) {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { bytes in Result { () throws(CacheError) in try put(bytes) } }.get()
        buffer.removeAll(keepingCapacity: true)
    }

    private func put(_ bytes: UnsafeRawBufferPointer) throws(CacheError) {
        do { try SystemCall.writeAll(fd.rawValue, bytes) } catch {
            throw CacheError(.unreachable, "cannot write to \(peer): \(error)")
        }
    }
}
