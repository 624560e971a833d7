import Hummingbird
import KeelFormats
import KeelLinux
import KeelStore
import Logging
import NIOCore

/// `keel cache serve`: an HTTP/1.1 binary cache server (Hummingbird) for a cache directory or
/// for the local store, read-only, serving until SIGTERM or SIGINT.
///
/// Requests are GET and HEAD; every path is checked at the boundary (`CacheServerRequestPath`).
/// Blocking work (database lookups, opening files, dumping and compressing NARs) runs on
/// threads of its own, never on an event loop; bodies stream with backpressure.
public struct CacheServer: Sendable {
    private let source: any CacheServerSource
    private let address: CacheServerAddress
    private let logger: Logger

    /// A server of the cache directory at `directory` (as `keel cache push` or
    /// `nix copy --to file://` write it), on `address`.
    ///
    /// - Throws: `CacheError.Code.fileSystem` naming the directory when it is missing, not a
    ///   directory, or holds no `nix-cache-info`.
    public init(directory: String, address: CacheServerAddress, logger: Logger? = nil) throws(CacheError) {
        source = try CacheServerDirectory(path: directory, work: CacheServerBlockingWork())
        self.address = address
        self.logger = logger ?? Self.defaultLogger()
    }

    /// A server of `store`'s valid paths on `address`: narinfos signed with `key` when given,
    /// NARs compressed with `compression` as they are sent.
    public init(
        store: LocalStore, key: SigningSecretKey?, compression: CacheCompression, address: CacheServerAddress,
        logger: Logger? = nil
    ) {
        source = CacheServerStore(store: store, key: key, compression: compression, work: CacheServerBlockingWork())
        self.address = address
        self.logger = logger ?? Self.defaultLogger()
    }

    /// Listens, calls `onListening` with the address it listens on (the port the kernel chose
    /// for port 0), and serves until SIGTERM or SIGINT, then lets the responses in flight
    /// finish and returns.
    ///
    /// - Throws: `CacheError.Code.unreachable` naming the address when it cannot listen there
    ///   (in use, not this host's, an unknown host name).
    public func run(onListening: @escaping @Sendable (CacheServerAddress) async -> Void = { _ in }) async throws {
        let address = address
        let application = Application(
            responder: CacheServerResponder(source: source),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: "keel"),
            onServerRunning: { channel in
                await onListening(
                    CacheServerAddress(host: address.host, port: channel.localAddress?.port ?? address.port))
            },
            logger: logger)
        do { try await application.runService() } catch let error as IOError {
            throw CacheError(.unreachable, "cannot listen on \(address): \(SystemError.reason(of: error.errnoCode))")
        } catch is SocketAddressError, is SocketAddressError.UnknownHost {
            throw CacheError(.unreachable, "cannot listen on \(address): unknown host '\(address.host)'")
        }
    }

    /// Warnings and worse, to stderr.
    private static func defaultLogger() -> Logger {
        var logger = Logger(label: "keel.cache.serve")
        logger.logLevel = .warning
        return logger
    }
}
