import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// `pread(2)` until `buffer` is full or the file ends; returns how many bytes were read.
    public static func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64)
        throws(SystemError) -> Int
    {
        var done = 0
        while done < buffer.count {
            let count = try SystemCall.retrying("pread") {
                pread(fd.rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset`, or fewer if the file ends first.
    public static func read(_ fd: FileDescriptor, count: Int, at offset: UInt64) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: SystemError?
        let done = bytes.withUnsafeMutableBytes { buffer in
            do throws(SystemError) { return try read(fd, into: buffer, at: offset) } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }

    /// `pwrite(2)` of every byte of `buffer` at `offset`.
    public static func write(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer, at offset: UInt64)
        throws(SystemError)
    {
        var done = 0
        while done < buffer.count {
            done += try SystemCall.retrying("pwrite") {
                pwrite(fd.rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
        }
    }

    /// `pwrite(2)` of every byte of `bytes` at `offset`.
    public static func write(_ fd: FileDescriptor, _ bytes: [UInt8], at offset: UInt64) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            do throws(SystemError) { try write(fd, buffer, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// `ftruncate(2)`.
    public static func truncate(_ fd: FileDescriptor, to size: UInt64) throws(SystemError) {
        _ = try SystemCall.retrying("ftruncate") { ftruncate(fd.rawValue, off_t(size)) }
    }

    /// `fdatasync(2)`: makes the file's data (and the size that reaches it) durable.
    public static func syncData(_ fd: FileDescriptor) throws(SystemError) {
        _ = try SystemCall.retrying("fdatasync") { fdatasync(fd.rawValue) }
    }

    /// Releases a `flock(2)` lock.
    public static func unlock(_ fd: FileDescriptor) {
        _ = flock(fd.rawValue, LOCK_UN)
    }
}
