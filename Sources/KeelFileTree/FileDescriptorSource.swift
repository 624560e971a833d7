import KeelFormats
import KeelLinux
import SystemPackage

/// A `ByteSource` reading a file descriptor (stdin, a file, a pipe).
public struct FileDescriptorSource: ByteSource {
    private let fd: FileDescriptor

    /// Reads `fd`, which stays open and owned by the caller.
    public init(fd: FileDescriptor) { self.fd = fd }

    /// Reads the next bytes; 0 at end of input.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try SystemCall.read(fd.rawValue, into: buffer)
    }
}
