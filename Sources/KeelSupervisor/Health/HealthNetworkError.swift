import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Names the failure behind a connection error from NIO in a few words.
enum HealthNetworkError {
    /// `connection refused`, `cannot resolve host 'x'`... for a failed connection attempt, or nil
    /// when `error` is not one.
    static func describe(_ error: any Error) -> String? {
        if let error = error as? IOError { return describe(errno: error.errnoCode) }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty && (error.dnsAError != nil || error.dnsAAAAError != nil) {
                return "cannot resolve host '\(error.host)'"
            }
            for failure in error.connectionErrors {
                if let described = describe(failure.error) { return described }
            }
            return "connection failed"
        }
        return nil
    }

    private static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        default: "connection failed: \(String(cString: strerror(code)))"
        }
    }

    /// `text` on one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
