import NIOCore
import NIOPosix

/// The `tcp` check: a connection that opens within the time limit, then closes.
enum HealthTCPCheck {
    /// Connects to `host`:`port` on `group` within `timeout` (a name is resolved, IPv4 and IPv6
    /// tried as Happy Eyeballs does), then closes the connection. Nothing blocks an event loop;
    /// a cancelled check still ends at the latest when `timeout` has passed.
    static func run(host: String, port: Int, timeout: Duration, group: any EventLoopGroup) async -> HealthVerdict {
        let bootstrap = ClientBootstrap(group: group).connectTimeout(.nanoseconds(timeout.healthNanoseconds))
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return .passed
        } catch ChannelError.connectTimeout {
            return .failed(HealthTimeout.reason(timeout))
        } catch {
            if let described = HealthNetworkError.describe(error) { return .failed(described) }
            return .failed("connect failed: \(HealthNetworkError.oneLine(String(describing: error)))")
        }
    }
}
