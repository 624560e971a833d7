import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The `http` check: a GET that must answer 2xx.
enum HealthHTTPCheck {
    /// The client probes share: redirects not followed (a 3xx fails the check), no connection
    /// retried (a refused connection is the verdict, not a reason to wait), no decompression, on
    /// NIO's shared event loop group.
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30), read: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// GETs `url` on `client`; the whole exchange up to the response's head within `timeout`.
    /// The body is not read: dropping it ends the request.
    static func run(url: String, timeout: Duration, client: HTTPClient) async -> HealthVerdict {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        // A fresh connection each time: one kept alive proves nothing about the listener now.
        request.headers.add(name: "Connection", value: "close")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.healthNanoseconds))
            let code = response.status.code
            return (200..<300).contains(code) ? .passed : .failed("HTTP \(code)")
        } catch {
            return .failed(reason(for: error, timeout: timeout))
        }
    }

    /// A few words for a request that got no answer.
    static func reason(for error: any Error, timeout: Duration) -> String {
        if error is CancellationError { return "cancelled" }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout:
                return HealthTimeout.reason(timeout)
            case .cancelled:
                return "cancelled"
            case .invalidURL, .emptyHost, .emptyScheme:
                return "not a URL to GET"
            case .remoteConnectionClosed:
                return "connection closed before an answer"
            default:
                break
            }
        }
        if let described = HealthNetworkError.describe(error) { return described }
        return "GET failed: \(HealthNetworkError.oneLine(String(describing: error)))"
    }
}
