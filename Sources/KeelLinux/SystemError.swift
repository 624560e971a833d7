#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: which call, on which path, and the `errno` it set.
public struct SystemError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The call's name, such as `openat`.
    public let call: String
    /// The path the call was about, if any.
    public let path: String?
    /// The `errno` value.
    public let errno: Int32

    /// Records a failure.
    public init(call: StaticString, path: String? = nil, errno: Int32) {
        self.call = "\(call)"
        self.path = path
        self.errno = errno
    }

    /// The `strerror` text of `errno`.
    public var reason: String { Self.reason(of: errno) }

    /// The `strerror` text of an errno value.
    public static func reason(of errno: Int32) -> String { String(cString: strerror(errno)) }

    /// `path: reason (call)`, or `call: reason`.
    public var description: String {
        if let path { return "\(path): \(reason) (\(call))" }
        return "\(call): \(reason)"
    }
}
