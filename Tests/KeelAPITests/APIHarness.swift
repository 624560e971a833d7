import AsyncHTTPClient
import Foundation
import KeelAPI
import KeelTesting
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// A `DaemonAPIServer` serving a `FakeDaemon` on a real socket in a temporary root, inside a
/// `ServiceGroup` as the daemon runs it.
final class APIHarness: Sendable {
    let directory: TemporaryDirectory
    let paths: DaemonPaths
    let daemon: FakeDaemon
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(
        directory: TemporaryDirectory, paths: DaemonPaths, daemon: FakeDaemon, group: ServiceGroup,
        task: Task<Void, any Error>
    ) {
        self.directory = directory
        self.paths = paths
        self.daemon = daemon
        self.group = group
        self.task = task
    }

    /// Starts a server under a new temporary root (or `paths`), returning once it listens.
    ///
    /// - Throws: what the server's `run()` threw if it stopped before listening.
    static func start(daemon: FakeDaemon = FakeDaemon(), paths: DaemonPaths? = nil) async throws -> APIHarness {
        let directory = try TemporaryDirectory(prefix: "keel-api")
        let paths = paths ?? DaemonPaths(root: directory.appending("root"))
        let (listening, listened) = AsyncStream.makeStream(of: Void.self)
        let server = DaemonAPIServer(operations: daemon, paths: paths, onListening: { listened.yield() })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [server], logger: Logger(label: "keel.api.test")))
        let task = Task {
            defer { listened.finish() }
            try await group.run()
        }
        var iterator = listening.makeAsyncIterator()
        guard await iterator.next() != nil else {
            directory.remove()
            try await task.value
            throw DaemonAPIServerError("the server stopped before listening")
        }
        return APIHarness(directory: directory, paths: paths, daemon: daemon, group: group, task: task)
    }

    /// Shuts the server down gracefully and removes the temporary root.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        defer { directory.remove() }
        try await task.value
    }

    /// Starts a server, runs `body` with it, then stops it (also when `body` fails).
    static func serving<T: Sendable>(daemon: FakeDaemon = FakeDaemon(), _ body: (APIHarness) async throws -> T)
        async throws -> T
    {
        let harness = try await start(daemon: daemon)
        do {
            let result = try await body(harness)
            try await harness.stop()
            return result
        } catch {
            try? await harness.stop()
            throw error
        }
    }

    /// Runs `body` with a client, then stops the server (also when `body` fails).
    func withClient<T: Sendable>(_ body: (DaemonClient) async throws -> T) async throws -> T {
        do {
            let result = try await DaemonClient.with(paths: paths, body)
            try await stop()
            return result
        } catch {
            try? await stop()
            throw error
        }
    }

    /// Sends a raw request and returns the status and body text.
    func raw(_ method: HTTPMethod, _ uri: String, body: String? = nil) async throws -> (status: Int, body: String) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let url = try #require(URL(httpURLWithSocketPath: paths.socket, uri: uri))
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            // The server answers on the cooperative pool, which long tests elsewhere in the suite
            // can hold for minutes on this two-core machine: the limit only catches a hang
            // (the suites have a five-minute limit of their own).
            let response = try await client.execute(request, timeout: .seconds(240))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return (Int(response.status.code), String(buffer: bytes))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
