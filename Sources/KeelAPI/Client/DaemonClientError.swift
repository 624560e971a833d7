/// Why a request to the daemon failed.
public enum DaemonClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing listens on the socket: it does not exist, or connecting is refused (a stale file).
    case notRunning(socket: String)
    /// The daemon answered with an error status and message.
    case api(APIError)
    /// The connection failed otherwise (permission denied, reset, timed out...).
    case transport(String)
    /// The daemon's answer could not be read.
    case invalidResponse(String)

    /// The message `keel` prints when no daemon runs.
    public static let notRunningMessage = "no keel daemon is running (start one with `keel daemon`)"

    /// The message.
    public var description: String {
        switch self {
        case .notRunning: Self.notRunningMessage
        case .api(let error): error.message
        case .transport(let message): message
        case .invalidResponse(let message): "unexpected answer from the keel daemon: \(message)"
        }
    }
}
