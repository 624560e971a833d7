import Glibc
import KeelLinux
import ServiceLifecycle

/// The daemon's life as a swift-service-lifecycle `Service`: once the API server listens (so
/// no other daemon owns this root), it starts the daemon (leftovers ended, the current
/// generation activated), tells systemd it is ready (`READY=1` on `$NOTIFY_SOCKET`, for
/// `Type=notify`), and on graceful shutdown (SIGTERM, SIGINT) stops every agent, dependents
/// first. Put it after the API server in the group, so it shuts down first.
public struct DaemonService: Service {
    private let daemon: KeelDaemon
    private let listening: AsyncStream<Void>
    private let notifySocket: String?
    private let onReady: @Sendable () -> Void

    /// A service for `daemon` that starts once `listening` yields.
    ///
    /// - Parameters:
    ///   - notifySocket: systemd's notify socket (`$NOTIFY_SOCKET`), if any.
    ///   - onReady: told once the daemon runs (the command prints a line).
    public init(
        daemon: KeelDaemon, listening: AsyncStream<Void>, notifySocket: String?,
        onReady: @escaping @Sendable () -> Void = {}
    ) {
        self.daemon = daemon
        self.listening = listening
        self.notifySocket = notifySocket
        self.onReady = onReady
    }

    /// Starts the daemon when the API listens; stops it on graceful shutdown.
    ///
    /// - Throws: `APIError` when the daemon cannot start.
    public func run() async throws {
        var iterator = listening.makeAsyncIterator()
        guard await iterator.next() != nil else { return }
        try await daemon.start()
        if let notifySocket, !notifySocket.isEmpty {
            try? DatagramSocket.send(Array("READY=1\nSTATUS=running\nMAINPID=\(getpid())".utf8), to: notifySocket)
        }
        onReady()
        try? await gracefulShutdown()
        if let notifySocket, !notifySocket.isEmpty {
            try? DatagramSocket.send(Array("STOPPING=1".utf8), to: notifySocket)
        }
        await daemon.shutdown()
    }
}
