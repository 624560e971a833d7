import ArgumentParser

/// Where `--http` listens: `PORT` (on 127.0.0.1) or `HOST:PORT`; port 0 lets the kernel choose.
struct TestAgentHTTPAddress: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The address to bind.
    let host: String
    /// The port, 0 for any free one.
    let port: Int

    /// Parses `PORT` or `HOST:PORT`.
    init?(argument: String) {
        let host: Substring
        let portText: Substring
        if let colon = argument.lastIndex(of: ":") {
            host = argument[..<colon]
            portText = argument[argument.index(after: colon)...]
        } else {
            host = "127.0.0.1"
            portText = Substring(argument)
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    /// `HOST:PORT`.
    var description: String { "\(host):\(port)" }
}
