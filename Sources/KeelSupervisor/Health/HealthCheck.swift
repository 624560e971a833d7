import KeelSystem

/// What one health check does: an agent's `health = { http | tcp | exec }`, resolved.
public enum HealthCheck: Sendable, Equatable {
    /// A GET of this `http://` or `https://` URL that must answer 2xx (redirects not followed).
    case http(url: String)
    /// A TCP connection to this host (a name, an IPv4 address or an IPv6 address) and port.
    case tcp(host: String, port: Int)
    /// A program that must exit 0: its argv, `arguments[0]` an absolute path (no `PATH` search,
    /// no shell).
    case exec(arguments: [String])

    /// The check `health` declares.
    ///
    /// - Throws: `SupervisorError` when `health` declares none or several kinds, an `http` that
    ///   is not an http(s) URL, a `tcp` that is not `HOST:PORT` (`[V6-ADDRESS]:PORT`), or an
    ///   `exec` whose program is missing or not an absolute path.
    public init(_ health: SystemManifest.Health) throws(SupervisorError) {
        let declared = [health.http != nil, health.tcp != nil, health.exec != nil].filter { $0 }.count
        guard declared == 1 else {
            throw SupervisorError("health check: declare exactly one of http, tcp and exec (found \(declared))")
        }
        if let url = health.http {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw SupervisorError("health check: http '\(url)' is not an http:// or https:// URL")
            }
            self = .http(url: url)
        } else if let address = health.tcp {
            let (host, port) = try Self.hostAndPort(address)
            self = .tcp(host: host, port: port)
        } else {
            let arguments = health.exec ?? []
            guard let program = arguments.first, program.hasPrefix("/") else {
                let found = arguments.first.map { "'\($0)'" } ?? "nothing"
                throw SupervisorError("health check: exec needs an absolute path to a program (found \(found))")
            }
            self = .exec(arguments: arguments)
        }
    }

    /// Splits `HOST:PORT` (`[V6-ADDRESS]:PORT` for IPv6).
    ///
    /// - Throws: `SupervisorError` naming `address` when it has no port, a port out of 1...65535,
    ///   no host, or an IPv6 address without brackets.
    public static func hostAndPort(_ address: String) throws(SupervisorError) -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"),
            let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port)
        else {
            throw SupervisorError("health check: tcp '\(address)' is not HOST:PORT with a port from 1 to 65535")
        }
        var host = address[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw SupervisorError("health check: tcp '\(address)': write an IPv6 address in brackets, [::1]:PORT")
        }
        guard !host.isEmpty else { throw SupervisorError("health check: tcp '\(address)' has no host") }
        return (String(host), port)
    }
}
