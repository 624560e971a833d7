import KeelFormats
import KeelLinux
import SystemPackage

/// Reads the protocol's fields from a descriptor through a buffer, validating each: u64s,
/// padded strings within a length limit, store paths of one store directory, path lists within
/// a count limit. The peer is outside input: every malformed or truncated field is an error.
public final class RemoteStoreFrameReader {
    private let fd: FileDescriptor
    private let peer: String
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
    private var start = 0
    private var end = 0

    /// Reads `fd` (which stays the caller's); `peer` names the other side in messages.
    public init(fd: FileDescriptor, peer: String) {
        self.fd = fd
        self.peer = peer
    }

    deinit { buffer.deallocate() }

    /// Fills the buffer; false at the end of input.
    private func fill() throws(CacheError) -> Bool {
        start = 0
        do { end = try SystemCall.read(fd.rawValue, into: buffer) } catch {
            throw CacheError(.unreachable, "cannot read from \(peer): \(error)")
        }
        return end > 0
    }

    private func truncated(_ what: String) -> CacheError {
        CacheError(.unreachable, "\(peer) closed the connection in the middle of \(what)")
    }

    /// Copies exactly `target.count` bytes.
    private func readExactly(into target: UnsafeMutableRawBufferPointer, what: String) throws(CacheError) {
        var done = 0
        while done < target.count {
            if start == end, try !fill() { throw truncated(what) }
            let count = min(end - start, target.count - done)
            UnsafeMutableRawBufferPointer(rebasing: target[done..<done + count])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<start + count]))
            start += count
            done += count
        }
    }

    /// Copies between 1 and `target.count` bytes (what is buffered, or one read's worth).
    func readSome(into target: UnsafeMutableRawBufferPointer, what: String) throws(CacheError) -> Int {
        if start == end {
            // A large read goes straight to the caller's memory.
            if target.count >= buffer.count {
                let count: Int
                do { count = try SystemCall.read(fd.rawValue, into: target) } catch {
                    throw CacheError(.unreachable, "cannot read from \(peer): \(error)")
                }
                guard count > 0 else { throw truncated(what) }
                return count
            }
            if try !fill() { throw truncated(what) }
        }
        let count = min(end - start, target.count)
        UnsafeMutableRawBufferPointer(rebasing: target[0..<count])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<start + count]))
        start += count
        return count
    }

    /// Reads a little-endian u64.
    public func readUInt64(_ what: String) throws(CacheError) -> UInt64 {
        var value: UInt64 = 0
        try withUnsafeMutableBytes(of: &value) { bytes in
            Result { () throws(CacheError) in try readExactly(into: bytes, what: what) }
        }.get()
        return UInt64(littleEndian: value)
    }

    /// Reads a u64, or returns nil when the input ends cleanly before its first byte.
    public func readUInt64OrEnd(_ what: String) throws(CacheError) -> UInt64? {
        if start == end, try !fill() { return nil }
        return try readUInt64(what)
    }

    /// Reads a u64 that must be one of `Value`'s raw values.
    public func read<Value: RawRepresentable<UInt64>>(_ type: Value.Type, _ what: String) throws(CacheError) -> Value {
        let raw = try readUInt64(what)
        guard let value = Value(rawValue: raw) else {
            throw CacheError(.badInput, "\(peer) sent an unknown \(what) \(raw)")
        }
        return value
    }

    /// Reads a string: a u64 length (at most `limit`), the bytes, zero padding to 8 bytes.
    public func readString(_ what: String, limit: Int) throws(CacheError) -> String {
        let length = try readUInt64(what)
        guard length <= UInt64(limit) else {
            throw CacheError(.badInput, "\(peer) sent a \(what) of \(length) bytes (the limit is \(limit))")
        }
        let padded = (Int(length) + 7) & ~7
        var bytes = [UInt8](repeating: 0, count: padded)
        try bytes.withUnsafeMutableBytes { target in
            Result { () throws(CacheError) in try readExactly(into: target, what: what) }
        }.get()
        guard bytes[Int(length)...].allSatisfy({ $0 == 0 }) else {
            throw CacheError(.badInput, "\(peer) sent a \(what) with non-zero padding")
        }
        guard let text = String(validating: bytes[..<Int(length)], as: UTF8.self), !text.contains("\0") else {
            throw CacheError(.badInput, "\(peer) sent a \(what) that is not UTF-8 text")
        }
        return text
    }

    /// Reads a count: a u64 of at most `RemoteStoreProtocol.maxPathCount`.
    public func readCount(_ what: String) throws(CacheError) -> Int {
        let count = try readUInt64(what)
        guard count <= UInt64(RemoteStoreProtocol.maxPathCount) else {
            throw CacheError(
                .badInput, "\(peer) sent \(count) \(what) (the limit is \(RemoteStoreProtocol.maxPathCount))")
        }
        return Int(count)
    }

    /// Reads one full store path of `directory`.
    public func readStorePath(in directory: StoreDirectory) throws(CacheError) -> StorePath {
        let text = try readString("store path", limit: RemoteStoreProtocol.maxPathLength)
        do { return try directory.parse(text) } catch {
            throw CacheError(.badInput, "\(peer) sent '\(text)', which is not a store path of \(directory): \(error)")
        }
    }

    /// Reads a count, then that many store paths of `directory`.
    public func readStorePaths(in directory: StoreDirectory) throws(CacheError) -> [StorePath] {
        let count = try readCount("paths")
        var paths: [StorePath] = []
        paths.reserveCapacity(count)
        for _ in 0..<count { paths.append(try readStorePath(in: directory)) }
        return paths
    }

    /// Reads a reply's status; a failure's message becomes the error thrown.
    public func readStatus(of request: String) throws(CacheError) {
        switch try read(RemoteStoreProtocol.Status.self, "reply status") {
        case .ok: return
        case .failed:
            let message = try readString("error message", limit: RemoteStoreProtocol.maxMessageLength)
            throw CacheError(.store, "\(peer) refused to \(request): \(message)")
        }
    }
}
