import KeelLinux
import SystemPackage

/// Reads the Merkle nodes file front to back, 32 bytes at a time, with large reads.
struct NodeStream {
    private let fd: FileDescriptor
    private let end: UInt64
    private var offset: UInt64 = 0
    private var buffer = [UInt8]()
    private var position = 0
    /// The read error that ended the stream, if any.
    private(set) var error: LedgerError?

    init(fd: FileDescriptor, end: UInt64) {
        self.fd = fd
        self.end = end
    }

    /// Bytes not yet returned.
    var remaining: UInt64 { end - offset + UInt64(buffer.count - position) }

    /// The next node, or `nil` at the end (or after a read error, kept in `error`).
    mutating func next() -> LedgerHash? {
        if buffer.count - position < 32 {
            guard offset < end else { return nil }
            let count = Int(min(end - offset, 1 << 20))
            do { buffer = try FileSystem.read(fd, count: count, at: offset) } catch {
                self.error = .fileSystem("cannot read the ledger's Merkle nodes", error)
                return nil
            }
            offset += UInt64(buffer.count)
            position = 0
            guard buffer.count >= 32 else { return nil }
        }
        defer { position += 32 }
        return buffer.withUnsafeBytes {
            LedgerHash(loading: UnsafeRawBufferPointer(rebasing: $0[position..<(position + 32)]))
        }
    }

    mutating func close() { buffer = [] }
}
