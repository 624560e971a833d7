import NIOCore
import NIOPosix

/// A free TCP port on 127.0.0.1 for the demo's HTTP agent: the kernel's choice for a listener
/// bound to port 0, closed again before the agent binds it.
enum DemoPort {
    /// The port.
    static func pick() async throws -> Int {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            let port = channel.localAddress?.port
            try await channel.close()
            guard let port else { throw CLIError("cannot pick a free port on 127.0.0.1: the listener has no port") }
            return port
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot pick a free port on 127.0.0.1: \(error)")
        }
    }
}
