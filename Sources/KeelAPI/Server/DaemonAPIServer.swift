import Hummingbird
import HummingbirdCore
import KeelLinux
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The daemon's local API (docs/api.md): HTTP/1.1 with JSON bodies on `ROOT/run/keel.sock`
/// (mode 0600, in `ROOT/run`, mode 0711), serving a `DaemonOperations`. A swift-service-lifecycle
/// `Service`: put it in the daemon's `ServiceGroup`; it stops on the group's graceful shutdown
/// (ending event streams) and removes its socket.
public struct DaemonAPIServer: Service {
    private let operations: any DaemonOperations
    private let paths: DaemonPaths
    private let logger: Logger
    private let onListening: @Sendable () async -> Void
    private let afterRequests: QuietPeriod?

    /// A server for `operations` under `paths`.
    ///
    /// - Parameters:
    ///   - logger: where the server logs (by default, warnings and worse on stderr).
    ///   - afterRequests: noted at the end of every request (the daemon gives back the code
    ///     pages a request brought in once requests stop).
    ///   - onListening: called once the socket accepts connections and has mode 0600.
    public init(
        operations: any DaemonOperations, paths: DaemonPaths, logger: Logger? = nil,
        afterRequests: QuietPeriod? = nil, onListening: @escaping @Sendable () async -> Void = {}
    ) {
        self.operations = operations
        self.paths = paths
        self.logger = logger ?? Self.defaultLogger()
        self.afterRequests = afterRequests
        self.onListening = onListening
    }

    /// Claims the socket (`DaemonSocket.claim`), then serves until graceful shutdown or
    /// cancellation.
    ///
    /// - Throws: `DaemonAPIServerError` when something listens on the socket or the
    ///   socket cannot be prepared; what binding throws.
    public func run() async throws {
        try DaemonSocket.claim(paths)
        let logs = AgentLogReader(paths: paths)
        defer { logs.finish() }
        let socket = Mutex<UInt64?>(nil)
        let paths = paths
        let logger = logger
        let onListening = onListening
        let afterRequests = afterRequests
        let responder = DaemonAPIRoutes.router(operations: operations, logs: logs).buildResponder()
        // HummingbirdCore's server rather than `Application`, whose date-header cache wakes the
        // process every second: an idle daemon must not wake at all.
        let server = Server(
            childChannelSetup: HTTP1Channel { request, responseWriter, channel in
                let context = BasicRequestContext(
                    source: ApplicationRequestContextSource(channel: channel, logger: logger))
                let response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    response = Response(status: .internalServerError)
                }
                defer { afterRequests?.note() }
                try await responseWriter.write(response: response.head, body: response.body)
            },
            configuration: ServerConfiguration(address: .unixDomainSocket(path: paths.socket)),
            onServerRunning: { _ in
                do throws(SystemError) {
                    let inode = try DaemonSocket.restrict(paths)
                    socket.withLock { $0 = inode }
                } catch {
                    logger.error("cannot set the mode of \(paths.socket) to 0600: \(error)")
                }
                await onListening()
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        defer {
            if let inode = socket.withLock({ $0 }) { DaemonSocket.remove(paths, inode: inode) }
        }
        try await server.run()
    }

    /// Warnings and worse, to stderr.
    private static func defaultLogger() -> Logger {
        var logger = Logger(label: "keel.api")
        logger.logLevel = .warning
        return logger
    }
}
