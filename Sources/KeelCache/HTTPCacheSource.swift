import AsyncHTTPClient
import KeelArchive
import NIOCore
import NIOPosix
import Synchronization

/// A binary cache served over HTTP or HTTPS, read with AsyncHTTPClient: HTTP/1.1 keep-alive
/// connections from a bounded pool, and a timeout after which a request that got no answer
/// fails (the caller then skips the cache) rather than hanging.
public final class HTTPCacheSource: BinaryCacheSource {
    /// The cache's URL as the user wrote it.
    public let url: String
    private let base: String
    private let timeout: TimeAmount
    private let client: HTTPClient
    private let closed = Mutex(false)

    /// A cache at `url` (`http://…` or `https://…`), read over at most `connections`
    /// connections; a request that gets no byte for `timeout` fails.
    public init(url: String, connections: Int, timeout: Duration) {
        self.url = url
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        let amount = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        self.timeout = amount
        var configuration = HTTPClient.Configuration(
            timeout: HTTPClient.Configuration.Timeout(connect: amount, read: amount),
            connectionPool: HTTPClient.Configuration.ConnectionPool(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections)))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Fetches `relativePath`; nil on 404, 403 or 410 (what caches answer for a missing file).
    public func readFile(_ relativePath: String, limit: Int) throws(CacheError) -> [UInt8]? {
        let location = base + "/" + relativePath
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(url: location, method: .GET)
            response = try client.execute(
                request: request, delegate: ResponseAccumulator(request: request, maxBodySize: limit),
                deadline: .now() + timeout
            ).wait()
        } catch let error as ResponseAccumulator.ResponseTooBigError {
            throw CacheError(.badInput, "'\(relativePath)' in cache \(url) is over \(error.maxBodySize) bytes")
        } catch {
            throw CacheError(.unreachable, "cannot fetch '\(relativePath)' from cache \(url): \(describe(error))")
        }
        switch response.status.code {
        case 200:
            return response.body.map { Array($0.readableBytesView) } ?? []
        case 403, 404, 410:
            return nil
        default:
            throw CacheError(
                .unreachable,
                "cannot fetch '\(relativePath)' from cache \(url): HTTP status \(response.status.code) \(response.status.reasonPhrase)"
            )
        }
    }

    /// Starts fetching `relativePath`; its body is read as it arrives, and letting go of the
    /// stream cancels the transfer.
    public func openStream(_ relativePath: String) throws(CacheError) -> any KeelArchive.ByteSource {
        let request: HTTPClient.Request
        do { request = try HTTPClient.Request(url: base + "/" + relativePath, method: .GET) } catch {
            throw CacheError(.badInput, "cannot fetch '\(relativePath)' from cache \(url): \(error)")
        }
        let channel = ResponseBodyChannel()
        let seconds = timeoutSeconds
        let delegate = ResponseBodyDelegate(
            channel: channel, what: "'\(relativePath)' in cache \(url)",
            describeError: { Self.describe($0, timeoutSeconds: seconds) })
        let task = client.execute(request: request, delegate: delegate)
        channel.onCancel { task.cancel() }
        return ResponseBodySource(channel: channel)
    }

    /// Shuts the client down, waiting for its connections to close.
    public func close() {
        guard
            closed.withLock({ closed in
                defer { closed = true }
                return !closed
            })
        else { return }
        try? client.syncShutdown()
    }

    /// A source nobody closed still lets its client go, without waiting (a deinit may run on an
    /// event loop).
    deinit {
        if !closed.withLock({ $0 }) { client.shutdown { _ in } }
    }

    private var timeoutSeconds: Double { Double(timeout.nanoseconds) / 1e9 }

    private func describe(_ error: any Error) -> String {
        Self.describe(error, timeoutSeconds: timeoutSeconds)
    }

    private static func describe(_ error: any Error, timeoutSeconds: Double) -> String {
        if let error = error as? HTTPClientError,
            [.readTimeout, .connectTimeout, .deadlineExceeded].contains(error)
        {
            let rounded = timeoutSeconds.rounded()
            return "no answer within \(rounded == timeoutSeconds ? String(Int(rounded)) : String(timeoutSeconds)) s"
        }
        return "\(error)"
    }
}
