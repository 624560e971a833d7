/// A failed API operation: an HTTP status and a one-line message, sent as
/// `{"error": "message"}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code (400 bad request, 404 unknown agent or generation, 409 conflict...).
    public let status: Int
    /// What went wrong, in one line.
    public let message: String

    /// An error with a status and a message.
    public init(status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    /// 404: no such agent, generation or route.
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, message) }
    /// 400: the request is malformed.
    public static func badRequest(_ message: String) -> APIError { APIError(status: 400, message) }
    /// 409: the request conflicts with the daemon's state (a failed generation without force...).
    public static func conflict(_ message: String) -> APIError { APIError(status: 409, message) }
    /// 500: the daemon failed to do what it was asked.
    public static func failed(_ message: String) -> APIError { APIError(status: 500, message) }

    /// The message.
    public var description: String { message }
}

/// The JSON body of an error response.
public struct APIErrorBody: Codable, Sendable, Equatable {
    /// The message.
    public let error: String

    /// A body for a message.
    public init(error: String) { self.error = error }
}
