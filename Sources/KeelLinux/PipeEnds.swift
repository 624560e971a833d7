import CKeelLinux
import Glibc

/// The two ends of a pipe, both close-on-exec.
public struct PipeEnds: Sendable {
    /// The end to read from.
    public let reading: Int32
    /// The end to write to.
    public let writing: Int32

    /// Creates a pipe.
    public init() throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        guard ckeel_pipe_cloexec(&fds) == 0 else { throw SystemError(call: "pipe2", errno: errno) }
        reading = fds[0]
        writing = fds[1]
    }
}
