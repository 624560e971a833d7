/// Where a cache server listens: `HOST:PORT` (`[IPv6]:PORT` for an IPv6 literal), port 0 for
/// any free port.
public struct CacheServerAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address literal to bind (without brackets).
    public let host: String
    /// The TCP port; 0 lets the kernel choose.
    public let port: Int

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `HOST:PORT` or `[IPv6]:PORT`.
    ///
    /// - Throws: `CacheError.Code.badInput` naming the text when the host is empty or holds
    ///   characters no host name has, or the port is not a number from 0 to 65535.
    public init(parsing text: String) throws(CacheError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw Self.invalid(text)
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw Self.invalid(text)
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw Self.invalid(text) }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            let allowed = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
            guard !host.isEmpty, allowed else { throw Self.invalid(text) }
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), let number = Int(port), (0...65535) ~= number
        else { throw Self.invalid(text) }
        self.init(host: String(host), port: number)
    }

    /// `HOST:PORT`, brackets around an IPv6 literal: what goes after `http://`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func invalid(_ text: String) -> CacheError {
        CacheError(.badInput, "invalid listen address '\(text)': expected HOST:PORT (or [IPv6]:PORT), port 0 to 65535")
    }
}
