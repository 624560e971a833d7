import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Waiting for descriptors to become readable.
public enum Polling {
    /// `poll(2)` for input: blocks until at least one of `descriptors` is readable, at its end (a
    /// pipe whose writers all closed) or in error.
    ///
    /// Time limits are not its business: a timer on an injected clock ends the wait by acting on
    /// what is polled (killing the process whose pidfd or output is in `descriptors`).
    ///
    /// - Parameter descriptors: what to wait for, at least one (pipes, sockets, pidfds: a pidfd is readable
    ///   once its process has ended).
    /// - Returns: for each descriptor, in order, whether it is ready.
    /// - Throws: `SystemError` naming `poll` (`EINTR` is retried).
    public static func waitForInput(_ descriptors: [FileDescriptor]) throws(SystemError) -> [Bool] {
        precondition(!descriptors.isEmpty, "poll with nothing to wait for would block for ever")
        var entries = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        _ = try SystemCall.retrying("poll") { poll(&entries, nfds_t(entries.count), -1) }
        return entries.map { $0.revents != 0 }
    }
}
