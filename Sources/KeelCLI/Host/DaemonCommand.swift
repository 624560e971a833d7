import ArgumentParser
import Foundation
import KeelAPI
import KeelLinux
import KeelStore
import Logging
import ServiceLifecycle

/// `keel daemon`: runs the current generation's agents in the foreground, heals them, judges
/// new generations (SafeSwitch), and serves the local API on ROOT/run/keel.sock.
struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the current generation's agents, heal them, and serve the local API (foreground).",
        discussion: """
            Ends any agents a previous daemon of this root left running, activates the current \
            generation (starting each agent once the agents it depends on are ready), restarts \
            agents by their policy, checks their health and heartbeats, and puts every new \
            generation on probation: if an agent it started crash-loops, fails its health \
            checks or is not ready in time, the daemon switches back to the last good \
            generation by itself. `keel switch` and `keel rollback` go through it while it runs. \
            Every step is appended to the ledger (`keel events -f` follows them).

            The API: HTTP/1.1 with JSON on ROOT/run/keel.sock (mode 0600; docs/api.md). With \
            systemd, use Type=notify (Examples/keel.service): READY=1 is sent once the agents \
            are started. SIGTERM or SIGINT stops every agent, dependents first, then exits 0.
            Exit status: 0 after a clean stop; 1 when another daemon runs for the root or the \
            daemon cannot start.
            """
    )

    @OptionGroup var store: StoreOptions

    func run() throws {
        try Self.run(layout: try store.layout())
    }

    /// Runs the daemon for `layout` until SIGTERM or SIGINT (also reached without the argument
    /// parser, from `KeelMain`, for the plain `keel daemon [--root DIR] [--store-dir DIR]`).
    static func run(layout: StoreLayout) throws {
        // Before any task or thread: Swift concurrency's jobs run on NIO's event loops, as do
        // the daemon's timers (`EventLoopClock`), and SIGTERM and SIGINT are taken by a thread
        // that waits for them rather than by a libdispatch signal source. Nothing then reaches
        // libdispatch's worker pool, whose monitor would wake the daemon once a second.
        _ = EventLoopGlobalExecutor.install()
        SignalMask.block(SignalMask.stopSignals)
        let limits = CgroupSupport.detect().description
        let daemon: KeelDaemon
        do { daemon = try KeelDaemon(layout: layout, limitsSupport: limits) } catch { throw CLIError(error.message) }
        let paths = DaemonPaths(root: layout.root)
        let (listening, announce) = AsyncStream.makeStream(of: Void.self)
        var logger = Logger(label: "keel.daemon")
        logger.logLevel = .warning
        // The code pages an API call brings back (several MB: see StartupCode) go back once
        // calls have stopped for a while.
        let afterRequests = QuietPeriod(.seconds(10)) { StartupCode.release() }
        let server = DaemonAPIServer(operations: daemon, paths: paths, logger: logger, afterRequests: afterRequests) {
            announce.yield()
            announce.finish()
        }
        let service = DaemonService(
            daemon: daemon, listening: listening, notifySocket: ProcessInfo.processInfo.environment["NOTIFY_SOCKET"]
        ) {
            StandardErrorLine.write(
                "keel: daemon running for \(layout.root) (API on \(paths.socket); limits: \(limits))")
            // Start-up's code is not what an idle daemon runs: its pages go back to the page cache.
            StartupCode.release()
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: logger))
        SignalMask.onStopSignal { _ in Task { await group.triggerGracefulShutdown() } }
        do {
            try AsyncBridge.wait { try await group.run() }
        } catch let error as APIError {
            throw CLIError(error.message)
        } catch {
            throw CLIError(String(describing: error))
        }
    }
}
