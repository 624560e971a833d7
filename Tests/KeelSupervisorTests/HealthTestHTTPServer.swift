import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 with a port the kernel picked, in the test process: every GET
/// is answered with the status last set by `answer(_:)` (200 at first), except `/hang`, never
/// answered, and `/redirect`, a 302 to `/`. `stop()` closes it.
final class HealthTestHTTPServer: Sendable {
    /// The port it listens on.
    let port: Int
    private let channel: any Channel
    private let status: HealthTestStatus

    private init(port: Int, channel: any Channel, status: HealthTestStatus) {
        self.port = port
        self.channel = channel
        self.status = status
    }

    /// Starts a server; its port is known once this returns.
    static func start() async throws -> HealthTestHTTPServer {
        let status = HealthTestStatus()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HealthTestResponder(status: status))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw HealthTestServerError()
        }
        return HealthTestHTTPServer(port: port, channel: channel, status: status)
    }

    /// Answers every later GET with `code`.
    func answer(_ code: Int) { status.code.withLock { $0 = code } }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String = "/health") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Stops listening.
    func stop() async { try? await channel.close() }

    /// A port on 127.0.0.1 that refuses connections for as long as `body` runs: a TCP socket
    /// bound to it without listening holds it, so no other test can take the port meanwhile (a
    /// port bound and closed at once was taken by a parallel test's server once).
    static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw HealthTestServerError() }
        defer { Glibc.close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.bind(socket, generic, length) == 0 && getsockname(socket, generic, &length) == 0
            }
        }
        guard bound else { throw HealthTestServerError() }
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// The test server could not say its port.
struct HealthTestServerError: Error {}

/// The status a server answers with, shared by its connections.
final class HealthTestStatus: Sendable {
    /// The HTTP status code.
    let code = Mutex(200)
}

/// Answers each request of one connection as the server says.
private final class HealthTestResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let status: HealthTestStatus

    init(status: HealthTestStatus) { self.status = status }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data), request.uri != "/hang" else { return }
        let body = ByteBuffer(string: "body that is not kept\n")
        var headers = HTTPHeaders([("Content-Length", String(body.readableBytes))])
        let code: Int
        if request.uri == "/redirect" {
            code = 302
            headers.add(name: "Location", value: "/")
        } else {
            code = status.code.withLock { $0 }
        }
        let head = HTTPResponseHead(version: request.version, status: .init(statusCode: code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
