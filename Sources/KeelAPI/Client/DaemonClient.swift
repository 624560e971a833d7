import AsyncHTTPClient
import Foundation
import KeelLinux
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// The local API's client: one HTTP client speaking to `ROOT/run/keel.sock`, with a typed
/// method per route (docs/api.md). Call `shutdown()` when done (or use `with(paths:_:)`).
public final class DaemonClient: Sendable {
    /// Where the daemon's socket is.
    public let paths: DaemonPaths
    private let http: HTTPClient
    private let requestTimeout: TimeAmount

    /// The largest response body read.
    private static let maximumResponseSize = 64 << 20

    /// A client for the daemon under `paths`; requests other than the events stream fail after
    /// `requestTimeout` (a switch waits for activation, so it is long by default).
    public init(paths: DaemonPaths, requestTimeout: Duration = .seconds(300)) {
        self.paths = paths
        let components = requestTimeout.components
        self.requestTimeout = .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
        var configuration = HTTPClient.Configuration()
        // A refused or missing socket must fail at once: it means no daemon runs.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with a client, shutting it down afterwards whatever happens.
    public static func with<T: Sendable>(
        paths: DaemonPaths, _ body: (DaemonClient) async throws -> T
    ) async throws -> T {
        let client = DaemonClient(paths: paths)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Closes the client's connections. Required before the client goes away.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Whether something holds the daemon's socket under `paths`: false only when the socket
    /// file does not exist or nothing listens on it (a stale file left by a daemon that died);
    /// true when something accepts connections there, and when connecting fails otherwise
    /// (permission denied): then it is not free to take either. The kernel answers at once;
    /// no request is made, so a loaded machine cannot make a stale socket look alive.
    public static func isRunning(paths: DaemonPaths) -> Bool {
        switch UnixSocketProbe.probe(paths.socket, type: Int32(SOCK_STREAM.rawValue)) {
        case .absent, .refused: false
        case .listening, .failed: true
        }
    }

    /// `GET /v1/status`.
    public func status() async throws(DaemonClientError) -> DaemonStatus {
        try await send(.GET, "/v1/status", as: DaemonStatus.self)
    }

    /// `POST /v1/agents/{name}/start`.
    public func start(agent: String) async throws(DaemonClientError) -> AgentStatusView {
        try await send(.POST, "/v1/agents/\(try Self.checked(agent))/start", as: AgentStatusView.self)
    }

    /// `POST /v1/agents/{name}/stop`.
    public func stop(agent: String) async throws(DaemonClientError) -> AgentStatusView {
        try await send(.POST, "/v1/agents/\(try Self.checked(agent))/stop", as: AgentStatusView.self)
    }

    /// `POST /v1/agents/{name}/restart`.
    public func restart(agent: String) async throws(DaemonClientError) -> AgentStatusView {
        try await send(.POST, "/v1/agents/\(try Self.checked(agent))/restart", as: AgentStatusView.self)
    }

    /// `POST /v1/switch`.
    public func switchSystem(_ request: SwitchRequest) async throws(DaemonClientError) -> SwitchOutcome {
        let body: Data
        do { body = try JSONEncoder().encode(request) } catch {
            throw .invalidResponse("cannot encode the switch request: \(error)")
        }
        return try await send(.POST, "/v1/switch", body: Array(body), as: SwitchOutcome.self)
    }

    /// `POST /v1/rollback`.
    public func rollback() async throws(DaemonClientError) -> SwitchOutcome {
        try await send(.POST, "/v1/rollback", as: SwitchOutcome.self)
    }

    /// `GET /v1/events`: without `after`, the last `limit` events in memory; with it, the first
    /// `limit` events after sequence number `after`. Oldest first.
    public func events(after: Int? = nil, limit: Int? = nil) async throws(DaemonClientError) -> [DaemonEvent] {
        var query: [String] = []
        if let after { query.append("after=\(after)") }
        if let limit { query.append("limit=\(limit)") }
        let uri = "/v1/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return try await send(.GET, uri, as: [DaemonEvent].self)
    }

    /// `GET /v1/events?follow=1`: the events after `after` (all those in memory when nil), then
    /// each new one as the daemon records it.
    public func followEvents(after: Int? = nil) async throws(DaemonClientError) -> DaemonEventStream {
        let uri = "/v1/events?follow=1" + (after.map { "&after=\($0)" } ?? "")
        let response = try await perform(.GET, uri, body: nil, deadline: .distantFuture)
        guard response.status == .ok else { throw await Self.failure(response) }
        return DaemonEventStream(body: response.body)
    }

    /// `GET /v1/agents/{name}/logs?lines=N`: the last `lines` lines of the agent's log.
    public func logs(agent: String, lines: Int? = nil) async throws(DaemonClientError) -> LogLinesView {
        let uri = "/v1/agents/\(try Self.checked(agent))/logs" + (lines.map { "?lines=\($0)" } ?? "")
        return try await send(.GET, uri, as: LogLinesView.self)
    }

    // MARK: - Requests

    private static func checked(_ agent: String) throws(DaemonClientError) -> String {
        guard AgentName.isValid(agent) else {
            throw .api(.badRequest("invalid agent name '\(agent)': use \(AgentName.rule)"))
        }
        return agent
    }

    private func send<T: Decodable>(_ method: HTTPMethod, _ uri: String, body: [UInt8]? = nil, as type: T.Type)
        async throws(DaemonClientError) -> T
    {
        let response = try await perform(method, uri, body: body, deadline: .now() + requestTimeout)
        let bytes = try await Self.collect(response)
        guard (200..<300).contains(response.status.code) else { throw Self.failure(response.status.code, bytes) }
        do { return try JSONDecoder().decode(type, from: Data(bytes.readableBytesView)) } catch {
            throw .invalidResponse("\(uri): \(error)")
        }
    }

    private func perform(_ method: HTTPMethod, _ uri: String, body: [UInt8]?, deadline: NIODeadline)
        async throws(DaemonClientError) -> HTTPClientResponse
    {
        let socket = paths.socket
        do { _ = try FileSystem.status(of: Array(socket.utf8)) } catch  where error.errno == ENOENT {
            throw .notRunning(socket: socket)
        } catch {
            // Connecting will say what is wrong.
        }
        guard let url = URL(httpURLWithSocketPath: socket, uri: uri) else {
            throw .transport("cannot make a URL for the socket '\(socket)'")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await http.execute(request, deadline: deadline)
        } catch {
            throw Self.connectionFailure(error, socket: socket)
        }
    }

    /// `notRunning` for a connect that found no listener (`ENOENT`, `ECONNREFUSED`), else
    /// `transport`.
    static func connectionFailure(_ error: any Error, socket: String) -> DaemonClientError {
        if let error = error as? IOError {
            if error.errnoCode == ENOENT || error.errnoCode == ECONNREFUSED { return .notRunning(socket: socket) }
            return .transport("cannot reach the keel daemon at \(socket): \(SystemError.reason(of: error.errnoCode))")
        }
        return .transport("cannot reach the keel daemon at \(socket): \(error)")
    }

    private static func collect(_ response: HTTPClientResponse) async throws(DaemonClientError) -> ByteBuffer {
        do { return try await response.body.collect(upTo: maximumResponseSize) } catch {
            throw .transport("reading the keel daemon's answer failed: \(error)")
        }
    }

    private static func failure(_ response: HTTPClientResponse) async -> DaemonClientError {
        do {
            let bytes = try await collect(response)
            return failure(response.status.code, bytes)
        } catch {
            return error
        }
    }

    private static func failure(_ status: UInt, _ bytes: ByteBuffer) -> DaemonClientError {
        let status = Int(status)
        guard let body = try? JSONDecoder().decode(APIErrorBody.self, from: Data(bytes.readableBytesView)) else {
            return .invalidResponse("status \(status) without an error message")
        }
        return .api(APIError(status: status, body.error))
    }
}
