#if canImport(Glibc)
    import Glibc
#endif

/// The funnel for raw system calls: retries on `EINTR` and turns failures into `SystemError`.
public enum SystemCall {
    /// Runs `body` until it does not fail with `EINTR`; a negative result throws with `errno`.
    ///
    /// - Parameters:
    ///   - call: the call's name, for the error.
    ///   - path: the path the call was about, for the error.
    ///   - body: the call; returns a negative value and sets `errno` on failure.
    @inlinable
    public static func retrying<Result: BinaryInteger>(
        _ call: StaticString, path: String? = nil, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemError(call: call, path: path, errno: code)
        }
    }

    /// Writes every byte of `buffer` to `fd`.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < buffer.count {
            let written = try retrying("write") { write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            offset += written
        }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        return try retrying("read") { Glibc.read(fd, base, buffer.count) }
    }
}
